"""What is learned of a document, kept on the document: documents are immutable, so it stays true."""

from __future__ import annotations

import contextlib
from typing import Any


def doc_cache(doc: Any) -> dict[str, Any]:
    """A per-document cache; documents are immutable, so what we learn from one stays true."""
    cache = getattr(doc, "_styles_cache", None)
    if cache is None:
        cache = {}
        # A document that refuses attributes is simply parsed again next time.
        with contextlib.suppress(AttributeError, TypeError):
            object.__setattr__(doc, "_styles_cache", cache)
    return cache


def section_key(section: Any) -> tuple:
    """Where a section's learned style and placement are kept in the document's cache: its
    address and heading text, which an insertion above it does not move (its line number does)."""
    return (
        getattr(section, "address", None),
        getattr(section, "title", None),
        getattr(section, "level", None),
    )
