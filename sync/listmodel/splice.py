"""Checking a splice: the new lines became exactly one new entry and nothing else changed."""

from __future__ import annotations

from ..errors import ListChanged
from .blocks import Block, RawEntry
from .document import ListDocument, spliced_lines
from .lines import leading_columns
from .parts import Heading


def _shift(line: int, at_line: int, k: int) -> int:
    """Where a line index of the old document lands after k lines go in before `at_line`."""
    return line + k if line >= at_line else line


def _refuse(message: str, **fields: object) -> ListChanged:
    """A ListChanged error saying nothing was written."""
    return ListChanged(f"refusing to write the list: {message}", fields=dict(fields))


def verify_insertion(
    before: ListDocument, after: ListDocument, at_line: int, new_lines: list[str]
) -> None:
    """Raise ListChanged unless `after` is `before` plus exactly one new entry from `new_lines`."""
    if after.bom != before.bom or after.lines != spliced_lines(before, at_line, new_lines):
        raise _refuse("its bytes are not the original with the new lines spliced in")
    k = len(after.lines) - len(before.lines)  # one fewer than new_lines if a bare "" was dropped
    blank = [not text.strip(" \t") for text in new_lines[:k]]
    if all(blank):
        raise _refuse("the new lines are all blank", line=at_line + 1)
    _check_headings(before, after, at_line, k)
    _check_blocks(before, after, at_line, k)
    start, end, _kind, _indent, _marker = _check_entries(before, after, at_line, k)
    first = blank.index(False)
    last = k - 1 - blank[::-1].index(False)
    if start != at_line + first or end != at_line + last + 1:
        raise _refuse(
            f"the new entry would span lines {start + 1}-{end}, "
            f"not just the inserted lines {at_line + first + 1}-{at_line + last + 1}",
            line=start + 1,
        )
    target = before._sections[0 if at_line == 0 else before.section_index_of_line(at_line - 1)]
    landed = after._sections[after.section_index_of_line(start)]
    if landed.path != target.path:
        raise _refuse(
            f"the new entry would land in section {landed.address!r}, not {target.address!r}",
            line=start + 1,
        )


def _check_headings(before: ListDocument, after: ListDocument, at_line: int, k: int) -> None:
    """Every heading and section stays as it was, only moved down when below the splice."""
    if len(before.headings) != len(after.headings):
        raise _refuse(
            f"the headings would change ({len(before.headings)} -> {len(after.headings)})",
            line=at_line + 1,
        )
    for b, a in zip(before.headings, after.headings, strict=True):
        if _shape(a) != _shape(b) or a.line != _shift(b.line, at_line, k):
            raise _refuse(f"the heading at line {b.line + 1} ({b.title!r}) would change")
    for old, new in zip(before._sections, after._sections, strict=True):
        # A body that starts exactly at the splice keeps its start: the new lines go inside it.
        start = old.start + k if old.start > at_line else old.start
        if new.start != start:
            raise _refuse(f"section {old.address!r} would change shape", line=old.start + 1)


def _shape(h: Heading) -> tuple:
    """What of a heading an insertion must not change (its line may move down)."""
    return h.level, h.title, h.path, h.setext, h.html


def _check_blocks(before: ListDocument, after: ListDocument, at_line: int, k: int) -> None:
    """Code, HTML, quotes, breaks, front matter and table heads stay as they were."""
    if len(before.blocks) != len(after.blocks):
        kept = {(a.start, a.end, a.kind) for a in after.blocks}
        for b in before.blocks:
            if _moved_block(b, at_line, k) not in kept:
                raise _refuse(_indented_code(before, b) or f"the {b.kind} block would change")
        raise _refuse("a code block, HTML block, quote or table would change", line=at_line + 1)
    for b, a in zip(before.blocks, after.blocks, strict=True):
        if b.start < at_line < b.end:
            raise _refuse(f"the new lines would split the {b.kind} block at line {b.start + 1}")
        if (a.start, a.end, a.kind) != _moved_block(b, at_line, k):
            raise _refuse(
                _indented_code(before, b)
                or f"the {b.kind} block at line {b.start + 1} would change"
            )


def _moved_block(b: Block, at_line: int, k: int) -> tuple[int, int, str]:
    """Old block `b` as it must read after k lines went in before `at_line`."""
    return _shift(b.start, at_line, k), b.end + k if b.end > at_line else b.end, b.kind


def _indented_code(doc: ListDocument, b: Block) -> str | None:
    """Why an indented code block is in the way, in a curator's words (None: another block)."""
    first = doc.lines[b.start]
    if b.kind != "code" or leading_columns(first)[0] < 4:
        return None  # a fenced block starts with its fence, indented less than 4 columns
    how = "by a tab" if first.startswith("\t") else "by 4 or more spaces"
    address = doc.section_of_line(b.start).address
    where = f" of section {address!r}" if address else ""
    return (
        f"lines {b.start + 1}-{b.end}{where} are indented {how}, so markdown reads "
        "them as a code block, not as list entries; indent them by fewer than 4 spaces, "
        "without a tab, and add again"
    )


def _moved(b: RawEntry, at_line: int, k: int) -> RawEntry:
    """Old entry `b` as it must read after k lines went in before `at_line`."""
    start, end, kind, indent, marker = b
    return (_shift(start, at_line, k), end + k if end > at_line else end, kind, indent, marker)


def _check_entries(before: ListDocument, after: ListDocument, at_line: int, k: int) -> RawEntry:
    """Old entries are unchanged and exactly one new entry starts in the new lines; return it.

    Only a window is compared. An entry's extent is decided by the lines up to one past the
    start of the next block, so entries ending two blocks above the splice are unchanged. Below,
    once both documents start an entry at the same (shifted) line, the scans coincide: a block
    starts from a fresh state and the lines from there on are identical. Front matter looks
    ahead: while the splice could change it, entries are compared from the first. Section paths
    follow from the headings, which `_check_headings` compared in full.
    """
    old, new = before._raw, after._raw
    if len(new) != len(old) + 1:
        raise _refuse(
            f"the new lines would make {len(new) - len(old)} new entries instead of one",
            line=at_line + 1,
        )
    above = old.bisect_left(at_line)
    i = 0 if before.front_matter_open_at(at_line) else max(above - 2, 0)
    ib = ia = i
    added: RawEntry | None = None
    while ia < len(new):
        a = new[ia]
        if at_line <= a[0] < at_line + k:
            if added is not None:
                raise _refuse("the new lines would make more than one entry", line=a[0] + 1)
            added = a
            ia += 1
            continue
        if ib >= len(old):
            raise _refuse(f"an unexpected entry would appear at line {a[0] + 1}")
        b = old[ib]
        if b[0] < at_line < b[1]:
            raise _refuse(f"the new lines would split the entry at lines {b[0] + 1}-{b[1]}")
        if a != _moved(b, at_line, k):
            raise _refuse(
                f"the entry at lines {b[0] + 1}-{b[1]} would change "
                f"(to lines {a[0] + 1}-{a[1]}, {a[2]})",
                line=b[0] + 1,
            )
        ib += 1
        ia += 1
        if added is not None and b[0] >= at_line:
            break  # converged: from here on both scans are the same
    if added is None:
        raise _refuse("the new lines would not form an entry", line=at_line + 1)
    return added
