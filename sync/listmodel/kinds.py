"""What a single line can start: ATX headings, fences, quotes, breaks, list markers, HTML, tables."""

from __future__ import annotations

import re

from .lines import leading_columns

# Kinds of line a block can start with (ints: compared in the hot loops).
TEXT, ATX, FENCE, QUOTE, BREAK, BULLET, ORDERED, HTML = range(8)

# First characters (after the indent) of every line that may start a block or end a paragraph.
# A line starting with anything else is plain text: the hot loops skip it without a regex.
SPECIAL = frozenset("#`~>-*+_<=0123456789")

ATX_RE = re.compile(r"(#{1,6})(?:[ \t]+(.*?))?[ \t]*$")
_ATX_CLOSE = re.compile(r"(?:^|[ \t]+)#+$")
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})(.*)$")
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,})[ \t]*$")
SETEXT_RE = re.compile(r"(?:=+|-+)[ \t]*$")
ORDERED_RE = re.compile(r"(\d{1,9})([.)])(?=[ \t]|$)")
_DELIM_ROW = re.compile(r"[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# A one-line link reference definition: `[label]: destination "optional title"`.
_REF_DEF = re.compile(
    r" {0,3}\[((?:[^\]\[\\]|\\.)+)\]:[ \t]*(?:<[^<>]*>|[^<\s]\S*)"
    r"""(?:[ \t]+(?:"[^"]*"|'[^']*'|\([^()]*\)))?[ \t]*$"""
)
_PIPE = re.compile(r"(?<!\\)\|")

_HTML1 = re.compile(r"<(?:script|pre|style|textarea)(?:[ \t>]|$)", re.IGNORECASE)
HTML1_END = re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)
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
_TAG_START = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:[ \t/>]|$)")
HTML_END = {2: "-->", 3: "?>", 4: ">", 5: "]]>"}

_COLUMNS: dict[str, int] = {}


def columns(prefix: str) -> int:
    """Width in columns of a run of spaces and tabs (tab stops every 4), memoised."""
    col = _COLUMNS.get(prefix)
    if col is None:
        col = leading_columns(prefix)[0]
        if len(_COLUMNS) < 4096:  # indents repeat; the bound keeps odd inputs from growing it
            _COLUMNS[prefix] = col
    return col


def measure(line: str) -> tuple[int, str] | None:
    """(indent columns, text after the indent with its ending) of a line; None if blank."""
    c = line[:1]
    if c == " " or c == "\t":
        body = line.lstrip(" \t")
        if not body.strip("\r\n"):
            return None
        return columns(line[: len(line) - len(body)]), body
    if not line.strip("\r\n"):
        return None
    return 0, line


def atx_heading(rest: str) -> tuple[int, str] | None:
    """(level, title) of an ATX heading line (`rest` after the indent, no ending), or None."""
    m = ATX_RE.match(rest)
    if m is None:
        return None
    return len(m.group(1)), _ATX_CLOSE.sub("", m.group(2) or "").strip(" \t")


def html_kind(rest: str) -> int:
    """CommonMark HTML block start condition (1-7) of a line's text, or 0."""
    second = rest[1:2]
    if second != "!" and second != "?" and not _TAG_START.match(rest):
        return 0  # e.g. an autolink `<https://...>`: the common case in lists, rejected early
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
    """What block a line at indent 0-3 starts (`rest`: the text after the indent, no ending)."""
    c = rest[:1]
    if c == "#":
        if ATX_RE.match(rest):
            return ATX
    elif c == "`" or c == "~":
        if fence_of(rest) is not None:
            return FENCE
    elif c == ">":
        return QUOTE
    elif c == "-" or c == "*" or c == "+":
        # A break is only its character, spaces and tabs: test that before any regex.
        if not rest.strip(c + " \t") and rest.count(c) >= 3:
            return BREAK
        if len(rest) == 1 or rest[1] == " " or rest[1] == "\t":
            return BULLET
    elif c == "_":
        if not rest.strip("_ \t") and rest.count("_") >= 3:
            return BREAK
    elif c == "<":
        if html_kind(rest):
            return HTML
    elif "0" <= c <= "9" and ORDERED_RE.match(rest):
        return ORDERED
    return TEXT


def interrupts_paragraph(rest: str, kind: int) -> bool:
    """Whether a line of this kind ends a paragraph (CommonMark's interruption rules)."""
    if kind == TEXT:
        return False
    if kind == BULLET:
        return bool(rest[1:].strip(" \t"))
    if kind == ORDERED:
        m = ORDERED_RE.match(rest)
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
    found = measure(lines[i + 1])
    if found is None or found[0] >= 4:
        return False
    nxt = found[1].rstrip("\r\n")
    if not _DELIM_ROW.match(nxt):
        return False
    return _cells(rest) == _cells(nxt)


def fence_of(text: str) -> tuple[str, int] | None:
    """(char, length) of a fence opener at the start of `text` (no ending), or None."""
    m = _FENCE_OPEN.match(text)
    if m is None or (text[0] == "`" and "`" in m.group(2)):
        return None
    return text[0], len(m.group(1))


def closes(text: str, fence: tuple[str, int]) -> bool:
    """Whether `text` (after its indent, no ending) closes the open `fence`."""
    m = _FENCE_CLOSE.match(text)
    return m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= fence[1]


def is_reference_definition(text: str) -> bool:
    """Whether a line (no ending) is a one-line link reference definition, e.g. `[1]: url`."""
    m = _REF_DEF.match(text)
    return m is not None and bool(m.group(1).strip())
