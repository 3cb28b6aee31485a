"""The last parse of each list file, reused while the file's bytes stay the same.

Parsing a 50,000-entry list costs a few hundred milliseconds; comparing its bytes with the bytes
of the last parse costs a few. The one write path re-reads a file under its lock before every
insertion, so `ParseCache.parse(key, data)` turns that re-read into a byte comparison, and
`remember(key, doc)` after a write makes the next insertion start from the written document.
Documents are shared: treat them as immutable (they are, unless someone edits `doc.lines`).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict

from .document import ListDocument, parse_list

log = logging.getLogger(__name__)


class ParseCache:
    """Up to `size` parsed documents by key (e.g. a list's path), least recently used dropped."""

    def __init__(self, size: int = 16) -> None:
        self._size = size
        self._docs: OrderedDict[str, ListDocument] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def parse(self, key: str, data: bytes) -> ListDocument:
        """The parse of `data`: the cached one when `key` last held exactly these bytes."""
        with self._lock:
            doc = self._docs.get(key)
            if doc is not None and doc.render() == data:
                self._docs.move_to_end(key)
                self.hits += 1
                return doc
        doc = parse_list(data)
        self.remember(key, doc)
        with self._lock:
            self.misses += 1
        return doc

    def remember(self, key: str, doc: ListDocument) -> None:
        """Keep `doc` as the parse of whatever bytes `key` holds now (e.g. just written)."""
        with self._lock:
            self._docs[key] = doc
            self._docs.move_to_end(key)
            while len(self._docs) > self._size:
                dropped, _doc = self._docs.popitem(last=False)
                log.debug("parse cache full: dropped %s", dropped)

    def forget(self, key: str | None = None) -> None:
        """Drop one key's document, or all of them."""
        with self._lock:
            if key is None:
                self._docs.clear()
            else:
                self._docs.pop(key, None)
