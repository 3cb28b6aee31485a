"""Where a new entry goes in a section and the lines that put it there: its position by the
section's placement rule (`order`), its blank lines, its number in an ordered list (pure)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Any

from .cache import doc_cache
from .entries import entry_fields
from .fields import EntryFields
from .order import (
    Placement,
    compare,
    html_blocks,
    key_of,
    learn_placement,
    same_kind_part,
    split_key,
    spread,
    time_key,
    visible_part,
)
from .render import write_entry
from .style import default_template
from .template import EntryTemplate, learn_template
from .values import arxiv_of

#: An entry's number: an ordered item's (`12. `), or a paragraph's label (`**[12]** `, `[12] `).
_NUMBER_RE = re.compile(r"^([ \t]*|[ \t]*\*\*\[|[ \t]*\[)(\d{1,9})(?:[.)][ \t]|\](?:\*\*)?[ \t])")
#: Sections this long are searched by halves instead of scanned (only dated order is searched).
SCAN_LIMIT = 2000


@dataclass(frozen=True)
class Insertion:
    """New lines (separator blank lines included) to splice in before line `at_line`."""

    at_line: int
    lines: list[str]
    left_out: tuple[str, ...] = ()
    placement: str = ""


def plan_insertion(
    doc: Any, section: Any, template: EntryTemplate, paper: Any, placement: Placement | None = None
) -> Insertion:
    """Where and what to insert for `paper` in `section`, following the section's order."""
    if template.container == "row" and not any(e.kind == "row" for e in section.entries):
        template = _without_rows(template)  # a table style cannot start a table in this section
    section = same_kind_part(visible_part(doc, section), template.container)
    placement = placement or learn_placement(doc, section)
    index = _position(doc, section, paper, placement)
    written = write_entry(paper, template)
    plan = insertion_at(doc, section, template, index, repaired(doc, written.lines))
    return replace(plan, left_out=written.left_out, placement=placement.why)


_SUSPECT_RE = re.compile(r"[^\x00-\x7f]{2,}")


def repaired(doc: Any, lines: list[str]) -> list[str]:
    """New lines with any mojibake repaired, as `papershelf check` would repair it: a separator
    copied from a garbled list (`¬∑` for `·`) is written as it was meant, not flagged later."""
    if not any(_SUSPECT_RE.search(line) for line in lines):
        return lines
    from ..check.mojibake import document_evidence, fix_mojibake

    cache = doc_cache(doc)
    if "mojibake_evidence" not in cache:
        cache["mojibake_evidence"] = document_evidence(doc.lines)
    return [fix_mojibake(line, cache["mojibake_evidence"]) for line in lines]


def _without_rows(template: EntryTemplate) -> EntryTemplate:
    items = [e for e in template.examples if e.shape.container != "row"]
    if not items:
        return default_template()
    return replace(
        learn_template(items),
        gap=template.gap,
        lead_gap=template.lead_gap,
        tail_gap=template.tail_gap,
    )


def insertion_at(doc: Any, section: Any, template: Any, index: int, lines: list[str]) -> Insertion:
    """Lines that put an entry before the section's entry `index` (or last), gaps learned."""
    entries = section.entries
    lines = _numbered(doc, entries, index, lines)
    if entries and (
        index == 0 or (index < len(entries) and joins_next(doc, entries[index - 1], entries[index]))
    ):
        return Insertion(entries[index].start, lines + [""] * template.gap)
    if entries:
        # Attach to the entry before: an odd gap after it stays with the entry that follows.
        before = entries[min(index, len(entries)) - 1]
        return Insertion(before.end, [""] * template.gap + lines)
    # An empty section: after the heading, with the list's usual gap before and after; after
    # its HTML (a <table> of papers) when it holds some, a blank line ending the HTML block.
    at = _after_html(doc, section)
    lead_gap = template.lead_gap if at is None else max(template.lead_gap, 1)
    at = section.start if at is None else at
    if at > 0 and doc.lines[at - 1].strip() and _in_html_block(doc, at - 1):
        lead_gap = max(lead_gap, 1)  # an HTML heading block goes on until a blank line
    end = min(section.end, len(doc.lines))
    blanks = 0
    while at + blanks < end and not doc.lines[at + blanks].strip():
        blanks += 1
    use = min(blanks, lead_gap)
    after = blanks - use
    trailing = []
    if at + blanks < len(doc.lines) and after < template.tail_gap:
        trailing = [""] * (template.tail_gap - after)
    return Insertion(at + use, [""] * (lead_gap - use) + lines + trailing)


def _in_html_block(doc: Any, line: int) -> bool:
    """Whether line index `line` is inside an HTML block (which only a blank line ends)."""
    blocks = doc.blocks
    k = bisect.bisect_right(blocks, line, key=lambda b: b.start) - 1
    return k >= 0 and blocks[k].kind == "html" and blocks[k].start <= line < blocks[k].end


def _after_html(doc: Any, section: Any) -> int | None:
    """The line after the last HTML block in the section's body, or None when it has none."""
    found = html_blocks(doc, section)
    return found[-1].end if found else None


def _number(doc: Any, entry: Any) -> int | None:
    m = _NUMBER_RE.match(doc.lines[entry.start])
    return int(m.group(2)) if m else None


def _numbered(doc: Any, entries: list, index: int, lines: list[str]) -> list[str]:
    """An ordered-list entry numbered after its neighbour (or like them all, if all say `1.`)."""
    m = _NUMBER_RE.match(lines[0]) if lines else None
    if m is None or not entries:
        return lines
    numbers = [n for n in (_number(doc, e) for e in spread(list(entries), 20)) if n is not None]
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


def section_order(doc: Any, section: Any) -> tuple[str, str | None]:
    """(`ascending` | `descending` | `prepend` | `append`, key kind), from the section's layout;
    entries compare by `sort_key`."""
    rule = learn_placement(doc, section).rule
    order = {"newest-first": "descending", "oldest-first": "ascending", "top": "prepend"}
    return order.get(rule, "append"), "time"


def _position(doc: Any, section: Any, paper: Any, placement: Placement) -> int:
    """Index among the section's entries before which `paper` goes."""
    entries = section.entries
    if not entries:
        return 0
    first = next((i for i, e in enumerate(entries) if entry_fields(doc, e).is_paper), 0)
    # The top of the section's list: above other links written as the papers are (a repo, a
    # talk), below an intro of another kind (a paragraph before the list).
    kind = entries[first].kind
    first = next((i for i in range(first) if entries[i].kind == kind), first)
    if placement.rule == "top":
        return first
    if placement.rule == "bottom":
        return len(entries)
    mine = split_key(time_key(EntryFields("x", date=paper.published, arxiv_id=arxiv_of(paper))))
    newest_first = placement.rule == "newest-first"
    if mine is None:
        return first if newest_first else len(entries)
    if len(entries) > SCAN_LIMIT:
        return _search(doc, entries, first, mine, newest_first)
    # The place that leaves the fewest dated entries out of order (robust to a few exceptions).
    keys = [key_of(doc, e) for e in entries]
    best, best_cost = len(entries), None
    above_wrong = 0  # entries above the cut that should be below the paper
    below_wrong = sum(
        1
        for k in keys[first:]
        if k is not None and _out_of_place(k, mine, newest_first, below=True)
    )
    for cut in range(first, len(entries) + 1):
        cost = above_wrong + below_wrong
        if best_cost is None or cost < best_cost or (cost == best_cost and not newest_first):
            best, best_cost = cut, cost
        key = keys[cut] if cut < len(entries) else None
        if key is not None:
            if _out_of_place(key, mine, newest_first, below=True):
                below_wrong -= 1
            if _out_of_place(key, mine, newest_first, below=False):
                above_wrong += 1
    return best


def _out_of_place(key: tuple, mine: tuple, newest_first: bool, *, below: bool) -> bool:
    """Whether an entry with `key` would be out of order on that side of the new paper."""
    c = compare(key, mine)
    if below:
        return c > 0 if newest_first else c < 0
    return c < 0 if newest_first else c > 0


def _search(doc: Any, entries: list, first: int, mine: tuple, newest_first: bool) -> int:
    lo, hi = first, len(entries)
    while lo < hi:
        mid = (lo + hi) // 2
        other = key_of(doc, entries[mid])
        c = compare(other, mine) if other is not None else 0
        goes_before = c > 0 if newest_first else c <= 0
        if goes_before:
            lo = mid + 1
        else:
            hi = mid
    return lo
