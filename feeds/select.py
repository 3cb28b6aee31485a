"""Which feed items become candidates, and the candidate rows they make (pure)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from papershelf.sync.paper import (
    _PUBLISHED_RE,
    MAX_ABSTRACT_CHARS,
    MAX_AUTHORS,
    MAX_SHORT_CHARS,
    MAX_TITLE_CHARS,
    Paper,
)

from .decisions import listed_by_identity
from .knowledge import paper_text
from .parse import FeedItem
from .rank import Ranker
from .relevance import RelevanceModel
from .sources import keyword_filter


@dataclass
class Selection:
    """Items kept for ranking, and how many were dropped for each reason."""

    kept: list[FeedItem] = field(default_factory=list)
    dropped: dict[str, int] = field(default_factory=dict)

    def drop(self, reason: str) -> None:
        """Count one dropped item."""
        self.dropped[reason] = self.dropped.get(reason, 0) + 1


def select_items(
    items: Sequence[FeedItem],
    *,
    is_listed: Callable[[Paper], bool],
    decided: set[str],
    keywords: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Selection:
    """Keep items that are candidates: new/cross, unlisted, undecided, passing the keyword filter."""
    out = Selection()
    seen: set[str] = set()
    for item in items:
        paper = item.paper
        identity = paper.identity
        if not item.is_candidate:
            out.drop("replaced")
        elif identity is None or not paper.title:
            out.drop("incomplete")
        elif identity in seen:
            out.drop("repeated")
        elif identity in decided:
            out.drop("decided")
        elif is_listed(paper):
            out.drop("listed")
        elif not keyword_filter(paper_text(paper.title, paper.abstract), keywords, exclude):
            out.drop("filtered")
        else:
            seen.add(identity)
            out.kept.append(item)
    return out


def listed_checker(index: Any) -> Callable[[Paper], bool]:
    """A test of "already in a list": by identity, then by exact normalised title (the index's
    own title map: nothing is computed per listed paper)."""
    by_identity = listed_by_identity(index)

    def is_listed(paper: Paper) -> bool:
        if by_identity(paper):
            return True
        return bool(paper.title) and bool(index.has_title(paper.title))

    return is_listed


def valid_paper(paper: Paper) -> Paper | None:
    """The paper with its title on one line if it fits the Paper JSON bounds, else None.

    The same bounds `papershelf.sync.paper.PaperSchema` checks, without its per-field cost: a 2,000-item feed
    is checked in milliseconds.
    """
    title = " ".join((paper.title or "").split())
    if not 1 <= len(title) <= MAX_TITLE_CHARS:
        return None
    if paper.abstract and len(paper.abstract) > MAX_ABSTRACT_CHARS:
        return None
    if len(paper.authors) > MAX_AUTHORS or any(
        not a or len(a) > MAX_SHORT_CHARS for a in paper.authors
    ):
        return None
    if paper.url and (len(paper.url) > 2_000 or not paper.url.startswith(("http://", "https://"))):
        return None
    if paper.published and not _PUBLISHED_RE.match(paper.published):
        return None
    return paper if title == paper.title else paper.replace(title=title)


def candidate_rows(
    items: Sequence[FeedItem],
    ranker: Ranker,
    relevance: RelevanceModel,
    source: str,
    *,
    lists: tuple[str, ...] = (),
    min_score: float = 0.0,
    keep_at_least: Mapping[str, int] | None = None,
    top_k: int = 3,
) -> tuple[list[dict[str, Any]], list[tuple[float, str]]]:
    """Score items' relevance to each list (of `lists`, when given), pick a section among the
    lists where each is relevant; the rows to store, and the (score, title) of those dropped.

    An item is kept when its relevance to some list reaches `min_score`. A list that no item
    reaches gets its best `keep_at_least[list]` items all the same (a new list: something to
    decide on, which teaches its calibration).
    """
    if not items:
        return [], []
    texts = [paper_text(item.paper.title, item.paper.abstract) for item in items]
    titles = [item.paper.title or "" for item in items]
    names = [n for n in relevance.lists if not lists or n in lists]
    columns = [relevance.lists.index(n) for n in names]
    scores, vecs = relevance.assess(texts)
    scores = scores[:, columns] if columns else np.zeros((len(items), 0), dtype=np.float32)
    best = scores.max(axis=1) if names else np.zeros(len(items), dtype=np.float32)
    passes = scores >= min_score
    for j, name in enumerate(names):
        floor = (keep_at_least or {}).get(name, 0)
        if floor and not passes[:, j].any():
            passes[np.argsort(-scores[:, j], kind="stable")[:floor], j] = True
    kept = [i for i in range(len(items)) if passes[i].any()]
    chosen = set(kept)
    dropped = [(float(best[i]), titles[i]) for i in range(len(items)) if i not in chosen]
    relevant = [
        [names[j] for j in np.argsort(-scores[i], kind="stable") if passes[i, j]] for i in kept
    ]
    ranked, _ = ranker.rank_with_lists(
        [texts[i] for i in kept],
        top_k=top_k,
        titles=[titles[i] for i in kept],
        explain=1,
        relevant=relevant,
    )
    tops = [
        allowed[0] if not suggestions else suggestions[0].list
        for suggestions, allowed in zip(ranked, relevant, strict=True)
    ]
    reasons = relevance.explain(
        tops, [texts[i] for i in kept], vecs[kept] if vecs is not None else None
    )
    rows = []
    for i, suggestions, top, (words, papers) in zip(kept, ranked, tops, reasons, strict=True):
        shown = [s.to_dict() for s in suggestions] or [
            {"list": top, "section": None, "score": 0.0, "why": [], "similar": None}
        ]
        shown[0]["why"] = list(words) or shown[0]["why"]
        shown[0]["like"] = list(papers)
        shown[0]["relevance"] = round(float(scores[i, names.index(top)]), 4)
        rows.append(
            {
                "identity": items[i].paper.identity,
                "paper": items[i].paper,
                "source": source,
                "score": round(float(best[i]), 4),
                "scores": {n: round(float(scores[i, j]), 4) for j, n in enumerate(names)},
                "suggestions": shown,
            }
        )
    return rows, dropped
