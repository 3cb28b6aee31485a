"""Markdown tables: the role of a column from its header, and where each table's header is."""

from __future__ import annotations

import bisect
import re
from itertools import accumulate
from typing import Any

from ..listmodel.lines import strip_ending
from .cache import doc_cache
from .text import clean_title

#: A table's delimiter row (`|---|:--:|`), the line without its ending.
_SEPARATOR = r"[ \t]*\|?[ \t]*:?-{2,}[-:| \t]*"
_SEPARATOR_RE = re.compile(_SEPARATOR)
#: The same over a whole text; starts with a literal newline so the regex engine skips quickly
#: to line starts.
_SEPARATOR_LINE_RE = re.compile(r"\n" + _SEPARATOR + r"(?=\r?\n|$)")
_SPLIT_RE = re.compile(r"(?<!\\)\|")
#: Header words, in priority order, that say which Paper field a column holds.
ROLES = (
    ("date", ("date", "year", "time", "published", "month")),
    ("authors", ("author",)),
    ("venue", ("venue", "publication", "conference", "journal", "where")),
    ("code", ("code", "github", "repo", "implementation")),
    ("tags", ("keyword", "tag", "topic", "categor")),
    ("title", ("title", "paper", "name")),
    ("link", ("link", "pdf", "url", "arxiv")),
)


def role_of(header: str) -> str | None:
    """The Paper field a column holds, from its header text; None for columns we leave empty."""
    name = clean_title(header).lower()
    if name.startswith(("title", "paper")):
        return "title"  # `Title & Authors`: the title, with what else the cell holds
    for role, words in ROLES:
        if any(w in name for w in words):
            return role
    return None


def split_row(line: str) -> tuple[list[str], bool, bool]:
    """Raw cells of a row (padding kept) and whether it has leading and trailing pipes."""
    text = line.rstrip("\r\n")
    stripped = text.strip()
    lead, trail = stripped.startswith("|"), stripped.endswith("|") and len(stripped) > 1
    inner = stripped[1 if lead else 0 : len(stripped) - 1 if trail else len(stripped)]
    return _SPLIT_RE.split(inner), lead, trail


def header_of(doc: Any, entry: Any) -> list[str] | None:
    """The header cells of the table a row belongs to: the nearest `|---|` line above it."""
    cache = doc_cache(doc)
    if "separators" not in cache:
        # One C-level regex pass over the joined text per document, not a Python loop per line.
        ends = list(accumulate(map(len, doc.lines)))
        found = _SEPARATOR_LINE_RE.finditer("".join(doc.lines))
        seps = [bisect.bisect_right(ends, m.start()) + 1 for m in found]
        cache["separators"] = [i for i in seps if i and "|" in doc.lines[i - 1]]
    seps = cache["separators"]
    k = bisect.bisect_left(seps, entry.start) - 1
    if k < 0:
        return None
    return [c.strip() for c in split_row(doc.lines[seps[k] - 1])[0]]


def carry_separators(old: Any, new: Any, at_line: int, count: int) -> None:
    """Give `new` (`old` with `count` lines put in at `at_line`) the table heads `old` found.

    Heads below move down; the new lines, and the old line just after them (its line above
    changed), are checked one by one. Exact, so it is carried on lists of any length.
    """
    seps = doc_cache(old).get("separators")
    if seps is None:
        return
    lines = new.lines
    redo = range(max(at_line, 1), min(at_line + count + 1, len(lines)))
    moved = [s + count if s >= at_line else s for s in seps]
    found = [
        i for i in redo if _SEPARATOR_RE.fullmatch(strip_ending(lines[i])) and "|" in lines[i - 1]
    ]
    doc_cache(new)["separators"] = sorted({*(s for s in moved if s not in redo), *found})
