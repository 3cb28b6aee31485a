"""Long titles wrapped onto continuation lines, at the width a list's own entries show.

Each example title says which widths would have wrapped it exactly as written: a title on one
line fits, a wrapped one breaks where the next word no longer fits. The width most examples
agree on (by weight) is the list's, if it lays out most of them as written; a list with no
wrapped title does not wrap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .formats import weighted_majority

#: Share of the examples (by weight) the learned width must lay out exactly as written.
MIN_AGREEMENT = 0.7
_BREAK_RE = re.compile(r"([ \t]*)\n([ \t]*)")

#: (width, continuation indent, whether the space before a break stays at the line's end)
Wrap = tuple[int, str, bool]


def _interval(col: int, raw: str, after: str) -> tuple[int, float] | None:
    """The widths [low, high) at which greedy wrapping lays the title out exactly as written."""
    lines = _BREAK_RE.split(raw)
    # lines: text, trailing ws, indent, text, trailing ws, indent, text...
    texts = lines[0::3]
    indents = [""] + lines[2::3]
    low = 0
    high = float("inf")
    for k, body in enumerate(texts):
        words = body.split()
        if not words:
            return None
        start = col if k == 0 else len(indents[k])
        width = start + len(" ".join(words)) + (len(after) if k == len(texts) - 1 else 0)
        low = max(low, width)
        if k + 1 < len(texts):
            nxt = texts[k + 1].split()
            if not nxt:
                return None
            extra = len(after) if k + 1 == len(texts) - 1 and len(nxt) == 1 else 0
            high = min(high, width + 1 + len(nxt[0]) + extra)
    return (low, high) if low < high else None


def learn_wrap(examples: Iterable[tuple[tuple[int, str, str], float]]) -> Wrap | None:
    """The width, continuation indent and break spacing of a list's wrapped titles, or None."""
    intervals: list[tuple[int, float, float]] = []
    indents: list[tuple[str, float]] = []
    spaces: list[tuple[bool, float]] = []
    wrapped = 0
    total = 0.0
    for (col, raw, after), weight in examples:
        total += weight
        if "\n" in raw:
            wrapped += 1
            m = _BREAK_RE.search(raw)
            if m:
                indents.append((m.group(2), weight))
                spaces.append((bool(m.group(1)), weight))
        found = _interval(col, raw, after)
        if found is not None:
            intervals.append((found[0], found[1], weight))
    if not wrapped or not intervals:
        return None
    # The width covered by the most weight: a sweep over the intervals' ends.
    events = sorted({lo for lo, _, _ in intervals})
    best, best_weight = None, 0.0
    for w in events:
        covered = sum(wt for lo, hi, wt in intervals if lo <= w < hi)
        if covered > best_weight:
            best, best_weight = w, covered
    if best is None or best_weight < MIN_AGREEMENT * total:
        return None
    # The narrowest width that agrees best: a generator fills its lines up to its width, so
    # the longest line seen is the nearest witness of it.
    width = int(best)
    return (width, weighted_majority(indents, "  "), bool(weighted_majority(spaces, False)))


def wrap_title(title: str, col: int, after: str, wrap: Wrap | None) -> str:
    """`title` (one line) broken at the list's width, continuation lines indented its way."""
    if wrap is None:
        return title
    width, indent, keep_space = wrap
    words = title.split(" ")
    lines: list[list[str]] = [[]]
    used = col
    for k, word in enumerate(words):
        size = len(word) + (len(after) if k == len(words) - 1 else 0)
        if lines[-1] and used + 1 + size > width:
            lines.append([])
            used = len(indent)
        if lines[-1]:
            used += 1
        lines[-1].append(word)
        used += len(word)
    joiner = (" " if keep_space else "") + "\n" + indent
    return joiner.join(" ".join(line) for line in lines)
