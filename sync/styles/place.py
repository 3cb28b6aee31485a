"""Where a new entry goes in a section, and the blank lines that separate it from its neighbours."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Any

from ..identity import parse_arxiv_id
from .entries import doc_cache, entry_fields
from .render import render_entry
from .style import DEFAULT_STYLE, EntryStyle, _spread

_NUMBER_RE = re.compile(r"^([ \t]*)(\d{1,9})[.)][ \t]")
#: Share of neighbouring pairs that must be newest-first before new papers go on top.
SORTED_SHARE = 0.8
ORDER_SAMPLE = 40


@dataclass(frozen=True)
class Insertion:
    """New lines (separator blank lines included) to splice in before line `at_line`."""

    at_line: int
    lines: list[str]


def plan_insertion(doc: Any, section: Any, style: EntryStyle, paper: Any) -> Insertion:
    """Where and what to insert for `paper` in `section`, following the section's order."""
    if style.family == "table" and not any(e.kind == "row" for e in section.entries):
        style = DEFAULT_STYLE  # a table style cannot start a table in a section without one
    section = visible_part(doc, section)
    index = _position(doc, section, paper)
    return insertion_at(doc, section, style, index, render_entry(paper, style))


def insertion_at(
    doc: Any, section: Any, style: EntryStyle, index: int, lines: list[str]
) -> Insertion:
    """Lines that put an entry before the section's entry `index` (or last), gaps learned."""
    entries = section.entries
    lines = _numbered(doc, entries, index, lines)
    if entries and (
        index == 0 or (index < len(entries) and joins_next(doc, entries[index - 1], entries[index]))
    ):
        return Insertion(entries[index].start, lines + [""] * style.gap)
    if entries:
        # Attach to the entry before: an odd gap after it stays with the entry that follows.
        before = entries[min(index, len(entries)) - 1]
        return Insertion(before.end, [""] * style.gap + lines)
    # An empty section: after the heading, with the list's usual gap before and after; after
    # its HTML (a <table> of papers) when it holds some, a blank line ending the HTML block.
    at = _after_html(doc, section)
    lead_gap = style.lead_gap if at is None else max(style.lead_gap, 1)
    at = section.start if at is None else at
    end = min(section.end, len(doc.lines))
    blanks = 0
    while at + blanks < end and not doc.lines[at + blanks].strip():
        blanks += 1
    use = min(blanks, lead_gap)
    after = blanks - use
    trailing = []
    if at + blanks < len(doc.lines) and after < style.tail_gap:
        trailing = [""] * (style.tail_gap - after)
    return Insertion(at + use, [""] * (lead_gap - use) + lines + trailing)


def _html_blocks(doc: Any, section: Any) -> list:
    """The HTML blocks of the section's body, in order."""
    blocks = doc.blocks
    k = bisect.bisect_left(blocks, section.start, key=lambda b: b.start)
    found = []
    while k < len(blocks) and blocks[k].start < section.end:
        if blocks[k].kind == "html":
            found.append(blocks[k])
        k += 1
    return found


def _after_html(doc: Any, section: Any) -> int | None:
    """The line after the last HTML block in the section's body, or None when it has none."""
    found = _html_blocks(doc, section)
    return found[-1].end if found else None


_DETAILS_OPEN = re.compile(r"<details(?=[\s>])", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


def visible_part(doc: Any, section: Any) -> Any:
    """The section with only its entries outside `<details>` folds, when it has both kinds.

    Curators fold old entries away (`<details><summary>Older</summary>`): a new paper joins the
    visible list. A section folded whole keeps all its entries: the fold is then the list.
    """
    entries = section.entries
    folds = []  # (line after the html block, change in <details> depth)
    for b in _html_blocks(doc, section):
        text = "".join(doc.lines[b.start : b.end])
        change = len(_DETAILS_OPEN.findall(text)) - len(_DETAILS_CLOSE.findall(text))
        if change:
            folds.append((b.end, change))
    if not folds or not entries:
        return section
    visible = []
    depth = i = 0
    for entry in entries:
        while i < len(folds) and folds[i][0] <= entry.start:
            depth += folds[i][1]
            i += 1
        if depth <= 0:
            visible.append(entry)
    if not visible or len(visible) == len(entries):
        return section
    return replace(section, _entries=visible, _fill=None)


def _number(doc: Any, entry: Any) -> int | None:
    m = _NUMBER_RE.match(doc.lines[entry.start])
    return int(m.group(2)) if m else None


def _numbered(doc: Any, entries: list, index: int, lines: list[str]) -> list[str]:
    """An ordered-list entry numbered after its neighbour (or like them all, if all say `1.`)."""
    m = _NUMBER_RE.match(lines[0]) if lines else None
    if m is None or not entries:
        return lines
    numbers = [n for n in (_number(doc, e) for e in _spread(list(entries), 20)) if n is not None]
    if not numbers:
        return lines
    if len(set(numbers)) == 1 and len(numbers) > 1:
        number = numbers[0]  # a lazily numbered list (`1.` everywhere) stays lazy
    else:
        before = _number(doc, entries[index - 1]) if 0 < index <= len(entries) else None
        after = _number(doc, entries[index]) if index < len(entries) else None
        number = before + 1 if before is not None else max((after or 2) - 1, 1)
    return [f"{m.group(1)}{number}{lines[0][m.end(2) :]}", *lines[1:]]


def joins_next(doc: Any, before: Any, after: Any) -> bool:
    """Whether an entry between these two joins the one after: only when that one alone is a paper.

    The gap between a paper and other content (a note, a link list) is a block boundary; a new
    paper keeps it and sits with its fellow papers, separated by the list's usual gap.
    """
    return not entry_fields(doc, before).is_paper and entry_fields(doc, after).is_paper


def _key(fields: Any) -> tuple | None:
    if fields.date:
        return ("date", fields.date)
    parsed = parse_arxiv_id(fields.arxiv_id) if fields.arxiv_id else None
    if parsed is not None and "/" not in parsed.base:
        return ("id", parsed.base.split(".")[0], int(parsed.base.split(".")[1]))
    return None


def section_order(doc: Any, section: Any) -> tuple[str, str | None]:
    """(`ascending` | `descending` | `prepend` | `append`, key kind), from a sample of the section."""
    cache = doc_cache(doc).setdefault("orders", {})
    key = section.heading_line, len(section.entries)  # a section, or its visible part
    if key in cache:
        return cache[key]
    sample = _spread(list(section.entries), ORDER_SAMPLE)
    keys = [_key(f) for f in (entry_fields(doc, e) for e in sample) if f.is_paper]
    kind = max(("date", "id"), key=lambda k: sum(1 for x in keys if x and x[0] == k))
    seq = [x for x in keys if x and x[0] == kind]
    up = sum(1 for a, b in zip(seq, seq[1:], strict=False) if a < b)
    down = sum(1 for a, b in zip(seq, seq[1:], strict=False) if a > b)
    order = "append"
    if up + down >= 2 and len(seq) * 2 >= len(keys):
        # Strictly sorted sections keep their order; mostly newest-first ones are where the
        # curator puts new papers on top (batches in any order), and mostly oldest-first ones
        # are where they append.
        if down == 0:
            order = "ascending"
        elif up == 0:
            order = "descending"
        elif down >= SORTED_SHARE * (up + down):
            order = "prepend"
    cache[key] = (order, kind)
    return order, kind


def _position(doc: Any, section: Any, paper: Any) -> int:
    """Index among the section's entries before which `paper` goes; ties and unknowns append."""
    entries = section.entries
    if not entries:
        return 0
    order, kind = section_order(doc, section)
    if order == "append":
        return len(entries)
    from .fields import EntryFields

    first = next((i for i, e in enumerate(entries) if entry_fields(doc, e).is_paper), 0)
    if order == "prepend":
        return first
    mine = _key(EntryFields("x", date=paper.published, arxiv_id=paper.arxiv_id or paper.url))
    if mine is None or mine[0] != kind:
        return first if order == "descending" else len(entries)
    # Binary search over a mostly sorted section: parse only the entries we look at.
    lo, hi = first, len(entries)
    while lo < hi:
        mid = (lo + hi) // 2
        other = _key(entry_fields(doc, entries[mid]))
        if other is None or other[0] != kind:
            other = mine
        before = other >= mine if order == "descending" else other <= mine
        if before:
            lo = mid + 1
        else:
            hi = mid
    return lo
