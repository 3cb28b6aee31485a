"""The lossless markdown list model: parse any bytes, find sections, splice lines in, verify.

`parse_list(data).render() == data` for every byte string. Lines keep their endings ("\\n" or
"\\r\\n"; split on "\\n" only), invalid UTF-8 survives as surrogate escapes, a BOM is kept apart
in `bom`, and a missing final newline stays missing.

What the scanner sees (CommonMark where it decides entry boundaries; tested against
markdown-it-py): ATX and setext headings, and HTML headings (`<h2 align="center">Papers</h2>`
in an HTML block); YAML front matter at the top; fenced and indented code,
HTML blocks and comments, block quotes and thematic breaks, which hide their content; and
entries: a top-level list item with every continuation line (indented lines even after blank
lines, lazy lines, nested lists), each table body row, and each paragraph.

Modules: `lines` (bytes <-> lines), `kinds` (what one line starts), `blocks` (the scan),
`items` (a list item and its continuation lines), `htmlheads` (headings in an HTML block),
`document` (ListDocument, splicing), `entries` (Heading, Entry, Section; entries built
per section on first use), `sections` (addressing), `splice`
(verify_insertion), `cache` (ParseCache).
"""

from __future__ import annotations

from .blocks import Block
from .cache import ParseCache
from .document import ListDocument, describe, parse_list, spliced_lines
from .parts import Entry, Heading, Section
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
