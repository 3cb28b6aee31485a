"""Where a section's new entries go: by date, on top or at the bottom, learned from its layout
and from where the list's git history put its additions (pure).

The order is learned, not assumed. A section whose entries are in date order (a rank correlation
near +-1 between their position and their date or arXiv id) gets the paper at its date; one that
is only mostly newest first gets it on top, mostly oldest first at the bottom. What the list's own
git history shows (where its last additions went) outweighs a section that is not in date order.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..identity import parse_arxiv_id
from .cache import doc_cache, section_key
from .entries import entry_fields
from .fields import EntryFields

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


@dataclass(frozen=True)
class Placement:
    """Where new entries go in a section: `top`, `bottom`, `newest-first` or `oldest-first`
    (by date), and why, in words a curator can check."""

    rule: str
    why: str


def spread(items: Sequence, limit: int) -> Sequence:
    """Up to `limit` items evenly spread over `items`, in order."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def time_key(fields: EntryFields) -> str | None:
    """When the paper is from, as a sortable `YYYY-MM...` text: its date, else its arXiv id;
    an arXiv id's number orders papers of one month (`.000123` after the date)."""
    parsed = parse_arxiv_id(fields.arxiv_id) if fields.arxiv_id else None
    seq = ""
    if parsed is not None and "/" not in parsed.base:
        yymm, _, number = parsed.base.partition(".")
        seq = f".{int(number or 0):06d}"
        if not fields.date:
            return f"20{yymm[:2]}-{yymm[2:]}-00{seq}"
        if fields.date[2:7].replace("-", "") != yymm:
            seq = ""  # a date of another month than the id's: the number says nothing of it
    return fields.date + seq if fields.date else None


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
        for section in spread(doc.sections_with_entries(), 20):
            found = _pairs(doc, list(visible_part(doc, section).entries), 12)
            total = [a + b for a, b in zip(total, found, strict=True)]
        cache["list_order"] = _tau(tuple(total))
    return cache["list_order"]


def _pairs(doc: Any, entries: list, limit: int) -> tuple[int, int, int]:
    """(concordant, discordant, dated) pairs of a spread of `entries`, by their dates."""
    keys = [k for k in (key_of(doc, e) for e in spread(entries, limit)) if k is not None]
    concordant = discordant = 0
    for i in range(len(keys)):
        for j in range(i + 1, len(keys)):
            c = compare(keys[i], keys[j])
            if c < 0:
                concordant += 1
            elif c > 0:
                discordant += 1
    return concordant, discordant, len(keys)


def _tau(counts: tuple[int, ...]) -> tuple[float, int]:
    concordant, discordant, dated = counts
    pairs = concordant + discordant
    return ((concordant - discordant) / pairs if pairs else 0.0), (dated if pairs else 0)


def key_of(doc: Any, entry: Any) -> tuple | None:
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


def compare(a: tuple, b: tuple) -> int:
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
    key = (section_key(section), _history_key(history))
    if key not in cache:
        cache[key] = learn_placement(doc, visible_part(doc, section), history)
    return cache[key]


def _history_key(history: Any) -> tuple | None:
    """What of the git history a placement depends on (it changes with each commit)."""
    if history is None:
        return None
    return history.total, tuple(sorted(history.counts.items()))


def sort_key(fields: Any) -> tuple[str, ...] | None:
    """A sortable key of when an entry's paper is from (its date, else its arXiv id), or None."""
    key = split_key(time_key(fields)) if fields.title else None
    return None if key is None else tuple(part or "" for part in key)


def html_blocks(doc: Any, section: Any) -> list:
    """The HTML blocks of the section's body, in order."""
    blocks = doc.blocks
    k = bisect.bisect_left(blocks, section.start, key=lambda b: b.start)
    found = []
    while k < len(blocks) and blocks[k].start < section.end:
        if blocks[k].kind == "html":
            found.append(blocks[k])
        k += 1
    return found


_DETAILS_OPEN = re.compile(r"<details(?=[\s>])", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


def visible_part(doc: Any, section: Any) -> Any:
    """The section with only its entries outside `<details>` folds, when it has both kinds.

    Curators fold old entries away (`<details><summary>Older</summary>`): a new paper joins the
    visible list. A section folded whole keeps all its entries: the fold is then the list.
    """
    entries = section.entries
    folds = []  # (line after the html block, change in <details> depth)
    for b in html_blocks(doc, section):
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


def same_kind_part(section: Any, kind: str) -> Any:
    """The section with only its entries of `kind` (item, row, paragraph), when it has others too.

    A section holding a table and a few bullets (surveys above a benchmark table), or a list with
    a closing note paragraph: a new row goes among the rows, a new item among the items, never
    after a note below them.
    """
    entries = section.entries
    same = [e for e in entries if e.kind == kind]
    if not same or len(same) == len(entries):
        return section
    return replace(section, _entries=same, _fill=None)
