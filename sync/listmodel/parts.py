"""The parts of a parsed list (headings, entries, sections) and the lazy building of entries
(`styles.entries` is another thing: the fields read from each entry)."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .rows import EntryRows


@dataclass(frozen=True)
class Heading:
    """A section heading: ATX (`## Title`), setext (a paragraph underlined with === or ---) or
    HTML (`<h2 align="center">Title</h2>` in an HTML block)."""

    level: int
    title: str  # in the list's encoding (a cp1252/Latin-1 list's `é`, not an escape)
    # Index of the heading's first line: a setext heading's text line; an HTML heading's start
    # tag line, or its HTML block's first line when it is the block's first heading.
    line: int
    path: tuple[str, ...]  # ancestors' titles by level, then its own
    setext: bool
    html: bool = False  # an HTML heading: its title is its text content, entities decoded


@dataclass(frozen=True)
class Entry:
    """A block that could be a list entry; lines[start:end], trailing blank lines excluded."""

    start: int
    end: int
    kind: str  # "item", "row" or "paragraph"
    section: tuple[str, ...]
    indent: int  # column of the marker (item), of the row, or of the paragraph's first line
    marker: str  # "-", "*", "+", "1." / "3)" (as written), "|" (row), "" (paragraph)


@dataclass
class Section:
    """A heading and its body up to the next heading of any level; the root has path ()."""

    path: tuple[str, ...]
    title: str
    level: int  # 0 for the root
    heading_line: int | None
    start: int  # body is lines[start:end]
    end: int
    # Entries are built on first use, per section: an insertion into one section of a 50,000-entry
    # list must not pay for Entry objects of every other section.
    _entries: list[Entry] | None = field(default=None, repr=False, compare=False)
    _fill: Callable[[], list[Entry]] | None = field(default=None, repr=False, compare=False)

    @property
    def entries(self) -> list[Entry]:
        """The entries whose first line is in this section's span, in document order."""
        if self._entries is None:
            self._entries = self._fill() if self._fill is not None else []
        return self._entries

    @property
    def address(self) -> str:
        """The section's address: its heading path joined with " > " ("" for the root)."""
        return " > ".join(self.path)


@contextlib.contextmanager
def bulk() -> Iterator[None]:
    """Pause the cyclic GC while making many small acyclic objects (lines, tuples, entries).

    On a big list the collector otherwise walks the whole heap again and again for nothing:
    it can double a parse. Pausing is process-wide but lasts one parse.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class EntrySource:
    """Builds the Entry objects of one document's sections on demand, each section once."""

    def __init__(self, raw: EntryRows, section_starts: list[int]) -> None:
        self.raw = raw
        self.starts = section_starts
        self.built: dict[int, list[Entry]] = {}
        self.lock = threading.Lock()

    def span(self, k: int) -> tuple[int, int]:
        """Indexes [lo, hi) into the raw entries of section k's entries."""
        lo = self.raw.bisect_left(self.starts[k])
        if k + 1 >= len(self.starts):
            return lo, len(self.raw)
        return lo, self.raw.bisect_left(self.starts[k + 1])

    def entries_of(self, k: int, path: tuple[str, ...]) -> list[Entry]:
        """Section k's entries (path: its heading path), built on the first call."""
        with self.lock:
            built = self.built.get(k)
            if built is not None:
                return built
            lo, hi = self.span(k)
            new = object.__new__
            set_dict = object.__setattr__
            entries: list[Entry] = []
            # Re-enabling the GC after a pause costs a collection: worth it only for big sections.
            with bulk() if hi - lo > 2_000 else contextlib.nullcontext():
                for start, end, kind, indent, marker in self.raw[lo:hi]:
                    # Bypass the frozen __init__ (six object.__setattr__ calls): same object, a
                    # third of the cost, and 50,000 entries make that a tenth of a second.
                    entry = new(Entry)
                    set_dict(
                        entry,
                        "__dict__",
                        {
                            "start": start,
                            "end": end,
                            "kind": kind,
                            "section": path,
                            "indent": indent,
                            "marker": marker,
                        },
                    )
                    entries.append(entry)
            self.built[k] = entries
            return entries
