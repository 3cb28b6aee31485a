"""Line diffs and three-way chunking over sequences of line keys (pure, fast on big lists).

Lists are mostly unique lines (one entry per line or a few), so a patience diff (anchor on
lines unique on both sides, recurse between anchors) is both fast and readable; small gaps
with no unique line fall back to difflib.
"""

from __future__ import annotations

import bisect
import difflib
from collections.abc import Sequence
from dataclasses import dataclass

#: Gaps up to this many key pairs (len(a) * len(b)) are matched with difflib; larger ones not.
SMALL_GAP_PAIRS = 250_000


def _lis_pairs(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest run of pairs increasing in both parts (pairs come sorted by the first)."""
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
    count_a: dict[str, int] = {}
    for i in range(alo, ahi):
        key = a[i]
        count_a[key] = count_a.get(key, 0) + 1
    where_b: dict[str, int] = {}
    for j in range(blo, bhi):
        key = b[j]
        if count_a.get(key) == 1:
            where_b[key] = -1 if key in where_b else j
    pairs = []
    for i in range(alo, ahi):
        j = where_b.get(a[i], -1)
        if j >= 0:
            pairs.append((i, j))
    return _lis_pairs(pairs)


def matches(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Matched index pairs (i, j) with a[i] == b[j], increasing in both: a patience diff."""
    out: list[tuple[int, int]] = []
    stack = [(0, len(a), 0, len(b))]
    while stack:
        alo, ahi, blo, bhi = stack.pop()
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            out.append((alo, blo))
            alo += 1
            blo += 1
        tail = []
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi -= 1
            bhi -= 1
            tail.append((ahi, bhi))
        out.extend(tail)
        if alo == ahi or blo == bhi:
            continue
        anchors = _anchors(a, b, alo, ahi, blo, bhi)
        if anchors:
            prev_i, prev_j = alo, blo
            for i, j in anchors:
                out.append((i, j))
                stack.append((prev_i, i, prev_j, j))
                prev_i, prev_j = i + 1, j + 1
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
    """The regions where `b` differs from `a`, in order."""
    out = []
    i = j = 0
    for mi, mj in [*matches(a, b), (len(a), len(b))]:
        if mi > i or mj > j:
            out.append(Hunk(i, mi, j, mj))
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
