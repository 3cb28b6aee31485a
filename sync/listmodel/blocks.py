"""The line-based block scanner: headings, entries and other blocks, CommonMark-like where it matters.

One left-to-right pass over the lines. Every block is consumed by its own tight loop, so the cost
is a few string operations per line. The scanner only reports line ranges; it never changes text.
A block always starts from a fresh state (nothing open), which is what lets `verify_insertion`
compare only a window: from the same line with the same text, the scan goes the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .lines import leading_columns

# Kinds of line a block can start with (ints: compared in the hot loop).
TEXT, ATX, FENCE, QUOTE, BREAK, BULLET, ORDERED, HTML = range(8)

_ATX = re.compile(r"(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,})[ \t]*$")
_BREAK = re.compile(r"(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_SETEXT = re.compile(r"(?:=+|-+)[ \t]*$")
_ORDERED = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")
_DELIM_ROW = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_PIPE = re.compile(r"(?<!\\)\|")

_HTML1 = re.compile(r"<(?:script|pre|style|textarea)(?:[ \t>]|$)", re.IGNORECASE)
_HTML1_END = re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)
_HTML6 = re.compile(
    r"</?(?:address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    r"details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|"
    r"h[1-6]|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|"
    r"optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|"
    r"track|ul)(?:[ \t]|/?>|$)",
    re.IGNORECASE,
)
_ATTR = (
    r"""(?:[ \t]+[A-Za-z_:][A-Za-z0-9_.:-]*(?:[ \t]*=[ \t]*(?:[^ \t"'=<>`]+|'[^']*'|"[^"]*"))?)"""
)
_HTML7 = re.compile(
    rf"(?:<[A-Za-z][A-Za-z0-9-]*{_ATTR}*[ \t]*/?>|</[A-Za-z][A-Za-z0-9-]*[ \t]*>)[ \t]*$"
)
_HTML_END = {2: "-->", 3: "?>", 4: ">", 5: "]]>"}


class Block(NamedTuple):
    """A block that is neither a heading nor an entry: lines[start:end] and what it is."""

    start: int
    end: int
    kind: str  # "front_matter", "code", "html", "quote", "break", "table_head"


class RawHeading(NamedTuple):
    """A heading as the scanner sees it; `end` is the line after it (after a setext underline)."""

    level: int
    title: str
    line: int
    end: int
    setext: bool


class RawEntry(NamedTuple):
    """An entry as the scanner sees it (no section yet)."""

    start: int
    end: int
    kind: str
    indent: int
    marker: str


class Scan(NamedTuple):
    """Everything one pass found, each list in document order."""

    headings: list[RawHeading]
    entries: list[RawEntry]
    blocks: list[Block]


def _content(line: str) -> str:
    """The line without its ending; a CR right before the ending is part of the ending."""
    return line.rstrip("\r\n")


def _indent(s: str) -> tuple[int, int]:
    """(columns, index) of the first non-blank character of `s`."""
    c = s[:1]
    if c != " " and c != "\t":
        return 0, 0
    rest = s.lstrip(" \t")
    idx = len(s) - len(rest)
    if "\t" in s[:idx]:
        return leading_columns(s)
    return idx, idx


def html_kind(rest: str) -> int:
    """CommonMark HTML block start condition (1-7) of a line's text, or 0."""
    if _HTML1.match(rest):
        return 1
    if rest.startswith("<!--"):
        return 2
    if rest.startswith("<?"):
        return 3
    if rest.startswith("<![CDATA["):
        return 5
    if rest.startswith("<!") and rest[2:3].isascii() and rest[2:3].isalpha():
        return 4
    if _HTML6.match(rest):
        return 6
    if _HTML7.match(rest):
        return 7
    return 0


def classify(rest: str) -> int:
    """What block a line at indent 0-3 starts (`rest` is the text after the indent)."""
    c = rest[0]
    if c == "#":
        if _ATX.match(rest):
            return ATX
    elif c == "`" or c == "~":
        m = _FENCE_OPEN.match(rest)
        if m and not (c == "`" and "`" in m.group(2)):
            return FENCE
    elif c == ">":
        return QUOTE
    elif c == "-" or c == "*" or c == "+":
        if _BREAK.match(rest):
            return BREAK
        if len(rest) == 1 or rest[1] == " " or rest[1] == "\t":
            return BULLET
    elif c == "_":
        if _BREAK.match(rest):
            return BREAK
    elif c == "<":
        if html_kind(rest):
            return HTML
    elif "0" <= c <= "9" and _ORDERED.match(rest):
        return ORDERED
    return TEXT


def interrupts_paragraph(rest: str, kind: int) -> bool:
    """Whether a line of this kind ends a paragraph (CommonMark's interruption rules)."""
    if kind == TEXT:
        return False
    if kind == BULLET:
        return bool(rest[1:].strip(" \t"))
    if kind == ORDERED:
        m = _ORDERED.match(rest)
        return m is not None and int(m.group(1)) == 1 and bool(rest[m.end() :].strip(" \t"))
    if kind == HTML:
        return html_kind(rest) != 7
    return True


def _cells(row: str) -> int:
    """Number of cells in a table row (outer pipes optional, escaped pipes not separators)."""
    t = row.strip(" \t")
    if t.startswith("|"):
        t = t[1:]
    if t.endswith("|") and not t.endswith("\\|"):
        t = t[:-1]
    return len(_PIPE.split(t))


def starts_table(lines: list[str], i: int, rest: str) -> bool:
    """Whether line i (text `rest`) is a table header row: a matching delimiter row follows."""
    if "|" not in rest or i + 1 >= len(lines):
        return False
    nxt = _content(lines[i + 1])
    col, _ = _indent(nxt)
    if col >= 4 or not _DELIM_ROW.match(nxt):
        return False
    return _cells(rest) == _cells(nxt)


def _fence_of(text: str) -> tuple[str, int] | None:
    """(char, length) of a fence opener at the start of `text`, or None."""
    m = _FENCE_OPEN.match(text)
    if m is None or (text[0] == "`" and "`" in m.group(2)):
        return None
    return text[0], len(m.group(1))


def _closes(text: str, fence: tuple[str, int]) -> bool:
    """Whether `text` (after its indent) closes the open `fence`."""
    m = _FENCE_CLOSE.match(text)
    return m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]


def scan(lines: list[str]) -> Scan:
    """Scan all lines once into headings, entries and other blocks."""
    headings: list[RawHeading] = []
    entries: list[RawEntry] = []
    blocks: list[Block] = []
    n = len(lines)
    i = _front_matter(lines, blocks)
    while i < n:
        s = _content(lines[i])
        col, idx = _indent(s)
        if idx == len(s):  # blank (or only spaces/tabs)
            i += 1
            continue
        if col >= 4:
            i = _indented_code(lines, i, blocks)
            continue
        rest = s[idx:]
        kind = classify(rest)
        if kind == TEXT:
            if starts_table(lines, i, rest):
                i = _table(lines, i, entries, blocks)
            else:
                i = _paragraph(lines, i, col, headings, entries)
        elif kind in (BULLET, ORDERED):
            i = _item(lines, i, col, idx, rest, kind, entries)
        elif kind == ATX:
            m = _ATX.match(rest)
            title = _ATX_CLOSE.sub("", m.group(2) or "").strip(" \t")  # type: ignore[union-attr]
            headings.append(RawHeading(len(m.group(1)), title, i, i + 1, False))  # type: ignore[union-attr]
            i += 1
        elif kind == FENCE:
            i = _fenced(lines, i, rest, blocks)
        elif kind == QUOTE:
            i = _quote(lines, i, blocks)
        elif kind == BREAK:
            blocks.append(Block(i, i + 1, "break"))
            i += 1
        else:
            i = _html(lines, i, rest, blocks)
    return Scan(headings, entries, blocks)


def _front_matter(lines: list[str], blocks: list[Block]) -> int:
    """YAML front matter (`---` ... `---` or `...` at the very start): where the scan begins."""
    if not lines or lines[0].rstrip() != "---":
        return 0
    for j in range(1, len(lines)):
        t = lines[j].rstrip()
        if t == "---" or t == "...":
            blocks.append(Block(0, j + 1, "front_matter"))
            return j + 1
    return 0


def _indented_code(lines: list[str], i: int, blocks: list[Block]) -> int:
    """An indented code block from line i: lines indented 4+ columns, blanks between them."""
    n = len(lines)
    last = i
    j = i + 1
    while j < n:
        s = _content(lines[j])
        col, idx = _indent(s)
        if idx == len(s):
            j += 1
            continue
        if col < 4:
            break
        last = j
        j += 1
    blocks.append(Block(i, last + 1, "code"))
    return last + 1


def _fenced(lines: list[str], i: int, rest: str, blocks: list[Block]) -> int:
    """A fenced code block from line i to its closing fence (or the end of the file)."""
    fence = _fence_of(rest)
    assert fence is not None
    n = len(lines)
    j = i + 1
    while j < n:
        s = _content(lines[j])
        col, idx = _indent(s)
        j += 1
        if col < 4 and _closes(s[idx:], fence):
            break
    blocks.append(Block(i, j, "code"))
    return j


def _quote(lines: list[str], i: int, blocks: list[Block]) -> int:
    """A block quote: `>` lines and their lazy continuations, up to a blank line."""
    n = len(lines)
    j = i + 1
    while j < n:
        s = _content(lines[j])
        col, idx = _indent(s)
        if idx == len(s):
            break
        if col < 4:
            rest = s[idx:]
            kind = classify(rest)
            if kind != QUOTE and interrupts_paragraph(rest, kind):
                break
        j += 1
    blocks.append(Block(i, j, "quote"))
    return j


def _html(lines: list[str], i: int, rest: str, blocks: list[Block]) -> int:
    """An HTML block: types 1-5 end at their end marker, types 6-7 at a blank line."""
    kind = html_kind(rest)
    n = len(lines)
    j = i
    if kind <= 5:
        marker = _HTML_END.get(kind)
        while j < n:
            s = _content(lines[j])
            j += 1
            if (marker in s) if marker else _HTML1_END.search(s):
                break
    else:
        while j < n:
            s = _content(lines[j])
            if not s.strip(" \t"):
                break
            j += 1
    blocks.append(Block(i, j, "html"))
    return j


def _table(lines: list[str], i: int, entries: list[RawEntry], blocks: list[Block]) -> int:
    """A table: header and delimiter rows, then one "row" entry per line up to a blank line."""
    blocks.append(Block(i, i + 2, "table_head"))
    n = len(lines)
    j = i + 2
    while j < n:
        s = _content(lines[j])
        col, idx = _indent(s)
        if idx == len(s):
            break
        if col < 4:
            rest = s[idx:]
            if interrupts_paragraph(rest, classify(rest)):
                break
        entries.append(RawEntry(j, j + 1, "row", col, "|"))
        j += 1
    return j


def _paragraph(
    lines: list[str], i: int, col0: int, headings: list[RawHeading], entries: list[RawEntry]
) -> int:
    """A paragraph entry from line i, or a setext heading when an underline ends it."""
    n = len(lines)
    j = i + 1
    while j < n:
        s = _content(lines[j])
        col, idx = _indent(s)
        if idx == len(s):
            break
        if col < 4:
            rest = s[idx:]
            c = rest[0]
            if (c == "=" or c == "-") and _SETEXT.match(rest):
                title = " ".join(_content(x).strip(" \t") for x in lines[i:j])
                headings.append(RawHeading(1 if c == "=" else 2, title, i, j + 1, True))
                return j + 1
            if interrupts_paragraph(rest, classify(rest)) or starts_table(lines, j, rest):
                break
        j += 1
    entries.append(RawEntry(i, j, "paragraph", col0, ""))
    return j


def _item(
    lines: list[str], i: int, col0: int, idx0: int, rest: str, kind: int, entries: list[RawEntry]
) -> int:
    """A top-level list item from line i with all its continuation lines.

    Continuation: lines indented to the item's content column (after blank lines too, e.g. the
    tab-indented author line of bold-title lists), nested lists, and lazy paragraph lines.
    """
    if kind == BULLET:
        marker = rest[0]
    else:
        m = _ORDERED.match(rest)
        assert m is not None
        marker = m.group(0)
    s = _content(lines[i])
    mcol = col0 + len(marker)
    ccol, cidx = leading_columns(s, idx0 + len(marker), mcol)
    empty = cidx >= len(s)
    width = mcol + 1 if empty or ccol - mcol > 4 else ccol  # the content column
    fence = None if empty else _fence_of(s[cidx:])
    lazy_ok = not empty and fence is None
    n = len(lines)
    last = i
    blank_seen = False
    j = i + 1
    while j < n:
        s = _content(lines[j])
        col, idx = _indent(s)
        if idx == len(s):
            if empty and j == i + 1:
                break  # an item can start with at most one blank line
            blank_seen = True
            j += 1
            continue
        if col >= width:
            text = s[idx:]
            if fence is not None:
                if col - width < 4 and _closes(text, fence):
                    fence = None
            elif col - width < 4:
                fence = _fence_of(text) if (text[0] == "`" or text[0] == "~") else None
            lazy_ok = fence is None and col - width < 4
            last = j
            blank_seen = False
            j += 1
            continue
        if fence is not None or blank_seen or not lazy_ok:
            break
        if col < 4:
            text = s[idx:]
            found = classify(text)
            # Any list marker starts a new item here; other blocks only if they may interrupt.
            if found in (BULLET, ORDERED) or interrupts_paragraph(text, found):
                break
        last = j
        j += 1
    entries.append(RawEntry(i, last + 1, "item", col0, marker))
    return last + 1
