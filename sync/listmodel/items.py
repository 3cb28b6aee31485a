"""A top-level list item and all its continuation lines (the scanner's busiest loop)."""

from __future__ import annotations

from .kinds import (
    _COLUMNS,
    ATX,
    BREAK,
    BULLET,
    HTML,
    ORDERED,
    ORDERED_RE,
    SETEXT_RE,
    SPECIAL,
    classify,
    closes,
    columns,
    fence_of,
    interrupts_paragraph,
)
from .lines import leading_columns

# An entry as the scanner reports it: (start, end, kind, indent, marker), a plain tuple
# because the scanner makes one per entry.
RawEntry = tuple[int, int, str, int, str]


def scan_item(
    lines: list[str], i: int, col0: int, rest: str, kind: int, entries: list[RawEntry]
) -> int:
    """A top-level list item from line i with all its continuation lines.

    Continuation: lines indented to the item's content column (after blank lines too, e.g. the
    tab-indented author line of bold-title lists), nested lists, and lazy paragraph lines.
    """
    if kind == BULLET:
        marker = rest[0]
    else:
        m = ORDERED_RE.match(rest)
        assert m is not None
        marker = m.group(0)
    mcol = col0 + len(marker)
    cidx = len(marker) + 1
    if rest[cidx - 1 : cidx] == " " and rest[cidx : cidx + 1] not in ("", " ", "\t"):
        ccol = mcol + 1  # one space after the marker, then text: the usual case
    else:
        ccol, cidx = leading_columns(rest, len(marker), mcol)
    empty = cidx >= len(rest)
    width = mcol + 1 if empty or ccol - mcol > 4 else ccol  # the content column
    fence = fence_of(rest[cidx:]) if not empty and rest[cidx] in "`~" else None
    lazy_ok = (
        not empty and fence is None and ccol - mcol <= 4 and _item_line_is_text(rest[cidx:], False)
    )
    n = len(lines)
    get = _COLUMNS.get
    # The content column of the innermost nested item whose paragraph may be open: a setext
    # underline left of it is that paragraph's lazy text, not a heading (CommonMark).
    para_col = width
    last = i
    blank_seen = False
    j = i + 1
    while j < n:
        line = lines[j]
        c = line[0]
        if c == "\n" or (c == "\r" and not line.strip("\r\n")):
            if empty and j == i + 1:
                break  # an item can start with at most one blank line
            blank_seen = True
            j += 1
            continue
        if c == " " or c == "\t":
            body = line.lstrip(" \t")
            b0 = body[:1]
            if not b0 or ((b0 == "\n" or b0 == "\r") and not body.strip("\r\n")):
                if empty and j == i + 1:
                    break
                blank_seen = True
                j += 1
                continue
            prefix = line[: len(line) - len(body)]
            col = get(prefix)
            if col is None:
                col = columns(prefix)
            if (
                fence is None
                and width <= col < width + 4
                and (b0 not in _ITEM_STOP or (b0 == "*" and body[1:2] not in _STAR_NEXT))
            ):
                # The common case: an indented continuation line of plain text.
                last = j
                lazy_ok = True
                blank_seen = False
                j += 1
                continue
        else:
            col = 0
            body = line
        if col >= width:
            # Inside the item. Track fences so a fenced line is never taken for lazy text.
            if fence is not None:
                if col - width < 4 and closes(body.rstrip("\r\n"), fence):
                    fence = None
                lazy_ok = False
            elif col - width >= 4:
                # Indented code inside the item, unless it continues an open paragraph.
                lazy_ok = lazy_ok and not blank_seen
            else:
                text = body.rstrip("\r\n")
                paragraph_open = lazy_ok and not blank_seen
                if col < para_col and not paragraph_open:
                    para_col = width  # not lazy text: the nested item has ended
                lazy_ok = _item_line_is_text(text, paragraph_open, col < para_col)
                if body[0] in "-*+0123456789":
                    nested = _nested_content_col(text, col)
                    if nested is not None:
                        para_col = nested
                if not lazy_ok and body[0] in "`~":
                    fence = fence_of(text)
            last = j
            blank_seen = False
            j += 1
            continue
        if fence is not None or blank_seen or not lazy_ok:
            break
        if col < 4 and body[0] in SPECIAL:
            b0 = body[0]
            if (b0 == "-" or b0 == "*" or b0 == "+") and body[1:2] in (" ", "\t", "\n", "\r", ""):
                break  # the next bullet (or a break): no need to classify it
            text = body.rstrip("\r\n")
            found = classify(text)
            # Any list marker starts a new item here; other blocks only if they may interrupt.
            if found in (BULLET, ORDERED) or interrupts_paragraph(text, found):
                break
        last = j
        j += 1
    entries.append((i, last + 1, "item", col0, marker))
    return last + 1


# First characters of an item's continuation line that may make it something other than
# paragraph text (heading, break, setext underline, fence, HTML); "*" is checked further.
_ITEM_STOP = frozenset("#`~<=-_*")
_STAR_NEXT = ("*", " ", "\t")


def _nested_content_col(text: str, col: int) -> int | None:
    """The content column of a nested list item starting `text` (at column `col`), if it is one."""
    found = classify(text)
    if found == BULLET:
        return col + 2
    if found == ORDERED:
        m = ORDERED_RE.match(text)
        return col + len(m.group(0)) + 1 if m else None
    return None


def _item_line_is_text(text: str, paragraph_open: bool, lazy: bool = False) -> bool:
    """Whether a line inside an item (after its indent) leaves paragraph text open after it.

    `lazy`: the line sits left of the nested item whose paragraph is open, so it can only be
    that paragraph's continuation (a setext underline cannot be lazy).
    """
    c = text[0]
    if (c == "`" or c == "~") and fence_of(text) is not None:
        return False
    if paragraph_open and not lazy and (c == "=" or c == "-") and SETEXT_RE.match(text):
        return False  # the underline of a setext heading inside the item
    return classify(text) not in (ATX, BREAK, HTML)
