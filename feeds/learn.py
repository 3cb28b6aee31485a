"""What the ranking models learn from, gathered from the workspace and the stores (the shell).

The lists (their papers, with the abstracts cached for them and those of accepted candidates),
the curators' decisions (accepted into a list, rejected), and the feeds' background: this poll's
items first, then the newest ones kept from earlier polls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .knowledge import fit_index_ranker, index_papers, paper_text
from .models import Fitted
from .rank import Ranker
from .relevance import MAX_BACKGROUND, MAX_POSITIVES_PER_LIST, RelevanceModel, fit_relevance
from .store import ACCEPTED, REJECTED, Candidate, CandidateStore
from .texts import TextStore

#: Decisions read per fit, newest first within each status.
MAX_DECISIONS = 2_000


def candidate_text(candidate: Candidate) -> str:
    """The text a candidate is ranked by: its title and abstract."""
    return paper_text(candidate.paper.title, candidate.paper.abstract)


class Decisions:
    """The curators' decisions as texts: per list accepted and rejected, and every rejected one."""

    def __init__(self, accepted: Sequence[Candidate], rejected: Sequence[Candidate]) -> None:
        """Group decided candidates by the list they went to (or were proposed for)."""
        self.by_list: dict[str, tuple[list[str], list[str]]] = {}
        self.rejected_texts = [candidate_text(c) for c in rejected]
        self.abstracts = {c.identity: c.paper.abstract for c in accepted if c.paper.abstract}
        for candidate in accepted:
            name = (candidate.result or {}).get("list") or candidate.suggested_list
            if name:
                self.by_list.setdefault(name, ([], []))[0].append(candidate_text(candidate))
        for candidate, text in zip(rejected, self.rejected_texts, strict=True):
            if candidate.suggested_list:
                self.by_list.setdefault(candidate.suggested_list, ([], []))[1].append(text)

    @classmethod
    def load(cls, store: CandidateStore) -> Decisions:
        """The newest decisions of the store's workspace."""
        return cls(store.candidates(ACCEPTED, MAX_DECISIONS), store.candidates(REJECTED, MAX_DECISIONS))


def knowledge_state(index: Any, store: CandidateStore, texts: TextStore) -> tuple:
    """A cheap key of what the models learn from: the lists, decisions and abstracts."""
    counts = store.counts()
    return (
        index.version(),
        counts.get(ACCEPTED, 0),
        counts.get(REJECTED, 0),
        texts.count_abstracts(),
    )


def fit_models(
    key: Any,
    index: Any,
    decisions: Decisions,
    cached_abstracts: Mapping[str, str],
    background: Sequence[str],
    *,
    ranker: Ranker | None = None,
    extra_rejected: Sequence[str] = (),
    previous: RelevanceModel | None = None,
) -> Fitted:
    """Fit the section ranker (unless given) and the relevance model of every list (from
    `previous`, the last one, when there is one)."""
    abstracts = {**cached_abstracts, **decisions.abstracts}
    if ranker is None:
        ranker = fit_index_ranker(index, abstracts)
    relevance = fit_relevance(
        index_papers(index, abstracts, MAX_POSITIVES_PER_LIST),
        list(background)[:MAX_BACKGROUND],
        rejected=[*decisions.rejected_texts, *extra_rejected],
        decisions=decisions.by_list,
        previous=previous,
    )
    return Fitted(key, ranker, relevance)


def empty_models(key: Any) -> Fitted:
    """Models of a workspace without lists."""
    return Fitted(key, Ranker.fit([], []), RelevanceModel(None))
