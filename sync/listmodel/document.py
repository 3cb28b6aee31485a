"""The parsed list: headings as a tree of sections, entries with line ranges, exact rendering."""

from __future__ import annotations

import bisect
import logging
from dataclasses import dataclass, field

from ..errors import BadInput
from .blocks import Block, Scan, scan
from .lines import decode, dominant_eol, encode, split_bom, split_lines, strip_ending
from .sections import resolve_section

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Heading:
    """A section heading: ATX (`## Title`) or setext (a paragraph underlined with === or ---)."""

    level: int
    title: str
    line: int  # index of the heading's first line (a setext heading's text line)
    path: tuple[str, ...]  # ancestors' titles by level, then its own
    setext: bool


@dataclass(frozen=True)
class Entry:
    """A block that could be a list entry; lines[start:end], trailing blank lines excluded."""

    start: int
    end: int
    kind: str  # "item", "row" or "paragraph"
    section: tuple[str, ...]
    indent: int  # column of the marker (item), of the row, or of the paragraph's first line
    marker: str  # "-", "*", "+", "1." / "3)" (as written), "|" (row), "" (paragraph)


@dataclass
class Section:
    """A heading and its body up to the next heading of any level; the root has path ()."""

    path: tuple[str, ...]
    title: str
    level: int  # 0 for the root
    heading_line: int | None
    start: int  # body is lines[start:end]
    end: int
    entries: list[Entry] = field(default_factory=list)

    @property
    def address(self) -> str:
        """The section's address: its heading path joined with " > " ("" for the root)."""
        return " > ".join(self.path)


class ListDocument:
    """A markdown list parsed losslessly: `render()` gives back the exact input bytes."""

    bom: bytes
    lines: list[str]
    eol: str
    headings: list[Heading]
    sections: list[Section]
    entries: list[Entry]
    blocks: list[Block]

    def __init__(self, bom: bytes, lines: list[str], data: bytes | None = None) -> None:
        self.bom = bom
        self.lines = lines
        self.eol = dominant_eol(lines)
        self._data = data  # the input bytes, when known: render() is then free
        self._build(scan(lines))

    def _build(self, found: Scan) -> None:
        """Turn the scanner's raw headings and entries into the heading tree and sections."""
        n = len(self.lines)
        raw = found.headings
        root = Section((), "", 0, None, 0, raw[0].line if raw else n)
        sections = [root]
        headings: list[Heading] = []
        stack: list[tuple[int, str]] = []
        for k, h in enumerate(raw):
            while stack and stack[-1][0] >= h.level:
                stack.pop()
            path = (*(title for _level, title in stack), h.title)
            stack.append((h.level, h.title))
            headings.append(Heading(h.level, h.title, h.line, path, h.setext))
            end = raw[k + 1].line if k + 1 < len(raw) else n
            sections.append(Section(path, h.title, h.level, h.line, h.end, end))
        self.headings = headings
        self.sections = sections
        self.blocks = found.blocks
        # A section spans from its heading line; the root from line 0.
        self._section_starts = [0] + [h.line for h in raw]
        entries: list[Entry] = []
        k = 0
        last = len(sections) - 1
        current = root
        for e in found.entries:
            while k < last and self._section_starts[k + 1] <= e.start:
                k += 1
                current = sections[k]
            entry = Entry(e.start, e.end, e.kind, current.path, e.indent, e.marker)
            current.entries.append(entry)
            entries.append(entry)
        self.entries = entries
        self._entry_starts = [e.start for e in entries]

    def render(self) -> bytes:
        """The document's bytes: identical to the parsed input."""
        if self._data is None:
            self._data = self.bom + encode("".join(self.lines))
        return self._data

    def entry_text(self, entry: Entry) -> str:
        """The entry's lines with endings normalised to "\\n" and no final newline."""
        return "\n".join(strip_ending(line) for line in self.lines[entry.start : entry.end])

    def section(self, address: str) -> Section:
        """The section at `address` ("A > B", a unique last part, case-insensitive fallback)."""
        return resolve_section(self.sections, address)

    def section_addresses(self) -> list[str]:
        """Every section's address in document order; the root ("") only when it has entries."""
        root, *rest = self.sections
        return ([root.address] if root.entries else []) + [s.address for s in rest]

    def section_of_line(self, line: int) -> Section:
        """The section whose span (heading line to the next heading) holds line index `line`."""
        return self.sections[bisect.bisect_right(self._section_starts, line) - 1]

    def entry_at(self, line: int) -> Entry | None:
        """The entry whose lines include line index `line`, if any."""
        k = bisect.bisect_right(self._entry_starts, line) - 1
        if k >= 0 and line < self.entries[k].end:
            return self.entries[k]
        return None

    def with_lines_inserted(self, at_line: int, new_lines: list[str]) -> ListDocument:
        """A new document with `new_lines` (no endings; each gets `eol`) before line `at_line`."""
        return ListDocument(self.bom, spliced_lines(self, at_line, new_lines))


def spliced_lines(doc: ListDocument, at_line: int, new_lines: list[str]) -> list[str]:
    """doc.lines with `new_lines` inserted before index `at_line`, keeping "no final newline"."""
    n = len(doc.lines)
    if not 0 <= at_line <= n:
        raise BadInput(f"cannot insert at line {at_line + 1}: the list has {n} lines")
    for text in new_lines:
        if "\n" in text or "\r" in text:
            raise BadInput(f"an inserted line must not contain a line break: {text[:60]!r}")
    if not new_lines:
        return list(doc.lines)
    eol = doc.eol
    added = [text + eol for text in new_lines]
    lines = doc.lines[:at_line] + added + doc.lines[at_line:]
    if at_line == n and n and not doc.lines[-1].endswith("\n"):
        # The file had no final newline: end the old last line, and keep the new last one bare.
        lines[n - 1] = doc.lines[-1] + eol
        lines[-1] = new_lines[-1]
    return lines


def parse_list(data: bytes) -> ListDocument:
    """Parse any bytes as a markdown list; never raises, and render() gives back `data`."""
    bom, rest = split_bom(data)
    return ListDocument(bom, split_lines(decode(rest)), data)


def describe(doc: ListDocument) -> dict:
    """The parsed structure as plain data, for `papershelf parse --json` (lines 1-based)."""
    return {
        "lines": len(doc.lines),
        "eol": "crlf" if doc.eol == "\r\n" else "lf",
        "bom": bool(doc.bom),
        "sections": [
            {
                "address": s.address,
                "title": s.title,
                "level": s.level,
                "heading_line": None if s.heading_line is None else s.heading_line + 1,
                "entries": len(s.entries),
            }
            for s in doc.sections
        ],
        "entries": [
            {
                "section": " > ".join(e.section),
                "kind": e.kind,
                "marker": e.marker,
                "start": e.start + 1,
                "end": e.end,
            }
            for e in doc.entries
        ],
    }
