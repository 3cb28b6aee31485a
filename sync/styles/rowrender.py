"""A table row for a paper: each column's cell written like the column's own cells."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .formats import weighted_majority
from .shape import Zone


def render_row(
    paper: Any, template: Any, examples: list, have: frozenset[str]
) -> tuple[str, frozenset[str]]:
    """The row's text and the fields it shows."""
    from .render import compose, join_pieces, link_joiner
    from .template import literals

    # The rows of the table being written to: its header decides, else the number of columns.
    own = [e for e in examples if e.own] or examples
    header = weighted_majority((e.shape.header, e.weight) for e in own)
    same = [e for e in examples if e.shape.header == header]
    examples = same or examples
    counts = Counter(len(e.shape.zones) for e in examples)
    width = max(
        counts, key=lambda n: (sum(e.weight for e in examples if len(e.shape.zones) == n), n)
    )
    rows = [e for e in examples if len(e.shape.zones) == width]
    head = weighted_majority((e.shape.head, e.weight) for e in rows)
    tail = weighted_majority((e.shape.tail, e.weight) for e in rows)
    cells = []
    used: frozenset[str] = frozenset()
    owner = _owners(rows, width)
    row_fields = have & frozenset(owner)
    for c in range(width):
        options = [(e.shape.zones[c], e.weight) for e in rows]
        filled = [(z, w) for z, w in options if z.pieces]
        # A field goes in the column that holds it most often (a demo link in Demo, not Code).
        mine = frozenset(f for f, col in owner.items() if col == c) | {"title", "url"}
        shown = frozenset(f for z, _ in filled for f in z.fields) & mine
        text = None
        if filled and have & shown:
            from .template import choose

            zone = choose(filled, have, shown)
            if zone is not None:
                pieces = compose(zone, filled, have, shown)
                if pieces:
                    lead, seps, trail = literals(filled, pieces)
                    text = join_pieces(
                        paper, template, pieces, seps, lead, trail, "", "row", link_joiner(filled)
                    )
                    used |= frozenset(f for p in pieces for f in p.fields)
        if text is None:
            text = _placeholder(
                [(e.shape.zones[c], e.weight, e.shape.fields) for e in rows], row_fields
            )
        cells.append(_pad(text, options))
    joints = [
        weighted_majority((e.shape.joints[k], e.weight) for e in rows) for k in range(width - 1)
    ]
    out = head
    for k, cell in enumerate(cells):
        out += cell + (joints[k] if k < len(joints) else "")
    return out + tail, used


def _owners(rows: list, width: int) -> dict[str, int]:
    """For each field the table shows, the column that holds it in the most weight of rows."""
    weight: dict[tuple[str, int], float] = {}
    for e in rows:
        for c, zone in enumerate(e.shape.zones[:width]):
            for f in zone.fields:
                weight[(f, c)] = weight.get((f, c), 0.0) + e.weight
    owner: dict[str, int] = {}
    for (f, c), _w in sorted(weight.items(), key=lambda x: -x[1]):
        owner.setdefault(f, c)
    return owner


def _placeholder(options: list[tuple[Zone, float, frozenset[str]]], fields: frozenset[str]) -> str:
    """How the column says "nothing": its empty cells' text (`-`, blank, `Local Demo`) by weight,
    the rows that show the same fields as the new one counting most (a list may write one
    placeholder when a paper has code and another when it has none)."""
    empty = [
        (z.lead + z.trail, w * (4.0 if shown == fields else 1.0))
        for z, w, shown in options
        if not z.pieces
    ]
    return weighted_majority(empty, "  ")


def _pad(text: str, options: list[tuple[Zone, float]]) -> str:
    """A cell padded to its column's width when the table is aligned (most of the column's
    cells have one width and some are padded past their text); else as written."""
    sizes: Counter = Counter()
    padded = False
    total = 0.0
    for zone, weight in options:
        total += weight
        sizes[zone.width] += weight
        if zone.pieces and len(zone.trail) - len(zone.trail.rstrip(" ")) > 1:
            padded = True  # extra spaces after a value: proof the column is padded
    if not padded or not sizes:
        return text
    size, weight = sizes.most_common(1)[0]
    if weight < 0.6 * total:
        return text
    body = text.rstrip(" ")
    # A value longer than the column keeps one space before the next pipe, as such rows do.
    return body + " " * max(size - len(body), 1)
