"""The lossless markdown list model: parse any bytes, find sections, splice lines in, verify.

`parse_list(data).render() == data` for every byte string. Lines keep their endings, invalid
UTF-8 survives as surrogate escapes, and a missing final newline stays missing.
"""

from __future__ import annotations

from .blocks import Block
from .cache import ParseCache
from .document import (
    Entry,
    Heading,
    ListDocument,
    Section,
    describe,
    parse_list,
    spliced_lines,
)
from .splice import verify_insertion

__all__ = [
    "Block",
    "Entry",
    "Heading",
    "ListDocument",
    "ParseCache",
    "Section",
    "describe",
    "parse_list",
    "spliced_lines",
    "verify_insertion",
]
