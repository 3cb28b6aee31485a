"""The line-based block scanner: headings, entries and other blocks, CommonMark-like where it matters.

One left-to-right pass. Each block is consumed by its own tight loop that looks at a line's first
character before doing anything costlier, so plain lines cost a few string operations. The scanner
reports line ranges only; it never changes text.

Every block the main loop starts, it starts from a fresh state (nothing open) and decides its
extent from the lines at and after its start alone. So two line lists that agree from line L on,
both with a block starting at L, scan identically from L on: that is what lets an insertion be
re-scanned only near the splice (`scan(..., start=, resume=)`) and verified in a window.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .htmlheads import HEADING_TAG, html_headings
from .items import RawEntry, scan_item
from .kinds import (
    _COLUMNS,
    ATX,
    BREAK,
    BULLET,
    FENCE,
    HTML,
    HTML1_END,
    HTML_END,
    ORDERED,
    QUOTE,
    SETEXT_RE,
    SPECIAL,
    TEXT,
    atx_heading,
    classify,
    closes,
    columns,
    fence_of,
    html_kind,
    interrupts_paragraph,
    is_reference_definition,
    measure,
    starts_table,
)
from .rows import LineNumbers

# Raw results are plain tuples: the scanner makes one per entry, so they must be cheap.
# heading: (level, title, line, end, form)    entry: (start, end, kind, indent, marker)
# form: "atx", "setext" or "html" (an HTML heading's title still has its entities encoded);
# end: the line its section's body starts on.
RawHeading = tuple[int, str, int, int, str]


class Block(NamedTuple):
    """A block that is neither a heading nor an entry: lines[start:end] and what it is."""

    start: int
    end: int
    kind: str  # "front_matter", "code", "html", "quote", "break", "table_head", "references"


class Scan(NamedTuple):
    """What one pass found, each list in document order; `starts` = lines where blocks began."""

    headings: list[RawHeading]
    entries: Sequence[RawEntry]  # a list, or the document's shifted rows (`rows.EntryRows`)
    blocks: list[Block]
    starts: Sequence[int]
    stop: int  # the line where the scan stopped (len(lines), or where it met the old scan)


class Resume(NamedTuple):
    """Where a re-scan may stop: at a line >= `after` where the old scan (shifted by `shift`)
    also started a block."""

    old_starts: LineNumbers
    shift: int
    after: int


def scan(lines: list[str], start: int = 0, resume: Resume | None = None) -> Scan:
    """Scan lines from `start` (a line where a block starts, or 0) into blocks."""
    headings: list[RawHeading] = []
    entries: list[RawEntry] = []
    blocks: list[Block] = []
    starts: list[int] = []
    n = len(lines)
    i = _front_matter(lines, blocks, starts) if start == 0 else start
    while i < n:
        if resume is not None and i >= resume.after:
            old = i - resume.shift
            k = resume.old_starts.bisect_left(old)
            if k < len(resume.old_starts) and resume.old_starts[k] == old:
                return Scan(headings, entries, blocks, starts, i)
        line = lines[i]
        c = line[0]
        if (c == "-" or c == "*" or c == "+") and line[1:2] == " " and line.count(c) < 3:
            # The common case, a bullet at column 0 (it has too few marks to be a break).
            starts.append(i)
            i = scan_item(lines, i, 0, line.rstrip("\r\n"), BULLET, entries)
            continue
        found = measure(line)
        if found is None:
            i += 1
            continue
        starts.append(i)
        col, body = found
        if col >= 4:
            i = _indented_code(lines, i, blocks)
            continue
        rest = body.rstrip("\r\n")
        kind = classify(rest)
        if kind == TEXT:
            if starts_table(lines, i, rest):
                i = _table(lines, i, entries, blocks)
            else:
                i = _paragraph(lines, i, col, headings, entries, blocks)
        elif kind in (BULLET, ORDERED):
            i = scan_item(lines, i, col, rest, kind, entries)
        elif kind == ATX:
            level, title = atx_heading(rest)  # type: ignore[misc]
            headings.append((level, title, i, i + 1, "atx"))
            i += 1
        elif kind == FENCE:
            i = _fenced(lines, i, rest, blocks)
        elif kind == QUOTE:
            i = _quote(lines, i, blocks)
        elif kind == BREAK:
            blocks.append(Block(i, i + 1, "break"))
            i += 1
        else:
            i = _html(lines, i, rest, blocks, headings)
    return Scan(headings, entries, blocks, starts, n)


def _front_matter(lines: list[str], blocks: list[Block], starts: list[int]) -> int:
    """YAML front matter (`---` ... `---` or `...` at the very start): where the scan goes on."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for j in range(1, len(lines)):
        t = lines[j].rstrip()
        if t == "---" or t == "...":
            # Not in `starts`: front matter is decided by looking ahead, so a re-scan must
            # never take it for a place where two scans meet.
            blocks.append(Block(0, j + 1, "front_matter"))
            return j + 1
    return 0


def _indented_code(lines: list[str], i: int, blocks: list[Block]) -> int:
    """An indented code block from line i: lines indented 4+ columns, blanks between them."""
    n = len(lines)
    last = i
    j = i + 1
    while j < n:
        found = measure(lines[j])
        if found is not None:
            if found[0] < 4:
                break
            last = j
        j += 1
    blocks.append(Block(i, last + 1, "code"))
    return last + 1


def _fenced(lines: list[str], i: int, rest: str, blocks: list[Block]) -> int:
    """A fenced code block from line i to its closing fence (or the end of the file)."""
    fence = fence_of(rest)
    assert fence is not None
    n = len(lines)
    j = i + 1
    while j < n:
        found = measure(lines[j])
        j += 1
        if found is not None and found[0] < 4 and closes(found[1].rstrip("\r\n"), fence):
            break
    blocks.append(Block(i, j, "code"))
    return j


def _quote(lines: list[str], i: int, blocks: list[Block]) -> int:
    """A block quote: `>` lines and their lazy continuations, up to a blank line.

    Only paragraph text inside the quote takes lazy lines, so fences inside it are tracked.
    """
    n = len(lines)
    fence: tuple[str, int] | None = None
    j = i
    lazy_ok = False
    while j < n:
        found = measure(lines[j])
        if found is None:
            break
        col, body = found
        if col < 4 and body[0] == ">":
            fence, lazy_ok = _quoted(body[1:], fence)
            j += 1
            continue
        if not lazy_ok:
            break
        if col < 4:
            rest = body.rstrip("\r\n")
            kind = classify(rest)
            # As after an item: any list marker starts a list here, whatever its number.
            if kind in (BULLET, ORDERED) or interrupts_paragraph(rest, kind):
                break
        j += 1
    blocks.append(Block(i, j, "quote"))
    return j


def _quoted(content: str, fence: tuple[str, int] | None) -> tuple[tuple[str, int] | None, bool]:
    """One quoted line's effect: (the fence open after it, whether a lazy line may follow)."""
    if content[:1] == " ":
        content = content[1:]
    found = measure(content) if content else None
    if found is None:
        return fence, False
    col, body = found
    text = body.rstrip("\r\n")
    if fence is not None:
        return (None if col < 4 and closes(text, fence) else fence), False
    if col >= 4:
        return None, False  # indented code inside the quote
    opened = fence_of(text) if text[0] in "`~" else None
    if opened is not None:
        return opened, False
    kind = classify(text)
    return None, kind not in (ATX, BREAK, HTML)


def _html(
    lines: list[str], i: int, rest: str, blocks: list[Block], headings: list[RawHeading]
) -> int:
    """An HTML block: types 1-5 end at their end marker, types 6-7 at a blank line.

    A type 6-7 block may hold headings (`<h2 align="center">Papers</h2>`, see `htmlheads`).
    The first one's section starts at the block's first line (a `<div align="center">` around
    it belongs to it); each later one at its start tag's line. The last one's body starts after
    the block, where an ATX heading's would: at the blank line that ends the block. An earlier
    one's body is empty, up to the next heading: lines inside the block are no place for an
    entry.
    """
    kind = html_kind(rest)
    n = len(lines)
    j = i
    if kind <= 5:
        marker = HTML_END.get(kind)
        while j < n:
            line = lines[j]
            j += 1
            if (marker in line) if marker else HTML1_END.search(line):
                break
    else:
        while j < n and lines[j].strip(" \t\r\n"):
            j += 1
        text = "".join(lines[i:j])
        if HEADING_TAG.search(text):
            found = html_headings(text)
            for k, (level, title, offset) in enumerate(found):
                end = i + found[k + 1][2] if k + 1 < len(found) else j
                headings.append((level, title, i + offset if k else i, end, "html"))
    blocks.append(Block(i, j, "html"))
    return j


def _table(lines: list[str], i: int, entries: list[RawEntry], blocks: list[Block]) -> int:
    """A table: header and delimiter rows, then one "row" entry per line up to a blank line."""
    blocks.append(Block(i, i + 2, "table_head"))
    n = len(lines)
    j = i + 2
    while j < n:
        found = measure(lines[j])
        if found is None:
            break
        col, body = found
        if col >= 4:
            break  # indented code, not a row
        if body[0] in SPECIAL:
            rest = body.rstrip("\r\n")
            kind = classify(rest)
            # Any other block ends the table, a list whatever its number (as after an item).
            if kind in (BULLET, ORDERED) or interrupts_paragraph(rest, kind):
                break
        entries.append((j, j + 1, "row", col, "|"))
        j += 1
    return j


def _paragraph(
    lines: list[str],
    i: int,
    col0: int,
    headings: list[RawHeading],
    entries: list[RawEntry],
    blocks: list[Block],
) -> int:
    """A paragraph entry from line i, or a setext heading when an underline ends it."""
    n = len(lines)
    get = _COLUMNS.get
    j = i + 1
    while j < n:
        line = lines[j]
        c = line[0]
        if c == " " or c == "\t":
            body = line.lstrip(" \t")
            if not body.strip("\r\n"):
                break
            prefix = line[: len(line) - len(body)]
            col = get(prefix)
            if col is None:
                col = columns(prefix)
            if col >= 4:  # indented text cannot interrupt a paragraph
                j += 1
                continue
        elif c == "\n" or (c == "\r" and not line.strip("\r\n")):
            break
        else:
            body = line
        if body[0] in SPECIAL or "|" in body:
            rest = body.rstrip("\r\n")
            if rest[0] in "=-" and SETEXT_RE.match(rest):
                k = _references(lines, i, j, blocks)
                if k == j:
                    return j  # only definitions above: no heading, the line starts afresh
                title = " ".join(x.strip(" \t\r\n") for x in lines[k:j])
                headings.append((1 if rest[0] == "=" else 2, title, k, j + 1, "setext"))
                return j + 1
            if interrupts_paragraph(rest, classify(rest)) or starts_table(lines, j, rest):
                break
        j += 1
    k = _references(lines, i, j, blocks)
    if k < j:
        if k > i:
            col0 = (measure(lines[k]) or (0, ""))[0]
        if j - k > 1 and _one_per_line(lines, k, j):
            # `**A** (OSDI 2025) [[paper]](…)` then `**B** …` with no blank line between: one
            # paragraph to markdown, one paper per line to its curator.
            entries.extend((m, m + 1, "paragraph", col0, "") for m in range(k, j))
        else:
            entries.append((k, j, "paragraph", col0, ""))
    return j


def _one_per_line(lines: list[str], k: int, j: int) -> bool:
    """Whether every line of a paragraph opens alike (`**` or `[`) and holds its own link."""
    openers = set()
    for m in range(k, j):
        text = lines[m].lstrip(" \t")
        opener = "**" if text.startswith("**") else "[" if text.startswith("[") else None
        if opener is None or "](" not in text:
            return False
        openers.add(opener)
    return len(openers) == 1


def _references(lines: list[str], i: int, j: int, blocks: list[Block]) -> int:
    """Link reference definitions at the top of paragraph lines[i:j] (not text, in CommonMark):
    record them as a block and return where the text starts."""
    k = i
    if lines[i].lstrip(" ")[:1] == "[":
        while k < j and is_reference_definition(lines[k].rstrip("\r\n")):
            k += 1
        if k > i:
            blocks.append(Block(i, k, "references"))
    return k
