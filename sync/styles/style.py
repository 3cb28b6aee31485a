"""Entry styles learned from a list's own entries: the section's majority first, then the list's."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from .body import arxiv_form
from .entries import doc_cache, entry_fields
from .fields import ELLIPSIS, EntryFields
from .table import carry_separators
from .text import DateStyle, learn_dates, majority

#: Bounded samples keep inference fast on 50,000-entry lists (see docs/performance.md).
SECTION_SAMPLE = 60
LIST_SAMPLE = 80
#: Pairs of neighbouring entries looked at to learn the blank lines between entries.
GAP_SAMPLE = 20
#: Lines scanned for the shapes of arXiv links (all of them in any list shorter than this).
FORM_LINES = 2000
_ARXIV_LINK_RE = re.compile(
    r"\]\(<?(https?://(?:[\w-]+\.)*arxiv\.org/[^\s)>]+)>?\)|<(https?://(?:[\w-]+\.)*arxiv\.org/[^\s>]+)>"
)
#: A list needs this many arXiv links before their shape is a convention new links must follow.
MIN_CONVENTION = 5
#: A section needs this many examples of a detail before its own majority beats the list's.
SECTION_MIN = 3


@dataclass(frozen=True)
class EntryStyle:
    """How a list writes an entry; `other` is how it writes papers that have no arXiv id."""

    family: str
    marker: str = "-"
    indent: str = ""
    space: str = " "
    dates: DateStyle = field(default_factory=DateStyle)
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    other: EntryStyle | None = None
    gap: int = 0  # blank lines between two entries
    lead_gap: int = 1  # blank lines between a heading and its first entry
    tail_gap: int = 1  # blank lines between a section's last entry and what follows


#: The style of a list with no paper entries to learn from: `- [Title](abs url), Mon. D YYYY.`
DEFAULT_STYLE = EntryStyle(
    family="link_date",
    details={
        "sep0": ", ",
        "terms": {"slot": ".", "code": ".", "link": ".", "tags": "."},
        "piece_gap": " ",
        "url_form": ("https", "arxiv.org", "abs", False, ""),
        "forms": frozenset(),
        "trail": {},
        "venue_date": False,
    },
)


def _spread(items: Sequence, limit: int) -> Sequence:
    """Up to `limit` items evenly spread over `items`, in order."""
    if len(items) <= limit:
        return items
    step = len(items) / limit
    return [items[int(i * step)] for i in range(limit)]


def _papers(doc: Any, entries: list) -> list[EntryFields]:
    out = []
    for entry in entries:
        fields = entry_fields(doc, entry)
        if fields.is_paper:
            out.append(fields)
    return out


def infer_style(doc: Any, section: Any) -> EntryStyle:
    """The style for a new entry in `section`: learned from its entries, else the list's."""
    cache = doc_cache(doc).setdefault("styles", {})
    key = _style_key(section)
    if key not in cache:
        # Sampled by index: a big section's other entries are never built.
        sample = _spread(doc.entry_indexes(section), SECTION_SAMPLE)
        own = _papers(doc, [doc.entry(i) for i in sample])
        if "list_sample" not in doc_cache(doc):
            spread = _spread(range(doc.entry_count), LIST_SAMPLE)
            doc_cache(doc)["list_sample"] = _papers(doc, [doc.entry(i) for i in spread])
        cache[key] = _learn(doc, section, own, doc_cache(doc)["list_sample"])
    return cache[key]


def _learn(doc: Any, section: Any, own: list[EntryFields], whole: list[EntryFields]) -> EntryStyle:
    pool = own or whole
    if not pool:
        return _with_gaps(DEFAULT_STYLE, doc, section, own)

    def family(with_id: bool) -> str | None:
        # Papers with and without an arXiv id are often written differently (003/004 seeds).
        mine = [f.family for f in own if bool(f.arxiv_id) == with_id]
        return majority(mine) or majority(f.family for f in whole if bool(f.arxiv_id) == with_id)

    fam_arxiv, fam_other = family(True), family(False)
    primary = fam_arxiv or fam_other
    style = _build(doc, primary, own, whole)
    if fam_other and fam_other != primary:
        style = replace(style, other=_build(doc, fam_other, own, whole))
    return _with_gaps(style, doc, section, own)


def _build(doc: Any, family: str, own: list[EntryFields], whole: list[EntryFields]) -> EntryStyle:
    same = [f for f in own if f.family == family]
    every = [f for f in whole if f.family == family] or same

    def pick(getter: Callable[[EntryFields], Any], default: Any = None) -> Any:
        values = [v for v in map(getter, same) if v is not None]
        if len(values) >= SECTION_MIN:
            return majority(values, default)
        return majority((v for v in map(getter, every) if v is not None), default)

    def lay(name: str, default: Any = None) -> Any:
        return pick(lambda f: f.layout.get(name), default)

    pool = same if len(same) >= SECTION_MIN else every
    details: dict[str, Any] = {
        "trail": {
            n: pick(lambda f, n=n: f.layout.get("trail") if _lines(f) == n else None)
            for n in (1, 2)
        },
        "title_cont": lay("title_cont"),
        "note_indent": lay("note_indent"),
        "note_wrap": lay("note_wrap"),
        "authors": _author_rule(pool),
        "title_escapes": _title_escapes(every),
    }

    def lay_any(name: str, default: Any = None) -> Any:
        # Author/link sub-lines are a list-wide habit: learn them from any family if need be.
        found = lay(name)
        if found is None:
            found = majority((f.layout.get(name) for f in [*own, *whole]), default)
        return found

    details.update(_subline_details(pick, lay_any))
    if family in ("link_date", "plain_link"):
        details.update(_link_details(pool, pick, lay))
    elif family == "bold_arxiv":
        details.update(_bold_details(pool, every, pick, lay))
    elif family == "blog":
        details.update(_blog_details(pool, pick, lay))
    elif family == "table":
        details.update(_table_details(pool, pick, lay))
    elif family == "link_set":
        from .linkset import learn

        details.update(learn(pool, pick))
    forms = Counter(_form(f.url) for f in pool if f.url and _form(f.url))
    # Every link shape the list uses anywhere is in its style; the majority is for bare ids.
    seen = link_forms(doc)
    details["forms"] = frozenset(seen) | frozenset(forms)
    # Too few arXiv links to call it a convention: a clipped link is then kept as given.
    details["convention"] = sum(seen.values()) >= MIN_CONVENTION
    details.setdefault("url_form", forms.most_common(1)[0][0] if forms else None)
    # Dates: the section's own first, then the list's, so rarer precisions are known too.
    dates = learn_dates(f.layout["date"] for f in [*same, *every] if f.layout.get("date"))
    return EntryStyle(
        family=family,
        marker=lay("marker", "-"),
        indent=lay("indent", ""),
        space=lay("space", " "),
        dates=dates,
        details=details,
    )


def _title_escapes(pool: list[EntryFields]) -> tuple[str, ...]:
    """Characters the list escapes in titles more often than it leaves them bare."""
    out = []
    for ch in "_*#<>|~":
        escaped = sum(1 for f in pool if f.title_raw and "\\" + ch in f.title_raw)
        bare = sum(1 for f in pool if f.title_raw and ch in f.title_raw.replace("\\" + ch, ""))
        if escaped > bare:
            out.append(ch)
    return tuple(out)


def _style_key(section: Any) -> tuple:
    """Where `infer_style` keeps a section's style in the document's cache."""
    return getattr(section, "heading_line", None), getattr(section, "address", None)


#: Lists of this many entries or more learn their list-wide habits from spread samples.
CARRY_MIN_ENTRIES = 5_000
_LIST_WIDE_KEYS = ("list_sample", "list_gaps", "link_forms")
#: Sections of this many entries or more keep their learned style across an insertion into them:
#: their style is learned from a spread that skips three entries in four, which one more entry
#: does not move.
CARRY_MIN_SECTION_ENTRIES = 4 * SECTION_SAMPLE


def carry_list_habits(
    old: Any, new: Any, section: Any = None, at_line: int | None = None, count: int = 0
) -> None:
    """Let `new` (`old` with one entry of `count` lines put in `section` at `at_line`) reuse
    what `old` learned.

    Table heads are carried exactly. Samples only on long lists (and long sections), where
    those habits are estimates from a spread sample that one more entry does not move; shorter
    ones are learned again, exactly, at little cost. The section keeps its key: its heading is
    above the insertion, so it did not move.
    """
    if at_line is not None:
        carry_separators(old, new, at_line, count)
    if new.entry_count < CARRY_MIN_ENTRIES:
        return
    learned, fresh = doc_cache(old), doc_cache(new)
    for key in _LIST_WIDE_KEYS:
        if key in learned:
            fresh.setdefault(key, learned[key])
    if section is None or len(old.entry_indexes(section)) < CARRY_MIN_SECTION_ENTRIES:
        return
    key = _style_key(section)
    style = learned.get("styles", {}).get(key)
    if style is not None:
        fresh.setdefault("styles", {}).setdefault(key, style)


def link_forms(doc: Any) -> Counter:
    """Every shape of arXiv link the list writes, counted over its lines (a spread on huge lists)."""
    cache = doc_cache(doc)
    if "link_forms" not in cache:
        lines = _spread(doc.lines, FORM_LINES)
        found = Counter()
        for line in lines:
            if "arxiv.org" in line:
                for m in _ARXIV_LINK_RE.finditer(line):
                    form = _form(m.group(1) or m.group(2))
                    if form:
                        found[form] += 1
        cache["link_forms"] = found
    return cache["link_forms"]


def _lines(f: EntryFields) -> int:
    return 1 if f.layout.get("head_lines", 1) == 1 else 2


def _form(url: str | None) -> tuple | None:
    return arxiv_form(url) if url else None


def _author_rule(pool: Iterable[EntryFields]) -> tuple | None:
    """How the list shortens long author lists: ("elide", head, tail), ("cap", n) or None."""
    shown = [f.authors for f in pool if f.authors and f.family != "blog"]
    elided = [(a.index(ELLIPSIS), len(a) - a.index(ELLIPSIS) - 1) for a in shown if ELLIPSIS in a]
    if elided:
        head, tail = majority(elided)
        return ("elide", head, tail)
    lengths = Counter(len(a) for a in shown)
    if lengths:
        top = max(lengths)
        # Many entries stopping at exactly the same, largest count is a cap, not a coincidence.
        if top >= 5 and lengths[top] >= 3 and lengths[top] >= sum(lengths.values()) / 10:
            return ("cap", top)
    return None


def _subline_details(pick: Callable, lay: Callable) -> dict[str, Any]:
    return {
        "sub_gap": pick(lambda f: f.layout["sub_gaps"][0] if f.layout.get("sub_gaps") else None, 1),
        "sub_indent": lay("sub_indent"),
        "author_wrap": lay("author_wrap", "*"),
        "part_sep": lay("part_sep", "·"),
        "code_template": lay("code_template"),
        "code_first": lay("code_first", True),
    }


def _link_details(pool: list[EntryFields], pick: Callable, lay: Callable) -> dict[str, Any]:
    terms = {}
    for kind in ("slot", "code", "link", "tags"):
        terms[kind] = pick(lambda f, k=kind: _term(f, k), ".")
    return {
        "sep0": lay("sep0", ", "),
        "terms": terms,
        "piece_gap": pick(
            lambda f: f.layout["piece_gaps"][0] if f.layout.get("piece_gaps") else None, " "
        ),
        "venue_date": any(f.layout.get("slot") == "venue_date" for f in pool),
    }


def _term(f: EntryFields, kind: str) -> str | None:
    for k, term in f.layout.get("pieces", ()):
        if k == kind:
            return term
    return None


def _bold_details(
    pool: list[EntryFields], every: list[EntryFields], pick: Callable, lay: Callable
) -> dict[str, Any]:
    def template(f: EntryFields) -> tuple | None:
        segs = f.layout.get("segments")
        if segs is None:
            return None
        return tuple(
            (s[0], s[1] if s[0] != "code_slot" else None, *(s[2:] if s[0] == "arxiv" else ()))
            for s in segs
        )

    return {
        "segments": pick(template, ()),
        "seg_sep": lay("seg_sep", ", "),
        "extra_defaults": _constant_slots([*pool, *every]),
    }


def _constant_slots(pool: list[EntryFields]) -> dict[str, str]:
    """Per slot, the value the list repeats (`cication: [**-1**](None)`), never a one-off.

    A value seen once is an entry's own data (a real citation count): copying it into a new
    entry would be wrong, so a slot with no repeated value is left out of new entries.
    """
    counts: dict[str, Counter] = {}
    for f in {id(f): f for f in pool}.values():
        for name, value in f.extras:
            counts.setdefault(name, Counter())[value] += 1
    out = {}
    for name, counter in counts.items():
        value, seen = counter.most_common(1)[0]
        if seen >= 2:
            out[name] = value
    return out


def _blog_details(pool: list[EntryFields], pick: Callable, lay: Callable) -> dict[str, Any]:
    names = [a for f in pool for a in f.authors if a != ELLIPSIS]
    return {
        "sep": lay("sep", ". "),
        "brk": lay("brk", ""),
        "url_wrap": lay("url_wrap", "<{}>"),
        "venue_shape": pick(lambda f: f.layout.get("venue_shape") if f.venue else None, "short"),
        "surnames": bool(names) and sum(" " not in n for n in names) * 2 > len(names),
    }


def _table_details(pool: list[EntryFields], pick: Callable, lay: Callable) -> dict[str, Any]:
    def pad(f: EntryFields) -> str | None:
        cells = [c for c in f.layout.get("cells", ()) if c.strip()]
        return majority(c[: len(c) - len(c.lstrip(" "))] for c in cells) if cells else None

    empty: dict[int, list[str]] = {}
    for f in pool:
        filled = f.layout.get("filled", ())
        for i, cell in enumerate(f.layout.get("cells", ())):
            if i < len(filled) and not filled[i]:
                empty.setdefault(i, []).append(cell)  # how this column says "nothing"
    # An aligned table pads every cell of a column to one width: learn it where most rows agree.
    lengths: dict[int, Counter] = {}
    padded: set[int] = set()
    for f in pool:
        for i, cell in enumerate(f.layout.get("cells", ())):
            lengths.setdefault(i, Counter())[len(cell)] += 1
            if cell.strip() and len(cell) - len(cell.rstrip(" ")) > 1:
                padded.add(i)  # extra spaces after a value: proof the column is padded
    widths = {}
    for i, counter in lengths.items():
        width, seen = counter.most_common(1)[0]
        if i in padded and seen >= 3 and seen >= 0.6 * sum(counter.values()):
            widths[i] = width
    return {
        "widths": widths,
        "empty_cells": {i: majority(v) for i, v in empty.items()},
        "header": lay("header", ()),
        "pipes": lay("pipes", (True, True)),
        "cell_pad": pick(pad, " "),
        "title_shape": lay("title_shape", "link"),
        "code_cell": lay("code_cell"),
        "link_cell": lay("link_cell"),
        "tags_shape": lay("tags_shape"),
    }


def _blank_run(doc: Any, start: int, stop: int) -> int | None:
    """How many lines in [start, stop) there are, if every one is blank; else None."""
    if stop < start:
        return None
    return stop - start if all(not doc.lines[i].strip() for i in range(start, stop)) else None


def _with_gaps(style: EntryStyle, doc: Any, section: Any, own: list) -> EntryStyle:
    """Blank-line separation learned from the section, then from the list's sections."""
    cache = doc_cache(doc)
    if "list_gaps" not in cache:
        # Bounded: a few pairs from each of a spread of sections is plenty to see the habit.
        cache["list_gaps"] = _gaps(doc, _spread(doc.sections_with_entries(), 20), limit=4)
    gap_l, lead_l, tail_l = cache["list_gaps"]
    gap_s, _, _ = _gaps(doc, [section], limit=GAP_SAMPLE)
    return replace(
        style,
        gap=gap_s if gap_s is not None else (gap_l if gap_l is not None else style.gap),
        lead_gap=lead_l if lead_l is not None else style.lead_gap,
        tail_gap=tail_l if tail_l is not None else style.tail_gap,
    )


def _gaps(doc: Any, sections: list, limit: int = 40) -> tuple[int | None, int | None, int | None]:
    between, lead, tail = [], [], []
    for section in sections:
        entries = list(section.entries)
        if not any(entry_fields(doc, e).is_paper for e in entries[:limit]):
            continue
        for i in _spread(list(range(len(entries) - 1)), limit):
            a, b = entries[i], entries[i + 1]
            if entry_fields(doc, a).is_paper and entry_fields(doc, b).is_paper:
                between.append(_blank_run(doc, a.end, b.start))
        lead.append(_blank_run(doc, section.start, section.entries[0].start))
        end = section.entries[-1].end
        stop = end
        while stop < len(doc.lines) and not doc.lines[stop].strip():
            stop += 1
        if stop < len(doc.lines):
            tail.append(stop - end)
    return majority(between), majority(lead), majority(tail)
