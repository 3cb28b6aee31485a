"""ShiftedRows (chunked, shifted scan results) behave exactly like the plain list they stand for."""

from __future__ import annotations

import bisect
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papershelf.sync.listmodel.rows import EntryRows, LineNumbers

EXAMPLES = int(os.environ.get("PAPERSHELF_HYPOTHESIS_EXAMPLES", "300"))


class TinyEntryRows(EntryRows):
    """Chunks of three rows, so a few rows already span many chunks."""

    __slots__ = ()
    chunk_rows = 3


class TinyLineNumbers(LineNumbers):
    __slots__ = ()
    chunk_rows = 2


def _entries(starts: list[int]) -> list[tuple]:
    """Entry rows at these (sorted, distinct) start lines, each one line long."""
    return [(s, s + 1, "item", 0, "-") for s in starts]


STARTS = st.lists(st.integers(0, 200), max_size=40, unique=True).map(sorted)


@st.composite
def splices(draw: st.DrawFn) -> tuple[list[int], list[tuple[int, int, int, int, int]]]:
    """Start lines and a series of (at_line, k, lo, hi, m) splices: rows lo:hi give way to m
    new rows at lines at_line.., and the rows from hi on move down by k."""
    starts = draw(STARTS)
    steps = []
    model = list(starts)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, (model[-1] + 2) if model else 3))
        k = draw(st.integers(1, 4))
        lo = bisect.bisect_left(model, at)
        hi = draw(st.integers(lo, min(len(model), lo + 3)))
        m = draw(st.integers(0, k))
        steps.append((at, k, lo, hi, m))
        new = [at + i for i in range(m)]
        model = model[:lo] + new + [s + k for s in model[hi:]]
        # Rows replaced by the new ones must start after them once moved.
        assert model == sorted(model)
    return starts, steps


@settings(max_examples=EXAMPLES, deadline=None)
@given(splices(), st.data())
def test_splices_equal_the_same_splices_of_a_plain_list(case, data: st.DataObject) -> None:
    starts, steps = case
    rows = TinyEntryRows.of(_entries(starts))
    lines = TinyLineNumbers.of(starts)
    model = list(starts)
    for at, k, lo, hi, m in steps:
        new = [at + i for i in range(m)]
        rows = rows.splice(lo, hi, _entries(new), k)
        lines = lines.splice(lo, hi, new, k)
        model = model[:lo] + new + [s + k for s in model[hi:]]
        expected = _entries(model)
        assert list(rows) == expected and rows == expected and len(rows) == len(expected)
        assert list(lines) == model and len(lines) == len(model)
        assert [rows[i] for i in range(len(rows))] == expected
        assert [rows[i] for i in range(-len(rows), 0)] == expected
        for line in range(-1, (model[-1] + 3) if model else 3):
            assert rows.bisect_left(line) == bisect.bisect_left(model, line)
            assert rows.bisect_right(line) == bisect.bisect_right(model, line)
            assert lines.bisect_left(line) == bisect.bisect_left(model, line)
        a = data.draw(st.integers(0, len(model)))
        b = data.draw(st.integers(0, len(model)))
        assert rows[a:b] == expected[a:b] and lines[a:b] == model[a:b]
        assert rows[::2] == expected[::2]


def test_a_splice_shares_the_chunks_it_does_not_touch() -> None:
    rows = TinyEntryRows.of(_entries(list(range(0, 60, 2))))  # 30 rows in 10 chunks
    after = rows.splice(4, 4, _entries([8]), 1)  # one new row at line 8, the rest move by 1
    assert after[4] == (8, 9, "item", 0, "-") and after[5] == (9, 10, "item", 0, "-")
    assert after._chunks[0] is rows._chunks[0]
    assert all(c is o for c, o in zip(after._chunks[-8:], rows._chunks[-8:], strict=True))
    assert after._shifts[-8:] == [1] * 8
    assert rows[4] == (8, 9, "item", 0, "-")  # the old rows are not changed


def test_an_index_out_of_range_and_a_bad_splice_are_refused() -> None:
    rows = TinyEntryRows.of(_entries([1, 3]))
    with pytest.raises(IndexError):
        rows[2]
    with pytest.raises(IndexError):
        rows.splice(2, 1, [], 0)
    empty = EntryRows.of([])
    assert len(empty) == 0 and list(empty) == [] and empty.bisect_left(5) == 0
    assert empty.splice(0, 0, _entries([0]), 1) == _entries([0])
