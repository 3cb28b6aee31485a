"""The parsed list: headings as a tree of sections, entries with line ranges, exact rendering."""

from __future__ import annotations

import bisect
import logging
from collections.abc import Sequence
from functools import partial
from html import unescape
from operator import itemgetter

from ..errors import BadInput
from .blocks import Block, Resume, Scan, scan
from .lines import (
    decode,
    encode,
    encode_like,
    legacy_encoding,
    read_as,
    split_bom,
    split_lines,
    strip_ending,
)
from .parts import Entry, EntrySource, Heading, Section, bulk
from .rows import EntryRows, LineNumbers
from .sections import resolve_section

log = logging.getLogger(__name__)

_first = itemgetter(0)
_third = itemgetter(2)


def _eol_of(text: str) -> str:
    """The dominant line ending of a text ("\\r\\n" only when it outnumbers bare "\\n")."""
    if "\r\n" not in text:
        return "\n"
    crlf = text.count("\r\n")
    return "\r\n" if crlf > text.count("\n") - crlf else "\n"


class ListDocument:
    """A markdown list parsed losslessly: `render()` gives back the exact input bytes.

    Treat it as immutable. `entries` and `sections[*].entries` are built on first use: the scan
    keeps plain tuples, so re-scanning after an insertion does not pay for objects nobody reads.
    """

    bom: bytes
    lines: list[str]
    eol: str
    headings: list[Heading]
    blocks: list[Block]

    def __init__(
        self,
        bom: bytes,
        lines: list[str],
        data: bytes | None = None,
        *,
        eol: str | None = None,
        found: Scan | None = None,
        legacy: str | None | bool = False,
    ) -> None:
        self.bom = bom
        self.lines = lines
        self.eol = eol if eol is not None else _eol_of("".join(lines))
        self._data = data  # the input bytes, when known: render() is then free
        # A (line index, byte offset) pair known besides both ends, for splicing bytes nearby.
        self._anchor: tuple[int, int] | None = None
        self._ascii: bool | None = None  # whether _data is all ASCII, once asked
        self._legacy = legacy  # legacy_encoding once asked (False: not yet)
        found = found if found is not None else scan(lines)
        self._heads = found.headings
        self._raw = EntryRows.of(found.entries)
        self._starts = LineNumbers.of(found.starts)
        self.blocks = found.blocks
        self._entries: list[Entry] | None = None
        self._build_sections()

    def _build_sections(self) -> None:
        """The heading tree: each heading's path and the sections (entries come later)."""
        n = len(self.lines)
        raw = self._heads
        sections = [Section((), "", 0, None, 0, raw[0][2] if raw else n)]
        headings: list[Heading] = []
        stack: list[tuple[int, str]] = []
        # A heading of a cp1252/Latin-1 list holds escapes of its non-ASCII bytes: address and
        # show it as the text the file means (the lines, and so the bytes, stay as they are).
        legacy = None
        if not all(t.isascii() for _lv, t, *_rest in raw):
            legacy = self.legacy_encoding
        for k, (level, title, line, end, form) in enumerate(raw):
            title = read_as(title, legacy)
            if form == "html":  # decoded after read_as: `&eacute;` is no byte of the file
                title = " ".join(unescape(title).split())
            while stack and stack[-1][0] >= level:
                stack.pop()
            path = (*(t for _level, t in stack), title)
            stack.append((level, title))
            headings.append(Heading(level, title, line, path, form == "setext", form == "html"))
            stop = raw[k + 1][2] if k + 1 < len(raw) else n
            sections.append(Section(path, title, level, line, end, stop))
        self.headings = headings
        self._sections = sections
        # A section spans from its heading line; the root from line 0.
        self._section_starts = [0] + [h[2] for h in raw]
        # Sections reach their entries through a source that does not hold the document: a
        # document <-> section cycle would leave every replaced document of a busy server to
        # the cyclic GC, whose full passes cost hundreds of ms on a big list.
        self._source = EntrySource(self._raw, self._section_starts)
        for k, section in enumerate(sections):
            section._fill = partial(self._source.entries_of, k, section.path)

    def _raw_span(self, k: int) -> tuple[int, int]:
        """Indexes [lo, hi) into the raw entries of the entries of section k."""
        return self._source.span(k)

    def _entry_by_index(self, i: int) -> Entry:
        """The Entry of raw entry i, building only its section's entries."""
        k = self.section_index_of_line(self._raw[i][0])
        return self._sections[k].entries[i - self._raw_span(k)[0]]

    @property
    def entries(self) -> list[Entry]:
        """Every block that could be a list entry, in document order."""
        if self._entries is None:
            with bulk():
                self._entries = [entry for section in self._sections for entry in section.entries]
        return self._entries

    def entry_tuples(self) -> Sequence[tuple[int, int, str, int, str]]:
        """(start, end, kind, indent, marker) of every entry, in order, without building Entries.

        An immutable sequence that shares its rows with the documents derived from this one.
        """
        return self._raw

    @property
    def entry_count(self) -> int:
        """How many entries `entries` holds, without building them."""
        return len(self._raw)

    def entry(self, i: int) -> Entry:
        """An entry equal to entries[i], building no other entry (for sampling a big list)."""
        i = range(len(self._raw))[i]
        k = self.section_index_of_line(self._raw[i][0])
        built = self._source.built.get(k)
        if built is not None:
            return built[i - self._raw_span(k)[0]]
        start, end, kind, indent, marker = self._raw[i]
        return Entry(start, end, kind, self._sections[k].path, indent, marker)

    def entry_indexes(self, section: Section) -> range:
        """The indexes (for `entry(i)`) of `section`'s entries, without building them."""
        for k, mine in enumerate(self._sections):
            if mine is section:
                return range(*self._raw_span(k))
        raise ValueError(f"section {section.address!r} is not one of this document's")

    def sections_with_entries(self) -> list[Section]:
        """The sections that hold at least one entry, without building any entry."""
        out = []
        for k, section in enumerate(self._sections):
            lo, hi = self._raw_span(k)
            if hi > lo:
                out.append(section)
        return out

    @property
    def sections(self) -> list[Section]:
        """The root section, then one per heading, in document order."""
        return self._sections

    def render(self) -> bytes:
        """The document's bytes: identical to the parsed input."""
        if self._data is None:
            self._data = self.bom + encode("".join(self.lines))
        return self._data

    def entry_text(self, entry: Entry) -> str:
        """The entry's lines with endings normalised to "\\n" and no final newline."""
        return "\n".join(strip_ending(line) for line in self.lines[entry.start : entry.end])

    def shown(self, text: str) -> str:
        """Text of this list (an entry, a title) as the list means it: a cp1252/Latin-1 list's
        escapes read in its encoding (`R\\udce9seaux` -> `Réseaux`). For showing only."""
        return text if text.isascii() else read_as(text, self.legacy_encoding)

    def section(self, address: str) -> Section:
        """The section at `address` ("A > B", a unique last part, case-insensitive fallback)."""
        return resolve_section(self.sections, address)

    def section_addresses(self) -> list[str]:
        """Every section's address in document order; the root ("") only when it has entries."""
        root, *rest = self._sections
        has_root_entries = bool(self._raw) and self._raw[0][0] < root.end
        return ([root.address] if has_root_entries else []) + [s.address for s in rest]

    def section_index_of_line(self, line: int) -> int:
        """Index in `sections` of the section whose span (heading line onwards) holds `line`."""
        return bisect.bisect_right(self._section_starts, line) - 1

    def section_of_line(self, line: int) -> Section:
        """The section whose span (heading line to the next heading) holds line index `line`."""
        return self.sections[self.section_index_of_line(line)]

    def section_address_of_line(self, line: int) -> str:
        """The address of the section holding line index `line`, without building any entry."""
        return self._sections[self.section_index_of_line(line)].address

    def entry_at(self, line: int) -> Entry | None:
        """The entry whose lines include line index `line`, if any."""
        k = self._raw.bisect_right(line) - 1
        if k >= 0 and line < self._raw[k][1]:
            return self._entry_by_index(k)
        return None

    def entries_between(self, start: int, end: int) -> list[Entry]:
        """The entries that start on a line index in [start, end), without building the others."""
        lo = self._raw.bisect_left(start)
        hi = self._raw.bisect_left(end)
        return [self.entry(i) for i in range(lo, hi)]

    @property
    def legacy_encoding(self) -> str | None:
        """`cp1252` or `latin-1` for a list not in UTF-8: new lines are written in it too."""
        if self._legacy is False:
            self._legacy = legacy_encoding(self.render()[len(self.bom) :])
        return self._legacy  # type: ignore[return-value]

    def with_lines_inserted(self, at_line: int, new_lines: list[str]) -> ListDocument:
        """A new document with `new_lines` (no endings; each gets `eol`) before line `at_line`.

        Only the blocks near the splice are scanned again; the rest is reused, moved down.
        """
        lines = spliced_lines(self, at_line, new_lines)
        k = len(lines) - len(self.lines)
        if k == 0 and lines == self.lines:
            return ListDocument(
                self.bom, lines, self._data, eol=self.eol, found=self._scan(), legacy=self._legacy
            )
        with bulk():
            found = self._rescan(lines, at_line, k)
            spliced = self._spliced_bytes(at_line, lines[at_line : at_line + k])
            data = spliced[0] if spliced is not None else None
            # The new lines were written in this list's encoding: it stays the list's.
            doc = ListDocument(
                self.bom, lines, data, eol=self.eol, found=found, legacy=self._legacy
            )
        if spliced is not None:
            _data, doc._anchor, doc._ascii = spliced
        return doc

    def _spliced_bytes(
        self, at_line: int, added: list[str]
    ) -> tuple[bytes, tuple[int, int], bool] | None:
        """The new document's bytes, when they are this one's with `added` put in whole.

        On a big list this beats joining and encoding every line again (milliseconds per
        insertion). Only a plain splice qualifies: inserting after a last line that had no
        newline changes that line too, and then render() encodes the lines as usual. Returns the
        bytes, the new document's anchor (the line after the new ones, where the next clip into
        this section looks) and whether the bytes are all ASCII.
        """
        data = self._data
        lines = self.lines
        if data is None or (at_line == len(lines) and lines and not lines[-1].endswith("\n")):
            return None
        offset = self._byte_offset(at_line)
        inserted = encode("".join(added))
        view = memoryview(data)
        return (
            b"".join((view[:offset], inserted, view[offset:])),
            (at_line + len(added), offset + len(inserted)),
            bool(self._ascii and inserted.isascii()),
        )

    def _byte_offset(self, line: int) -> int:
        """Where line index `line` starts in the bytes, counted from the nearest known line."""
        data = self._data
        assert data is not None
        if self._ascii is None:
            self._ascii = data.isascii()
        known = [(0, len(self.bom)), (len(self.lines), len(data))]
        if self._anchor is not None:
            known.append(self._anchor)
        near, offset = min(known, key=lambda pair: abs(pair[0] - line))
        between = self.lines[min(near, line) : max(near, line)]
        # ASCII: one byte per character, so the lengths add up without encoding anything.
        size = sum(map(len, between)) if self._ascii else len(encode("".join(between)))
        return offset + size if near <= line else offset - size

    def front_matter_open_at(self, at_line: int) -> bool:
        """Whether lines put in before `at_line` could make or change front matter (`---`)."""
        if not self.lines or self.lines[0].rstrip() != "---":
            return False
        closed = self.blocks and self.blocks[0].kind == "front_matter"
        return not closed or self.blocks[0].end > at_line

    def _scan(self) -> Scan:
        """This document's scan results."""
        return Scan(self._heads, self._raw, self.blocks, self._starts, len(self.lines))

    def _rescan(self, lines: list[str], at_line: int, k: int) -> Scan:
        """Scan results for `lines` (self.lines with k lines in at `at_line`), scanning little.

        The scan restarts two blocks above the splice (the block above may have looked one line
        ahead, e.g. for a table's delimiter row) and stops where it meets a block the old scan
        also started, moved down by k. Front matter looks far ahead: while the splice could
        still change it, the scan restarts at 0.
        """
        starts = self._starts
        p = starts.bisect_left(at_line)
        restart = starts[p - 2] if p >= 2 else 0
        if self.front_matter_open_at(at_line):
            restart = 0
        found = scan(lines, restart, Resume(starts, k, at_line + k))
        done = found.stop >= len(lines)
        old_stop = found.stop - k

        # Entries and block starts (one per block: tens of thousands) move down chunk by chunk;
        # headings and other blocks are few, so plain lists do.
        raw, n_raw = self._raw, len(self._raw)
        entries = raw.splice(
            raw.bisect_left(restart), n_raw if done else raw.bisect_left(old_stop), found.entries, k
        )
        block_starts = starts.splice(
            starts.bisect_left(restart),
            len(starts) if done else starts.bisect_left(old_stop),
            found.starts,
            k,
        )

        def cut(old: list, key: itemgetter) -> tuple[list, list]:
            """The old items above the re-scanned stretch, and those below it (not moved yet)."""
            head = old[: bisect.bisect_left(old, restart, key=key)]
            tail = [] if done else old[bisect.bisect_left(old, old_stop, key=key) :]
            return head, tail

        head, tail = cut(self._heads, _third)
        heads = head + found.headings
        heads += [(lv, t, line + k, end + k, sx) for lv, t, line, end, sx in tail]
        head, tail = cut(self.blocks, _first)
        blocks = head + found.blocks + [Block(s + k, e + k, kind) for s, e, kind in tail]
        return Scan(heads, entries, blocks, block_starts, len(lines))


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
    new_lines = [encode_like(text, doc.legacy_encoding) for text in new_lines]
    added = [text + eol for text in new_lines]
    lines = doc.lines.copy()  # then one memmove: slicing would touch every line's refcount twice
    lines[at_line:at_line] = added
    if at_line == n and n and not doc.lines[-1].endswith("\n"):
        # The file had no final newline: end the old last line and keep the new last one bare
        # (an empty new last line is then no line at all: the file just ends after the eol).
        lines[n - 1] = doc.lines[-1] + eol
        lines[-1] = new_lines[-1]
        if not lines[-1]:
            lines.pop()
    return lines


def parse_list(data: bytes) -> ListDocument:
    """Parse any bytes as a markdown list; never raises, and render() gives back `data`."""
    bom, rest = split_bom(data)
    with bulk():
        text = decode(rest)
        return ListDocument(bom, split_lines(text), data, eol=_eol_of(text))


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
