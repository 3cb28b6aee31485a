"""Which entries of a re-read list are unchanged, so the index re-keys only the others (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .listmodel import ListDocument


@dataclass(frozen=True)
class Reuse:
    """How the entries of `new` relate to those of `old`.

    Entries of `old` starting on a line in `head` are unchanged in place; those in `tail` are
    unchanged and moved by `delta` lines; every other entry of `old` is gone or changed, and
    `changed` are the indexes (into `new.entry_tuples()`) of the entries of `new` to read again.
    """

    head: frozenset[int]
    tail: frozenset[int]
    delta: int
    changed: tuple[int, ...]


def plan_reuse(old: ListDocument, new: ListDocument) -> Reuse | None:
    """What of `old`'s entries `new` keeps, or None when the sections may differ (re-key all).

    An entry is kept when all its lines lie in the lines both documents share at the start
    (or at the end) and the scanner saw the same entry there (same extent, kind and marker).
    With the same headings in the same order, such an entry also stays in the same section.
    """
    if old.bom != new.bom or _outline(old) != _outline(new):
        return None
    a, b = old.lines, new.lines
    shared = min(len(a), len(b))
    p = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), shared)
    ends = enumerate(zip(reversed(a), reversed(b), strict=False))
    s = next((i for i, (x, y) in ends if i >= shared - p or x != y), shared - p)
    delta = len(b) - len(a)
    tail_new = len(b) - s
    before = set(old.entry_tuples())
    head: set[int] = set()
    tail: set[int] = set()
    changed: list[int] = []
    for i, entry in enumerate(new.entry_tuples()):
        start, end = entry[0], entry[1]
        if end <= p and entry in before:
            head.add(start)
        elif start >= tail_new and (start - delta, end - delta, *entry[2:]) in before:
            tail.add(start - delta)
        else:
            changed.append(i)
    return Reuse(frozenset(head), frozenset(tail), delta, tuple(changed))


def _outline(doc: ListDocument) -> list[tuple[int, str, bool]]:
    return [(h.level, h.title, h.setext) for h in doc.headings]
