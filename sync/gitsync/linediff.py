"""Line diffs and three-way chunking over sequences of line keys (pure, fast on big lists).

Lists are mostly unique lines (one entry per line or a few), so a patience diff (anchor on
lines unique on both sides, recurse between anchors) is both fast and readable; small gaps
with no unique line fall back to difflib.
"""

from __future__ import annotations

import bisect
import difflib
import operator
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

#: Gaps up to this many key pairs (len(a) * len(b)) are matched with difflib; larger ones not.
SMALL_GAP_PAIRS = 250_000


def _lis_pairs(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs increasing in both parts (pairs come sorted by the first)."""
    js = [j for _i, j in pairs]
    if all(map(operator.lt, js, js[1:])):
        return pairs  # the usual case: nothing moved
    tails: list[int] = []  # tails[k]: smallest second value ending an increasing run of k+1
    tail_at: list[int] = []  # index into pairs of that tail
    back: list[int] = [-1] * len(pairs)
    for n, (_i, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[k] = j
            tail_at[k] = n
        back[n] = tail_at[k - 1] if k else -1
    out: list[tuple[int, int]] = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        out.append(pairs[n])
        n = back[n]
    out.reverse()
    return out


def _anchors(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int):
    """Pairs (i, j) of keys unique in both a[alo:ahi] and b[blo:bhi], as a longest increasing run."""
    part_a, part_b = a[alo:ahi], b[blo:bhi]
    count_a = Counter(part_a)
    count_b = Counter(part_b)
    # Built at C speed (the last index of each key); keys seen more than once are dropped below.
    where_b = dict(zip(part_b, range(blo, bhi), strict=True))
    if len(count_b) != len(part_b):
        for key, n in count_b.items():
            if n > 1:
                del where_b[key]
    if len(count_a) == len(part_a):  # every key of a is unique (the usual list)
        pairs = [(i, where_b[key]) for i, key in enumerate(part_a, alo) if key in where_b]
    else:
        pairs = [
            (i, where_b[key])
            for i, key in enumerate(part_a, alo)
            if key in where_b and count_a[key] == 1
        ]
    return _lis_pairs(pairs)


def _prefix(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int) -> int:
    """Length of the common prefix of a[alo:ahi] and b[blo:bhi] (galloping slice compares)."""
    limit = min(ahi - alo, bhi - blo)
    n, step = 0, 16
    while n < limit:
        k = min(step, limit - n)
        if a[alo + n : alo + n + k] == b[blo + n : blo + n + k]:
            n += k
            step *= 2
        elif k == 1:
            break
        else:
            step = max(1, k // 2)
    return n


def _suffix(a: Sequence[str], b: Sequence[str], alo: int, ahi: int, blo: int, bhi: int) -> int:
    """Length of the common suffix of a[alo:ahi] and b[blo:bhi]."""
    limit = min(ahi - alo, bhi - blo)
    n, step = 0, 16
    while n < limit:
        k = min(step, limit - n)
        if a[ahi - n - k : ahi - n] == b[bhi - n - k : bhi - n]:
            n += k
            step *= 2
        elif k == 1:
            break
        else:
            step = max(1, k // 2)
    return n


def matches(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Matched index pairs (i, j) with a[i] == b[j], increasing in both: a patience diff."""
    out: list[tuple[int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        n = _prefix(a, b, alo, ahi, blo, bhi)
        out.extend(zip(range(alo, alo + n), range(blo, blo + n), strict=True))
        alo, blo = alo + n, blo + n
        n = _suffix(a, b, alo, ahi, blo, bhi)
        out.extend(zip(range(ahi - n, ahi), range(bhi - n, bhi), strict=True))
        ahi, bhi = ahi - n, bhi - n
        if alo == ahi or blo == bhi:
            continue
        anchors = _anchors(a, b, alo, ahi, blo, bhi)
        if anchors:
            out.extend(anchors)
            prev_i, prev_j = alo, blo
            for i, j in anchors:
                if i > prev_i and j > prev_j:
                    stack.append((prev_i, i, prev_j, j))
                prev_i, prev_j = i + 1, j + 1
            if ahi > prev_i and bhi > prev_j:
                stack.append((prev_i, ahi, prev_j, bhi))
        elif (ahi - alo) * (bhi - blo) <= SMALL_GAP_PAIRS:
            matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
            for i, j, size in matcher.get_matching_blocks():
                out.extend((alo + i + k, blo + j + k) for k in range(size))
    out.sort()
    return out


@dataclass(frozen=True)
class Hunk:
    """A changed region: a[alo:ahi] became b[blo:bhi]."""

    alo: int
    ahi: int
    blo: int
    bhi: int


def hunks(a: Sequence[str], b: Sequence[str]) -> list[Hunk]:
    """The regions where `b` differs from `a`, in order (common ends trimmed first, cheaply)."""
    head = _prefix(a, b, 0, len(a), 0, len(b))
    tail = _suffix(a, b, head, len(a), head, len(b))
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    out = []
    i = j = 0
    for mi, mj in [*matches(mid_a, mid_b), (len(mid_a), len(mid_b))]:
        if mi > i or mj > j:
            out.append(Hunk(head + i, head + mi, head + j, head + mj))
        i, j = mi + 1, mj + 1
    return out


@dataclass(frozen=True)
class Chunk:
    """One region of a three-way merge: base[olo:ohi], ours[alo:ahi], theirs[blo:bhi]."""

    stable: bool  # the same lines on all three sides
    olo: int
    ohi: int
    alo: int
    ahi: int
    blo: int
    bhi: int


def chunks3(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[Chunk]:
    """diff3 chunking: stable runs where all three agree, unstable regions between them."""
    to_a = [-1] * len(base)
    for i, j in matches(base, ours):
        to_a[i] = j
    to_b = [-1] * len(base)
    for i, j in matches(base, theirs):
        to_b[i] = j
    both = [o for o in range(len(base)) if to_a[o] >= 0 and to_b[o] >= 0]
    out: list[Chunk] = []
    o = a = b = 0
    run_start: tuple[int, int, int] | None = None
    for k in [*both, len(base)]:
        at_end = k == len(base)
        ka = len(ours) if at_end else to_a[k]
        kb = len(theirs) if at_end else to_b[k]
        if k == o and ka == a and kb == b and not at_end:
            if run_start is None:
                run_start = (o, a, b)
        else:
            if run_start is not None:
                out.append(Chunk(True, run_start[0], o, run_start[1], a, run_start[2], b))
                run_start = None
            if k > o or ka > a or kb > b:
                out.append(Chunk(False, o, k, a, ka, b, kb))
            if at_end:
                break
            run_start = (k, ka, kb)
        o, a, b = k + 1, ka + 1, kb + 1
    if run_start is not None:
        out.append(Chunk(True, run_start[0], o, run_start[1], a, run_start[2], b))
    return out
