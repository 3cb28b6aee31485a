"""A table row for a paper: each column's cell written like the column's own cells."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from .compose import compose, join_pieces, link_joiner
from .formats import weighted_majority
from .shape import Zone
from .template import choose, literals


@dataclass(frozen=True)
class _Column:
    """How one column's cell is written for a paper with given fields: its pieces and literals,
    or the column's placeholder; and the width it is padded to (None: as written)."""

    pieces: tuple = ()
    literals: tuple = ("", [], "")
    joiner: str = " "
    placeholder: str = ""
    pad_to: int | None = None
    spaced: bool = False  # the column's cells end with a space before the next pipe


@dataclass(frozen=True)
class _RowPlan:
    head: str
    tail: str
    columns: list[_Column]
    joints: list[str]
    used: frozenset[str]


def render_row(
    paper: Any, template: Any, examples: list, have: frozenset[str]
) -> tuple[str, frozenset[str]]:
    """The row's text and the fields it shows."""
    key = ("row", have)
    plan = template.plans.get(key)
    if plan is None:
        plan = template.plans[key] = _plan_row(examples, have)
    out = plan.head
    for k, column in enumerate(plan.columns):
        if column.pieces:
            lead, seps, trail = column.literals
            text = join_pieces(
                paper, template, list(column.pieces), seps, lead, trail, "", "row", column.joiner
            )
        else:
            text = column.placeholder
        if column.spaced and not text.endswith((" ", "\t")):
            text += " "  # the cell's own words were left out, not the space before the pipe
        out += _pad(text, column.pad_to) + (plan.joints[k] if k < len(plan.joints) else "")
    return out + plan.tail, plan.used


def _plan_row(examples: list, have: frozenset[str]) -> _RowPlan:
    """What a row for a paper with fields `have` is made of, decided once per template."""
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
    columns = []
    used: frozenset[str] = frozenset()
    owner = _owners(rows, width)
    row_fields = have & frozenset(owner)
    for c in range(width):
        options = [(e.shape.zones[c], e.weight) for e in rows]
        filled = [(z, w) for z, w in options if z.pieces]
        # A field goes in the column that holds it most often (a demo link in Demo, not Code).
        mine = frozenset(f for f, col in owner.items() if col == c) | {"title", "url"}
        shown = frozenset(f for z, _ in filled for f in z.fields) & mine
        column = None
        if filled and have & shown:
            zone = choose(filled, have, shown)
            if zone is not None:
                pieces = compose(zone, filled, have, shown)
                if pieces:
                    column = _Column(tuple(pieces), literals(filled, pieces), link_joiner(filled))
                    used |= frozenset(f for p in pieces for f in p.fields)
        if column is None:
            column = _Column(
                placeholder=_placeholder(
                    [(e.shape.zones[c], e.weight, e.shape.fields) for e in rows], row_fields
                )
            )
        spaced = sum(1 for z, _ in options if _cell_end(z)[-1:] in (" ", "\t"))
        columns.append(
            replace(column, pad_to=_column_width(options), spaced=spaced * 2 > len(options))
        )
    joints = [
        weighted_majority((e.shape.joints[k], e.weight) for e in rows) for k in range(width - 1)
    ]
    head = weighted_majority((e.shape.head, e.weight) for e in rows)
    tail = weighted_majority((e.shape.tail, e.weight) for e in rows)
    return _RowPlan(head, tail, columns, joints, used)


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
    seen = Counter(text.strip() for text, _ in empty if text.strip())
    if _is_data(seen):
        # The rows write their own text here (their paper's figure, language, benchmark name):
        # the row's data, which no new row may copy, not the column's way of saying "nothing".
        # The cell is left blank.
        return " "
    return weighted_majority(empty, "  ")


def _is_data(seen: Counter) -> bool:
    """Whether a column's texts (with their counts) are each row's own data, not a placeholder.

    A placeholder is one text most rows without the field share (`-`, `N/A`, `Coming soon`);
    data is all different (`357`, `185/998`), or many values none of which most rows have
    (`Java`, `C, C++`, `Python`).
    """
    if len(seen) < 2:
        return False
    if all(text.isdigit() for text in seen):
        return True  # a `#` column: each row's own number
    top = max(seen.values())
    return top == 1 or (len(seen) >= 3 and top < 0.5 * sum(seen.values()))


def _column_width(options: list[tuple[Zone, float]]) -> int | None:
    """The width a column's cells are padded to when the table is aligned (most of the column's
    cells have one width and some are padded past their text); None when written as is."""
    # Counted, not weighed: a table's alignment is the whole table's, its newest rows' too.
    sizes: Counter = Counter()
    padded = False
    total = 0
    for zone, _weight in options:
        total += 1
        sizes[zone.width] += 1
        # Extra spaces after a value, or after a cell's own text: proof the column is padded.
        after = _cell_end(zone)
        if (zone.pieces or after.strip()) and len(after) - len(after.rstrip(" ")) > 1:
            padded = True
    if not padded or not sizes:
        return None
    size, weight = sizes.most_common(1)[0]
    return size if weight >= 0.6 * total else None


def _cell_end(zone: Zone) -> str:
    """The literal text a cell ends with: after its last value, or all of it when it has none."""
    return zone.trail if zone.pieces else zone.lead + zone.trail


def _pad(text: str, size: int | None) -> str:
    """A cell padded to its column's width (None: as written)."""
    if size is None:
        return text
    body = text.rstrip(" ")
    # A value longer than the column keeps one space before the next pipe, as such rows do.
    return body + " " * max(size - len(body), 1)
