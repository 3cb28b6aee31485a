"""Line-numbered scan results kept in chunks, so an insertion moves the rows below it for free.

A scan yields one row per entry (a tuple starting with its start and end line) and one line
number per block start. Putting k lines into a 50,000-entry list moves every row below the splice
down by k. Rewriting them makes tens of thousands of new tuples per insertion, and the cyclic GC
then walks them all: a quarter of a clip's time on a big list. Here the rows live in chunks that
each carry a shift; a splice rebuilds only the chunk(s) it touches and gives every later chunk a
bigger shift while sharing its rows with the old document.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Sequence
from itertools import accumulate
from typing import Any, TypeVar

#: Rows per chunk: a splice rebuilds about this many rows, and there are n / CHUNK_ROWS chunks.
CHUNK_ROWS = 512

RowsT = TypeVar("RowsT", bound="ShiftedRows")


class ShiftedRows(Sequence):
    """An immutable sequence of rows sorted by line, stored as chunks that each carry a shift."""

    __slots__ = ("_chunks", "_ends", "_firsts", "_shifts")

    chunk_rows = CHUNK_ROWS

    def __init__(self, chunks: list[list[Any]], shifts: list[int]) -> None:
        self._chunks = chunks
        self._shifts = shifts
        self._ends = list(accumulate(map(len, chunks)))
        self._firsts = [self._line(chunk[0]) + s for chunk, s in zip(chunks, shifts, strict=True)]

    # What a row is: subclasses say which line it sorts by and how it moves down.
    @staticmethod
    def _line(row: Any) -> int:
        raise NotImplementedError

    @staticmethod
    def _moved(row: Any, k: int) -> Any:
        raise NotImplementedError

    _key: Any = None  # the bisect key on stored rows (None: the row is the line)

    @classmethod
    def of(cls: type[RowsT], rows: Iterable[Any]) -> RowsT:
        """The rows as chunks (rows already of this class are returned as they are)."""
        if isinstance(rows, cls):
            return rows
        rows = list(rows)
        size = cls.chunk_rows
        chunks = [rows[i : i + size] for i in range(0, len(rows), size)]
        return cls(chunks, [0] * len(chunks))

    def __len__(self) -> int:
        return self._ends[-1] if self._ends else 0

    def _start_of(self, c: int) -> int:
        """The index of chunk c's first row."""
        return self._ends[c - 1] if c else 0

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, slice):
            start, stop, step = i.indices(len(self))
            if step != 1:
                return list(self)[i]
            return self._rows_between(start, stop)
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("row index out of range")
        c = bisect.bisect_right(self._ends, i)
        row = self._chunks[c][i - self._start_of(c)]
        s = self._shifts[c]
        return self._moved(row, s) if s else row

    def __iter__(self) -> Iterator[Any]:
        moved = self._moved
        for chunk, s in zip(self._chunks, self._shifts, strict=True):
            if s:
                for row in chunk:
                    yield moved(row, s)
            else:
                yield from chunk

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, (ShiftedRows, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"

    def _rows_between(self, start: int, stop: int) -> list[Any]:
        """Rows [start, stop) as a list, moved to their lines."""
        out: list[Any] = []
        if start >= stop:
            return out
        moved = self._moved
        c = bisect.bisect_right(self._ends, start)
        while c < len(self._chunks) and start < stop:
            base = self._start_of(c)
            part = self._chunks[c][start - base : stop - base]
            s = self._shifts[c]
            out.extend([moved(row, s) for row in part] if s else part)
            start = self._ends[c]
            c += 1
        return out

    def bisect_left(self, line: int) -> int:
        """The index of the first row whose line is >= `line`."""
        return self._bisect(line, bisect.bisect_left)

    def bisect_right(self, line: int) -> int:
        """The index of the first row whose line is > `line`."""
        return self._bisect(line, bisect.bisect_right)

    def _bisect(self, line: int, find: Any) -> int:
        c = find(self._firsts, line)
        if c == 0:
            return 0
        c -= 1  # the last chunk that starts before (or at) `line`: the answer is in it or after
        j = find(self._chunks[c], line - self._shifts[c], key=self._key)
        return self._start_of(c) + j

    def splice(self: RowsT, lo: int, hi: int, new_rows: Sequence[Any], k: int) -> RowsT:
        """Rows [0, lo), then `new_rows`, then rows [hi, len) moved down by k lines."""
        n = len(self)
        if not 0 <= lo <= hi <= n:
            raise IndexError(f"cannot splice rows {lo}:{hi} of {n}")
        ends, chunks, shifts = self._ends, self._chunks, self._shifts
        first = bisect.bisect_right(ends, lo)  # the chunk holding row lo (len(chunks) if none)
        base = self._start_of(first)
        last = bisect.bisect_right(ends, hi)  # the chunk holding row hi (len(chunks) if none)
        middle = self._rows_between(base, lo)
        middle.extend(new_rows)
        if last < len(chunks):
            middle.extend(self._moved(row, k) for row in self._rows_between(hi, ends[last]))
        pieces = -(-len(middle) // self.chunk_rows)  # ceil: even chunks of at most chunk_rows
        size = -(-len(middle) // pieces) if pieces else 0
        mid_chunks = [middle[i : i + size] for i in range(0, len(middle), size)] if size else []
        out = type(self).__new__(type(self))
        out._chunks = chunks[:first] + mid_chunks + chunks[last + 1 :]
        out._shifts = shifts[:first] + [0] * len(mid_chunks) + [s + k for s in shifts[last + 1 :]]
        tail_ends = [e - hi + lo + len(new_rows) for e in ends[last + 1 :]]
        out._ends = ends[:first] + list(accumulate(map(len, mid_chunks), initial=base))[1:]
        out._ends += tail_ends
        out._firsts = (
            self._firsts[:first]
            + [self._line(chunk[0]) for chunk in mid_chunks]
            + [f + k for f in self._firsts[last + 1 :]]
        )
        return out


class EntryRows(ShiftedRows):
    """Raw entries (start, end, kind, indent, marker): start and end move, the rest stays."""

    __slots__ = ()

    @staticmethod
    def _line(row: tuple) -> int:
        return row[0]

    @staticmethod
    def _moved(row: tuple, k: int) -> tuple:
        start, end, kind, indent, marker = row
        return (start + k, end + k, kind, indent, marker)

    _key = _line


class LineNumbers(ShiftedRows):
    """Plain line numbers (where blocks start)."""

    __slots__ = ()

    @staticmethod
    def _line(row: int) -> int:
        return row

    @staticmethod
    def _moved(row: int, k: int) -> int:
        return row + k
