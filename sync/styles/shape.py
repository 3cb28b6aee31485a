"""An entry's shape: its text cut into pieces (a field with its own brackets and labels) and the
separators between them, so entries can be compared and a new one written like them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .detect import Found, Slot
from .inline import spans

#: The Paper field each slot shows; a piece is written only when the paper has all its fields.
BASE = {
    "title": "title",
    "url": "url",
    "alink": "arxiv",
    "id": "arxiv",
    "date": "date",
    "venue": "venue",
    "authors": "authors",
    "code": "code",
    "code_owner": "repo",
    "code_repo": "repo",
    "link_label": "link",
    "link_url": "link",
    "tags": "tags",
    "number": "number",
}
#: Slots whose written form is part of a piece's identity (two arXiv links differ by their form).
_KEYED_FMT = ("alink", "id")
_OPEN = {"[": "]", "(": ")"}


@dataclass(frozen=True)
class Ref:
    """A slot inside a piece: the field it shows and, for arXiv links and ids, their form."""

    name: str
    fmt: Any = None


@dataclass(frozen=True)
class Piece:
    """A run of text that shows fields, with the list's own brackets and labels around them."""

    parts: tuple  # str literals and Refs, in order
    fields: frozenset[str]

    @property
    def key(self) -> tuple:
        """What makes two pieces the same piece: their literals, slots and the fields they need."""
        return (self.parts, self.fields)


@dataclass(frozen=True)
class Zone:
    """A run of pieces: the whole entry, or one table cell."""

    lead: str  # literal text before the first piece
    pieces: tuple[Piece, ...]
    seps: tuple[str, ...]  # between consecutive pieces
    trail: str  # literal text after the last piece

    width: int = 0  # the zone's length as written (a table cell, padding included)

    @property
    def fields(self) -> frozenset[str]:
        """Every field the zone shows."""
        out: frozenset[str] = frozenset()
        for p in self.pieces:
            out |= p.fields
        return out


@dataclass(frozen=True)
class Shape:
    """An entry cut into zones: the marker or row pipes, the zones and what is between them."""

    container: str  # item | row | paragraph
    head: str  # the item marker with its indent and space (`- `, `1. `), or a row's first pipe
    zones: tuple[Zone, ...]
    joints: tuple[str, ...]  # between zones (a row's `|`)
    tail: str  # after the last zone (a row's last pipe)
    values: tuple[tuple[str, str, Any], ...]  # every slot's (name, written value, fmt)
    family: str = "link item"
    title_wrap: tuple | None = None  # (column the title starts at, title as written, text after)
    head_eol: str | None = None  # the spaces ending the line where the title ends, if more follow
    header: tuple[str, ...] = ()  # a table row's header cells
    note_inside: bool | None = None  # where its note sits: among its lines, or after them

    @property
    def fields(self) -> frozenset[str]:
        """Every field the entry shows."""
        out: frozenset[str] = frozenset()
        for z in self.zones:
            out |= z.fields
        return out


def shape_of(found: Found) -> Shape:
    """The shape of an entry from what the reader found in it."""
    text = found.text
    end = _body_end(text, found)
    values = tuple((s.name, text[s.start : s.end], s.fmt) for s in found.slots)
    extra: dict[str, Any] = {  # the fields both kinds of shape share
        "family": f"{found.title_form} {found.container}",
        "title_wrap": _title_wrap(found),
        "head_eol": _head_eol(found, end),
        "header": found.header,
        "note_inside": _note_inside(found),
    }
    if found.container == "row" and found.cells:
        zones = []
        joints = []
        cells = found.cells
        for k, (a, b) in enumerate(cells):
            zones.append(_zone(text, a, b, found.slots))
            if k + 1 < len(cells):
                joints.append(text[b : cells[k + 1][0]])
        return Shape(
            "row",
            text[: cells[0][0]],
            tuple(zones),
            tuple(joints),
            text[cells[-1][1] :],
            values,
            **extra,
        )
    start = found.prefix_end
    head = text[:start]
    number = found.first("number")
    if number is not None:
        head = text[: number.start] + "{number}" + text[number.end : start]
    zone = _zone(
        text, start, end, [s for s in found.slots if s.name != "number"], _note_spans(found)
    )
    return Shape(found.container, head, (zone,), (), text[end:], values, **extra)


def _head_eol(found: Found, end: int) -> str | None:
    """The spaces at the end of the line where the title ends, when the entry goes on after it."""
    title = found.first("title")
    if title is None:
        return None
    newline = found.text.find("\n", title.end, end)
    if newline < 0:
        return None
    line = found.text[:newline]
    return line[len(line.rstrip(" \t")) :]


def _title_wrap(found: Found) -> tuple | None:
    """Where the title starts on its line, the title as written and the text glued after it."""
    title = found.first("title")
    if title is None:
        return None
    text = found.text
    line_start = text.rfind("\n", 0, title.start) + 1
    after = _GLUED_RE.match(text, title.end)
    return (
        title.start - line_start,
        text[title.start : title.end],
        after.group(0) if after else "",
    )


#: The text glued to a title's last word (`**,` or `](url),`): it wraps with that word.
_GLUED_RE = re.compile(r"\S*")


def _body_end(text: str, found: Found) -> int:
    """Where the entry's own text ends: before the note lines that close it."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    notes = set(found.note_lines)
    k = len(starts)
    while k - 1 in notes:
        k -= 1
    return len(text) if k == len(starts) else max(0, starts[k] - 1)


def _note_inside(found: Found) -> bool | None:
    """Whether the entry's note sits among its lines (a paragraph's note before its link line)."""
    if not found.note_lines:
        return None
    last = found.text.count("\n")
    return any(k < last for k in found.note_lines) and last not in found.note_lines


def _ref(slot: Slot) -> Ref:
    return Ref(slot.name, slot.fmt if slot.name in _KEYED_FMT else None)


def _note_spans(found: Found) -> tuple[tuple[int, int], ...]:
    """Where the entry's note lines are in its text, each with its line break."""
    if not found.note_lines:
        return ()
    starts = [0] + [i + 1 for i, ch in enumerate(found.text) if ch == "\n"]
    ends = starts[1:] + [len(found.text)]
    return tuple((starts[k], ends[k]) for k in sorted(found.note_lines) if k < len(starts))


def _cut(text: str, a: int, b: int, spans: tuple[tuple[int, int], ...]) -> str:
    """text[a:b] without the spans that lie inside it."""
    out, pos = [], a
    for x, y in spans:
        if a <= x and y <= b:
            out.append(text[pos:x])
            pos = y
    return "".join(out) + text[pos:b]


def _zone(
    text: str, a: int, b: int, slots: list[Slot], notes: tuple[tuple[int, int], ...] = ()
) -> Zone:
    inside = sorted((s for s in slots if a <= s.start and s.end <= b), key=lambda s: s.start)
    if not inside:
        return Zone(text[a:b], (), (), "", b - a)
    units = _units(text, a, b)
    groups: list[tuple[int, int, list[Slot]]] = []
    for slot in inside:
        unit = next(((x, y) for x, y in units if x <= slot.start and slot.end <= y), None)
        span = unit if unit is not None else (slot.start, slot.end)
        if groups and span[0] < groups[-1][1]:
            last = groups[-1]
            groups[-1] = (last[0], max(last[1], span[1]), last[2] + [slot])
        else:
            groups.append((span[0], span[1], [slot]))
    pieces = []
    # An entry that writes its arXiv id in several forms (`arXiv, id`, an abs and a pdf link)
    # builds each from the id; one that links the paper once keeps that link as given.
    by_id = any(s.name in ("alink", "id") for s in inside)
    for x, y, members in groups:
        parts: list[Any] = []
        pos = x
        titled = any(s.name == "title" for s in members)
        for slot in members:
            if slot.start > pos:
                parts.append(text[pos : slot.start])
            # `[arxiv](http://arxiv.org/abs/…v1)` beside a title is built from the id in its
            # own shape; the title's own link is the paper's URL, kept as given.
            labelled = text[max(x, slot.start - 2) : slot.start] == "]("
            derived = slot.name == "url" and slot.fmt and labelled and not titled and by_id
            parts.append(Ref("url", slot.fmt) if derived else _ref(slot))
            pos = slot.end
        if y > pos:
            parts.append(text[pos:y])
        fields = frozenset(BASE[s.name] for s in members)
        if any(isinstance(p, Ref) and p.name == "url" and p.fmt for p in parts):
            # `[arxiv](http://arxiv.org/abs/...)` beside a title: an arXiv link, not any link.
            fields |= {"arxiv"}
        pieces.append(Piece(tuple(parts), fields))
    # A note among the entry's lines is its own words, not the text between two of its pieces.
    seps = tuple(_cut(text, groups[k][1], groups[k + 1][0], notes) for k in range(len(groups) - 1))
    return Zone(text[a : groups[0][0]], tuple(pieces), seps, text[groups[-1][1] : b], b - a)


def _units(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """Top-level spans and bracket or quote groups of text[a:b]: each is cut or kept whole."""
    atoms = spans(text, a, b)
    out: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    quote_at = -1
    i = a
    k = 0
    while i < b:
        if k < len(atoms) and atoms[k].start == i:
            if not stack and quote_at < 0:
                out.append((atoms[k].start, atoms[k].end))
            i = atoms[k].end
            k += 1
            continue
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "\n":
            stack.clear()
            quote_at = -1
        elif c in _OPEN:
            stack.append((c, i))
        elif stack and c == _OPEN[stack[-1][0]]:
            _, at = stack.pop()
            if not stack and quote_at < 0:
                out = [u for u in out if not at <= u[0] < i] + [(at, i + 1)]
        elif c in '"“”' and not stack:
            if quote_at < 0 and c != "”":
                quote_at = i
            elif quote_at >= 0 and c != "“" and _closes_quote(text, i, b):
                out = [u for u in out if not quote_at <= u[0] < i] + [(quote_at, i + 1)]
                quote_at = -1
        i += 1
    return sorted(out)


def _closes_quote(text: str, i: int, b: int) -> bool:
    nxt = text[i + 1 : i + 2]
    return i + 1 >= b or nxt in (" ", "\t", ",", ".", ";", ":", "[", "\n")
