"""Where an entry's fields sit in its text (`Slot`), what the reader found (`Found`), and the
line helpers the readers share."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .urls import arxiv_form

#: A hard line break at a line's end: a backslash, `<br>`, or two spaces.
HARD_BREAK_RE = re.compile(r"(?:[ \t]*\\|[ \t]*<br\s*/?>|  +)$", re.I)


@dataclass(frozen=True)
class Slot:
    """Where a field's value sits in an entry's text: `text[start:end]`."""

    name: str  # title url alink id date venue authors code code_owner code_repo link_label
    #           link_url tags number
    start: int
    end: int
    fmt: Any = None  # what the written value says of its format (a date's pattern, a URL's shape)
    group: int = 0  # which link a link_label/link_url belongs to


@dataclass
class Found:
    """What the reader found in one entry: slots, note lines, the container and table cells."""

    text: str
    container: str  # item | row | paragraph
    prefix_end: int
    slots: list[Slot]
    cells: list[tuple[int, int]] | None = None
    note_lines: tuple[int, ...] = ()  # indexes of lines that are the curator's note
    title_form: str = ""  # link | bold | quoted | text | em
    header: tuple[str, ...] = ()  # a table row's header cells

    def taken(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps a slot already found."""
        return any(s.start < end and start < s.end for s in self.slots)

    def has(self, name: str) -> bool:
        """Whether a slot of this name was found."""
        return any(s.name == name for s in self.slots)

    def first(self, name: str) -> Slot | None:
        """The first slot of this name."""
        return next((s for s in self.slots if s.name == name), None)


def line_starts(text: str) -> list[int]:
    """Offsets where each line of `text` starts."""
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end


def line_content(text: str, ls: int, le: int) -> tuple[int, int]:
    """The content of a line: after its indent and bullet, before a hard break."""
    line = text[ls:le]
    m = re.match(r"^[ \t]*(?:[-*+][ \t]+)?", line)
    a = ls + (m.end() if m else 0)
    tail = HARD_BREAK_RE.search(line)
    b = ls + (tail.start() if tail else len(line.rstrip(" \t")))
    return a, max(a, b)


def url_form(url: str) -> Any:
    return arxiv_form(url)


# --- links --------------------------------------------------------------------------------------
