"""A table row for a paper: each column's cell written like the column's own cells."""

from __future__ import annotations

from collections import Counter
from typing import Any

from .formats import weighted_majority
from .shape import Zone


def render_row(paper: Any, template: Any, examples: list, have: frozenset[str]) -> tuple[str, frozenset[str]]:
    """The row's text and the fields it shows."""
    from .render import compose, join_pieces, link_joiner

    counts = Counter(len(e.shape.zones) for e in examples)
    width = max(counts, key=lambda n: (sum(e.weight for e in examples if len(e.shape.zones) == n), n))
    rows = [e for e in examples if len(e.shape.zones) == width]
    head = weighted_majority((e.shape.head, e.weight) for e in rows)
    tail = weighted_majority((e.shape.tail, e.weight) for e in rows)
    cells = []
    used: frozenset[str] = frozenset()
    for c in range(width):
        options = [(e.shape.zones[c], e.weight) for e in rows]
        filled = [(z, w) for z, w in options if z.pieces]
        shown = frozenset(f for z, _ in filled for f in z.fields)
        text = None
        if filled and have & shown:
            from .template import choose

            zone = choose(filled, have, shown)
            if zone is not None:
                pieces, seps = compose(zone, filled, have, shown)
                if pieces:
                    text = join_pieces(
                        paper, template, pieces, seps, zone.lead, zone.trail, "", "row",
                        link_joiner(filled),
                    )
                    used |= frozenset(f for p in pieces for f in p.fields)
        if text is None:
            text = _placeholder(options)
        cells.append(_pad(text, options))
    joints = [
        weighted_majority((e.shape.joints[k], e.weight) for e in rows) for k in range(width - 1)
    ]
    out = head
    for k, cell in enumerate(cells):
        out += cell + (joints[k] if k < len(joints) else "")
    return out + tail, used


def _placeholder(options: list[tuple[Zone, float]]) -> str:
    """How the column says "nothing": its empty cells' text (`-`, blank) by weight."""
    empty = [(z.lead + z.trail, w) for z, w in options if not z.pieces]
    return weighted_majority(empty, "  ")


def _pad(text: str, options: list[tuple[Zone, float]]) -> str:
    """A cell padded to its column's width when the table is aligned."""
    sizes = Counter()
    padded = False
    total = 0.0
    for zone, weight in options:
        cell = zone.lead + "".join(_raw(p) for p in zone.pieces) + zone.trail
        total += weight
        if zone.pieces and len(zone.trail) - len(zone.trail.rstrip(" ")) > 1:
            padded = True
        del cell
    for zone, weight in options:
        sizes[_width(zone)] += weight
    if not padded or not sizes:
        return text
    size, weight = sizes.most_common(1)[0]
    if weight < 0.6 * total or len(text) >= size:
        return text
    return text.rstrip(" ") + " " * (size - len(text.rstrip(" ")))


def _raw(piece: Any) -> str:
    return "".join(p if isinstance(p, str) else "x" for p in piece.parts)


def _width(zone: Zone) -> int:
    return zone.width
