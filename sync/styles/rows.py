"""Table rows: each cell read by its column's header (Title, Date, Venue, Code...) and its content."""

from __future__ import annotations

from .credits import find_authors, find_venue
from .detect import Found, Slot, find_dates, find_derived, find_links, find_title
from .inline import spans
from .table import role_of

#: Cell text that stands for "nothing": empty, `-`, `—`, `N/A`...
_PLACEHOLDERS = ("n/a", "na", "none", "tbd", "-", "—", "–", "")


def cell_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each cell of a row, padding included, pipes excluded."""
    stripped_start = len(text) - len(text.lstrip(" \t"))
    out = []
    pos = stripped_start + 1 if text[stripped_start : stripped_start + 1] == "|" else stripped_start
    i = pos
    end = len(text.rstrip(" \t"))
    while i < end:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            close = text.find("`", i + 1)
            if close > 0:
                i = close + 1
                continue
        if c == "|":
            out.append((pos, i))
            pos = i + 1
        i += 1
    if pos < end or (pos == end and text[end - 1 : end] != "|"):
        out.append((pos, end))
    return out


def placeholder(cell: str) -> bool:
    """A cell that stands for "nothing" (`-`, `N/A`, empty)."""
    body = cell.strip()
    return body.lower() in _PLACEHOLDERS or not any(ch.isalnum() for ch in body)


def find_row_slots(text: str, header: list[str]) -> Found:
    """The fields of a table row: the Title column's title and link, then every other column."""
    cells = cell_spans(text)
    found = Found(text, "row", cells[0][0] if cells else 0, [], cells=cells, header=tuple(header))
    roles = [role_of(header[i]) if i < len(header) else None for i in range(len(cells))]
    order = sorted(range(len(cells)), key=lambda i: roles[i] != "title")
    for i in order:
        a, b = cells[i]
        role = roles[i]
        body = spans(text, a, b)
        if role == "title" or (role is None and not found.has("title") and _titled(text, body)):
            find_title(text, found, body, a, b)
    if not found.has("title"):
        return found
    for i, (a, b) in enumerate(cells):
        role = roles[i]
        inner_a = a + len(text[a:b]) - len(text[a:b].lstrip(" \t"))
        inner_b = b - (len(text[a:b]) - len(text[a:b].rstrip(" \t")))
        if inner_b <= inner_a or placeholder(text[a:b]):
            continue
        body = spans(text, a, b)
        if role == "date":
            find_dates(text, found, a, b, bare_year=True)
        elif role == "venue" and not found.taken(inner_a, inner_b) and not body:
            found.slots.append(Slot("venue", inner_a, inner_b))
        elif role == "authors" and not found.taken(inner_a, inner_b):
            found.slots.append(Slot("authors", inner_a, inner_b))
        elif role == "tags" and not found.taken(inner_a, inner_b):
            found.slots.append(Slot("tags", inner_a, inner_b, ("joined", ", ")))
        find_links(text, found, body)
    find_derived(text, found)
    title = found.first("title")
    cell = next(((a, b) for a, b in cells if title is not None and a <= title.start < b), None)
    if cell is not None and title is not None:
        # A title cell may hold more (`<br>` then the authors, a venue badge): read what follows.
        find_venue(text, found, spans(text, cell[0], cell[1]), title.end, cell[1])
    if not found.has("authors"):
        find_authors(text, found, [], [0])
    found.slots.sort(key=lambda s: s.start)
    return found


def _titled(text: str, body: list) -> bool:
    return any(s.kind == "link" for s in body)
