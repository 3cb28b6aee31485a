"""Where a new entry goes in a section, and the blank lines that separate it from its neighbours.

The order is learned, not assumed. A section whose entries are in date order (a rank correlation
near ±1 between their position and their date or arXiv id) gets the paper at its date; one that
is only mostly newest first gets it on top, mostly oldest first at the bottom. What the list's own
git history shows (where its last additions went) outweighs a section that is not in date order.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from typing import Any

from .entries import doc_cache, entry_fields
from .render import write_entry
from .style import _spread, _style_key, time_key
from .template import EntryTemplate

_NUMBER_RE = re.compile(r"^([ \t]*)(\d{1,9})[.)][ \t]")
#: |rank correlation| at or above which a section is in date order, and new papers go by date.
SORTED_TAU = 0.9
#: The same over the list's sections together, where sections in other orders add noise.
LIST_SORTED_TAU = 0.85
#: |rank correlation| at or above which a section leans one way: new papers at that end.
LEANING_TAU = 0.15
#: A section of this few dated entries leans one way only when its correlation is this strong:
#: three or four entries show a weak lean by chance (Kendall's tau of 3 entries is +-1/3 or +-1).
SMALL_SECTION = 6
SMALL_LEANING_TAU = 0.5
ORDER_SAMPLE = 40
#: A section needs this many dated entries before its order says anything.
MIN_KEYED = 3
#: Share of the list's recent additions that must agree before the history decides.
HISTORY_SHARE = 0.7
#: Sections this long are searched by halves instead of scanned (only dated order is searched).
SCAN_LIMIT = 2000


@dataclass(frozen=True)
class Insertion:
    """New lines (separator blank lines included) to splice in before line `at_line`."""

    at_line: int
    lines: list[str]
    left_out: tuple[str, ...] = ()
    placement: str = ""


@dataclass(frozen=True)
class Placement:
    """Where new entries go in a section: `top`, `bottom`, `newest-first` or `oldest-first`
    (by date), and why, in words a curator can check."""

    rule: str
    why: str


def learn_placement(doc: Any, section: Any, history: Any = None) -> Placement:
    """The section's placement rule, from its layout and (when given) the list's git history."""
    tau, keyed = _order(doc, section)
    whose = "this section"
    if keyed < MIN_KEYED or abs(tau) < _leaning_tau(keyed):
        # Too few dated entries, or no lean: the list's sections together say how it is kept
        # (a section of two entries in order says so only when the list says nothing).
        list_tau, list_keyed = _list_order(doc)
        if list_keyed >= MIN_KEYED and abs(list_tau) >= LEANING_TAU:
            tau, keyed = list_tau, list_keyed
            whose = "this list"
    if keyed >= MIN_KEYED and abs(tau) >= (
        SORTED_TAU if whose == "this section" else LIST_SORTED_TAU
    ):
        rule = "newest-first" if tau < 0 else "oldest-first"
        return Placement(
            rule,
            f"by date, {rule.replace('-', ' ')}: {whose}'s {keyed} dated entries are in date "
            f"order (rank correlation {tau:+.2f})",
        )
    if history is not None and history.total >= MIN_KEYED:
        for end, words in (("top", "on top"), ("bottom", "at the bottom")):
            share = history.counts.get(end, 0) / history.total
            if share >= HISTORY_SHARE:
                return Placement(
                    end,
                    f"{end}: {history.counts[end]} of the last {history.total} additions to this "
                    f"list went {words} (its git history)",
                )
    if keyed >= 2 and tau <= -LEANING_TAU:
        return Placement(
            "top",
            f"top: {whose} is mostly newest first (rank correlation {tau:+.2f} over {keyed} "
            "dated entries)",
        )
    if keyed >= 2 and tau >= LEANING_TAU:
        return Placement(
            "bottom",
            f"bottom: {whose} is mostly oldest first (rank correlation {tau:+.2f} over "
            f"{keyed} dated entries)",
        )
    return Placement("bottom", f"bottom: {whose} is in no date order; new entries go last")


def _leaning_tau(keyed: int) -> float:
    """The |rank correlation| at which a section of `keyed` dated entries leans one way."""
    return SMALL_LEANING_TAU if keyed <= SMALL_SECTION else LEANING_TAU


def _order(doc: Any, section: Any) -> tuple[float, int]:
    """Kendall's tau between the position and the date of a sample of the section's papers."""
    cache = doc_cache(doc).setdefault("orders", {})
    key = section.heading_line, len(section.entries)  # a section, or its visible part
    if key not in cache:
        cache[key] = _tau(_pairs(doc, list(section.entries), ORDER_SAMPLE))
    return cache[key]


def _list_order(doc: Any) -> tuple[float, int]:
    """Kendall's tau over the list's sections together (pairs within each section only)."""
    cache = doc_cache(doc)
    if "list_order" not in cache:
        total = [0, 0, 0]
        for section in _spread(doc.sections_with_entries(), 20):
            found = _pairs(doc, list(visible_part(doc, section).entries), 12)
            total = [a + b for a, b in zip(total, found, strict=True)]
        cache["list_order"] = _tau(tuple(total))
    return cache["list_order"]


def _pairs(doc: Any, entries: list, limit: int) -> tuple[int, int, int]:
    """(concordant, discordant, dated) pairs of a spread of `entries`, by their dates."""
    keys = [k for k in (_key_of(doc, e) for e in _spread(entries, limit)) if k is not None]
    concordant = discordant = 0
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            c = _compare(keys[i], keys[j])
            if c < 0:
                concordant += 1
            elif c > 0:
                discordant += 1
    return concordant, discordant, len(keys)


def _tau(counts: tuple[int, ...]) -> tuple[float, int]:
    concordant, discordant, dated = counts
    pairs = concordant + discordant
    return ((concordant - discordant) / pairs if pairs else 0.0), (dated if pairs else 0)


def _key_of(doc: Any, entry: Any) -> tuple | None:
    fields = entry_fields(doc, entry)
    return split_key(time_key(fields)) if fields.title else None


def split_key(key: str | None) -> tuple | None:
    """`2024-07-15` or an arXiv-derived `2024-07-00.012345` as comparable parts."""
    if not key:
        return None
    date, _, seq = key.partition(".")
    parts = date.split("-")
    year = parts[0]
    month = parts[1] if len(parts) > 1 else None
    day = parts[2] if len(parts) > 2 and parts[2] != "00" else None
    return (year, month, day, seq or None)


def _compare(a: tuple, b: tuple) -> int:
    """-1, 0 or 1 comparing two keys on the parts both have (year, month, day, arXiv number)."""
    for k, (x, y) in enumerate(zip(a, b, strict=True)):
        if x is None or y is None:
            if k < 2:
                return 0  # a year-only date says nothing of the month or what follows
            continue
        if x != y:
            return -1 if x < y else 1
    return 0


def placement_for(doc: Any, section: Any, history: Any = None) -> Placement:
    """The placement rule of a section's visible part (entries folded in `<details>` aside),
    learned once per file state: our own insertions carry it on (`carry_list_habits`)."""
    cache = doc_cache(doc).setdefault("placements", {})
    key = (_style_key(section), _history_key(history))
    if key not in cache:
        cache[key] = learn_placement(doc, visible_part(doc, section), history)
    return cache[key]


def _history_key(history: Any) -> tuple | None:
    """What of the git history a placement depends on (it changes with each commit)."""
    if history is None:
        return None
    return history.total, tuple(sorted(history.counts.items()))


def plan_insertion(
    doc: Any, section: Any, template: EntryTemplate, paper: Any, placement: Placement | None = None
) -> Insertion:
    """Where and what to insert for `paper` in `section`, following the section's order."""
    if template.container == "row" and not any(e.kind == "row" for e in section.entries):
        template = _without_rows(template)  # a table style cannot start a table in this section
    section = visible_part(doc, section)
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
    from .defaults import default_template
    from .template import learn_template

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


def _in_html_block(doc: Any, line: int) -> bool:
    """Whether line index `line` is inside an HTML block (which only a blank line ends)."""
    blocks = doc.blocks
    k = bisect.bisect_right(blocks, line, key=lambda b: b.start) - 1
    return k >= 0 and blocks[k].kind == "html" and blocks[k].start <= line < blocks[k].end


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


def section_order(doc: Any, section: Any) -> tuple[str, str | None]:
    """(`ascending` | `descending` | `prepend` | `append`, key kind), from the section's layout;
    entries compare by `sort_key`."""
    rule = learn_placement(doc, section).rule
    order = {"newest-first": "descending", "oldest-first": "ascending", "top": "prepend"}
    return order.get(rule, "append"), "time"


def sort_key(fields: Any) -> tuple[str, ...] | None:
    """A sortable key of when an entry's paper is from (its date, else its arXiv id), or None."""
    key = split_key(time_key(fields)) if fields.title else None
    return None if key is None else tuple(part or "" for part in key)


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
    from .fields import EntryFields

    mine = split_key(time_key(EntryFields("x", date=paper.published, arxiv_id=_arxiv(paper))))
    newest_first = placement.rule == "newest-first"
    if mine is None:
        return first if newest_first else len(entries)
    if len(entries) > SCAN_LIMIT:
        return _search(doc, entries, first, mine, newest_first)
    # The place that leaves the fewest dated entries out of order (robust to a few exceptions).
    keys = [_key_of(doc, e) for e in entries]
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
        if cut < len(entries) and keys[cut] is not None:
            if _out_of_place(keys[cut], mine, newest_first, below=True):
                below_wrong -= 1
            if _out_of_place(keys[cut], mine, newest_first, below=False):
                above_wrong += 1
    return best


def _out_of_place(key: tuple, mine: tuple, newest_first: bool, *, below: bool) -> bool:
    """Whether an entry with `key` would be out of order on that side of the new paper."""
    c = _compare(key, mine)
    if below:
        return c > 0 if newest_first else c < 0
    return c < 0 if newest_first else c > 0


def _search(doc: Any, entries: list, first: int, mine: tuple, newest_first: bool) -> int:
    lo, hi = first, len(entries)
    while lo < hi:
        mid = (lo + hi) // 2
        other = _key_of(doc, entries[mid])
        c = _compare(other, mine) if other is not None else 0
        goes_before = c > 0 if newest_first else c <= 0
        if goes_before:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _arxiv(paper: Any) -> str | None:
    from .values import arxiv_of

    return arxiv_of(paper)
