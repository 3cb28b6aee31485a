"""Which feed items become candidates, and the candidate rows they make (pure)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sync.index import normalize_title
from sync.paper import (
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


def listed_titles(index: Any) -> set[str]:
    """The normalised titles of every listed paper."""
    return {normalize_title(loc.title) for loc in index.locations() if loc.title}


def listed_checker(index: Any, titles: set[str] | None = None) -> Callable[[Paper], bool]:
    """A test of "already in a list": by identity, then by exact normalised title."""
    titles = listed_titles(index) if titles is None else titles
    by_identity = listed_by_identity(index)

    def is_listed(paper: Paper) -> bool:
        if by_identity(paper):
            return True
        return bool(paper.title) and normalize_title(paper.title) in titles

    return is_listed


def valid_paper(paper: Paper) -> Paper | None:
    """The paper with its title on one line if it fits the Paper JSON bounds, else None.

    The same bounds `sync.paper.PaperSchema` checks, without its per-field cost: a 2,000-item feed
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
    source: str,
    *,
    lists: tuple[str, ...] = (),
    min_score: float = 0.0,
    top_k: int = 3,
    weak_scores: list[float] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Rank items against the sections (of `lists`, when given); rows to store, and how many fell
    short (their best scores appended to `weak_scores`, when given, for the poll to report)."""
    if not items:
        return [], 0
    texts = [paper_text(item.paper.title, item.paper.abstract) for item in items]
    titles = [item.paper.title or "" for item in items]
    ranked, per_list = ranker.rank_with_lists(
        texts, top_k=top_k, lists=lists or None, titles=titles, explain=1
    )
    rows, weak = [], 0
    for item, suggestions, scores in zip(items, ranked, per_list, strict=True):
        if not suggestions or suggestions[0].score < min_score:
            weak += 1
            if weak_scores is not None:
                weak_scores.append(suggestions[0].score if suggestions else 0.0)
            continue
        rows.append(
            {
                "identity": item.paper.identity,
                "paper": item.paper,
                "source": source,
                "scores": scores,
                "suggestions": [s.to_dict() for s in suggestions],
            }
        )
    return rows, weak
