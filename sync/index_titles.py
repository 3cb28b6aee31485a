"""Fuzzy title search that scores a few candidates, not every title (pure data structure).

A title close enough to match (rapidfuzz `ratio` of the token-sorted titles ≥ 85) shares most of
its words with the query: a typo or a changed word leaves the others. So the index keeps, for
each word, the titles that have it; a query scores only the titles that share at least half of
its words (words in more than `COMMON_SHARE` of all titles, like "learning", do not count toward
that half unless they are all a query has), instead of the whole list of 50,000 titles.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from .index_records import token_sorted

#: A word in more than this share of the titles is too common to select candidates by.
COMMON_SHARE = 0.05


class TitleIndex:
    """Normalised titles by word, with their token-sorted form, kept up to date key by key."""

    def __init__(self) -> None:
        """An empty index."""
        self._sorted: dict[str, str] = {}
        self._by_word: dict[str, set[str]] = {}

    @classmethod
    def of(cls, keys: Iterable[str]) -> TitleIndex:
        """An index of these normalised titles."""
        index = cls()
        for key in keys:
            index.add(key)
        return index

    def __len__(self) -> int:
        return len(self._sorted)

    def add(self, key: str) -> None:
        """Index one normalised title (again: no change)."""
        if key in self._sorted:
            return
        self._sorted[key] = token_sorted(key)
        for word in set(key.split()):
            self._by_word.setdefault(word, set()).add(key)

    def remove(self, key: str) -> None:
        """Forget one normalised title."""
        if self._sorted.pop(key, None) is None:
            return
        for word in set(key.split()):
            keys = self._by_word.get(word)
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del self._by_word[word]

    def candidates(self, query: str) -> list[str]:
        """The titles sharing at least half of the query's distinctive words."""
        words = set(query.split())
        if not words:
            return []
        common = max(1, int(COMMON_SHARE * len(self._sorted)))
        distinctive = [w for w in words if len(self._by_word.get(w, ())) <= common]
        use = distinctive or list(words)
        need = max(1, (len(use) + 1) // 2)
        counts: Counter[str] = Counter()
        for word in use:
            counts.update(self._by_word.get(word, ()))
        return [key for key, n in counts.items() if n >= need]

    def search(self, query: str, limit: int, min_score: float) -> list[tuple[str, float]]:
        """Up to `limit` normalised titles scoring ≥ `min_score` (0..1) against `query`, best
        first, with their scores (the query itself left out)."""
        keys = [k for k in self.candidates(query) if k != query]
        if not keys:
            return []
        found = process.extract(
            token_sorted(query),
            [self._sorted[k] for k in keys],
            scorer=fuzz.ratio,
            processor=None,
            limit=limit,
            score_cutoff=min_score * 100,
        )
        return [(keys[k], round(score / 100, 3)) for _, score, k in found]
