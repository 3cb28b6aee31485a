"""The index's lookup maps: paper keys, link keys and titles to records (pure data structure)."""

from __future__ import annotations

from collections.abc import Iterable

from .index_records import IndexRecord
from .index_titles import TitleIndex


class KeyMaps:
    """Records by their paper keys (primary), their other links' keys (secondary) and their
    normalised title; the caller serialises access (the index's lock)."""

    def __init__(self) -> None:
        """Empty maps."""
        self.primary: dict[str, list[IndexRecord]] = {}
        self.secondary: dict[str, list[IndexRecord]] = {}
        self.titles: dict[str, list[IndexRecord]] = {}
        # Built on the first fuzzy title search (or by `title_words`), then kept up to date.
        self._words: TitleIndex | None = None

    def add(self, item: IndexRecord) -> None:
        """Map every key of one record to it."""
        for key in item.primary:
            self.primary.setdefault(key, []).append(item)
        for key in item.secondary:
            self.secondary.setdefault(key, []).append(item)
        if item.title_key:
            self.titles.setdefault(item.title_key, []).append(item)
            if self._words is not None:
                self._words.add(item.title_key)

    def drop(self, item: IndexRecord) -> None:
        """Unmap every key of one record."""
        for keys, mapping in (
            (item.primary, self.primary),
            (item.secondary, self.secondary),
            ((item.title_key,) if item.title_key else (), self.titles),
        ):
            for key in keys:
                kept = [other for other in mapping.get(key, ()) if other is not item]
                if kept:
                    mapping[key] = kept
                else:
                    mapping.pop(key, None)
                    self._title_gone(mapping, key)

    def drop_list(self, list_path: str, items: Iterable[IndexRecord]) -> None:
        """Unmap every record of one list."""
        items = list(items)
        for keys, mapping in (
            ({key for item in items for key in item.primary}, self.primary),
            ({key for item in items for key in item.secondary}, self.secondary),
            ({item.title_key for item in items if item.title_key}, self.titles),
        ):
            for key in keys:
                kept = [item for item in mapping.get(key, ()) if item.list != list_path]
                if kept:
                    mapping[key] = kept
                else:
                    mapping.pop(key, None)
                    self._title_gone(mapping, key)

    def _title_gone(self, mapping: dict[str, list[IndexRecord]], key: str) -> None:
        if mapping is self.titles and self._words is not None:
            self._words.remove(key)

    def by_identity(self, key: str) -> list[IndexRecord]:
        """The records that are this paper, else those that link to it."""
        return self.primary.get(key) or self.secondary.get(key) or []

    def by_title(self, query: str, limit: int, min_score: float) -> list[tuple[IndexRecord, float]]:
        """Records titled `query` (score 1), then the closest titles' (fuzzy), best first."""
        out = [(item, 1.0) for item in self.titles.get(query, [])]
        if len(out) >= limit:
            return out[:limit]
        # A word index picks the few titles worth scoring (`papershelf.sync.index_titles`).
        for norm, score in self.title_words().search(query, limit + 1, min_score):
            out.extend((item, score) for item in self.titles[norm])
        return out[:limit]

    def title_words(self) -> TitleIndex:
        """The word index of the titles, built now if it was not."""
        if self._words is None:
            self._words = TitleIndex.of(self.titles)
        return self._words
