"""Learn how a list writes its entries: examples from the section and the list, weighted, cached."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from functools import cache
from typing import Any

from ..listmodel import parse_list
from .cache import doc_cache, section_key
from .entries import entry_fields, shape_for
from .formats import weighted_majority
from .order import placement_for, spread, time_key
from .table import carry_separators
from .template import SECTION_WEIGHT, EntryTemplate, Example, learn_template
from .text import majority
from .urls import arxiv_form

#: Bounded samples keep learning fast on 50,000-entry lists (see docs/performance.md).
SECTION_SAMPLE = 60
LIST_SAMPLE = 80
#: Pairs of neighbouring entries looked at to learn the blank lines between entries.
GAP_SAMPLE = 20
#: Lines scanned for the shapes of arXiv links (all of them in any list shorter than this).
FORM_LINES = 2000
_ARXIV_LINK_RE = re.compile(
    r"\]\(<?(https?://(?:[\w-]+\.)*arxiv\.org/[^\s)>]+)>?\)|<(https?://(?:[\w-]+\.)*arxiv\.org/[^\s>]+)>"
)


#: How an example's weight falls with its age: it halves over this share of the span between the
#: newest and the oldest example (the span of positions, or of dates), down to the floor. A
#: curator's latest additions show their current habit (a label they now capitalise) even when
#: most older entries still show the old one.
RECENCY_HALF_LIFE = 0.125
RECENCY_FLOOR = 0.25


def examples_of(
    doc: Any,
    entries: list,
    *,
    own: bool,
    newest_at: str | None = None,
    seen: set[str] | None = None,
) -> list[Example]:
    """The paper entries among `entries` (in document order) as weighted examples: the most
    recent additions weigh most, found at `newest_at` ("top" or "bottom") or else by date.

    A paper listed twice (in two sections' tables) is one example: its own words written twice
    are not a habit of the list. `seen` holds the papers already taken, and takes these.
    """
    seen = set() if seen is None else seen
    papers = []
    for fields in (entry_fields(doc, e) for e in entries):
        key = fields.arxiv_id or fields.url or fields.title
        if fields.is_paper and (key is None or key not in seen):
            papers.append(fields)
            if key is not None:
                seen.add(key)
    ages: list[float | None]
    if newest_at in ("top", "bottom") and len(papers) > 1:
        last = len(papers) - 1
        ages = [(i if newest_at == "top" else last - i) / last for i in range(len(papers))]
    else:
        keys = sorted({k for k in map(time_key, papers) if k})
        span = max(1, len(keys) - 1)
        by_key = {k: (len(keys) - 1 - i) / span for i, k in enumerate(keys)}
        ages = [by_key.get(key) if (key := time_key(f)) else None for f in papers]
    out = []
    for fields, age in zip(papers, ages, strict=True):
        shape = shape_for(fields)
        if shape is None:
            continue
        weight = 1.0 if age is None else RECENCY_FLOOR + 2.0 ** (-age / RECENCY_HALF_LIFE)
        out.append(Example(shape, weight * (SECTION_WEIGHT if own else 1.0), own))
    return out


def infer_style(doc: Any, section: Any) -> EntryTemplate:
    """The template for a new entry in `section`: its own entries first, then the list's."""
    cache = doc_cache(doc).setdefault("styles", {})
    key = section_key(section)
    if key not in cache:
        # Sampled by index: a big section's other entries are never built.
        sample = spread(doc.entry_indexes(section), SECTION_SAMPLE)
        # Where the section's newest additions are: its placement rule (learned from its layout).
        rule = placement_for(doc, section).rule
        seen: set[str] = set()
        own = examples_of(doc, [doc.entry(i) for i in sample], own=True, newest_at=rule, seen=seen)
        if "list_sample" not in doc_cache(doc):
            spread_out = spread(range(doc.entry_count), LIST_SAMPLE)
            doc_cache(doc)["list_sample"] = [doc.entry(i) for i in spread_out]
        mine = {(e.start, e.end) for e in (doc.entry(i) for i in sample)}
        rest = [e for e in doc_cache(doc)["list_sample"] if (e.start, e.end) not in mine]
        examples = own + examples_of(doc, rest, own=False, seen=seen)
        template = learn_template(examples) if examples else default_template()
        cache[key] = _finish(template, doc, section, own)
    return cache[key]


def _finish(template: EntryTemplate, doc: Any, section: Any, own: list[Example]) -> EntryTemplate:
    seen = link_forms(doc)
    formats = replace(
        template.formats,
        url_forms=template.formats.url_forms | frozenset(seen),
        url_form=template.formats.url_form or (seen.most_common(1)[0][0] if seen else None),
    )
    inside = weighted_majority(
        (
            (e.shape.note_inside, e.weight)
            for e in template.examples
            if e.shape.note_inside is not None
        ),
        False,
    )
    template = replace(
        template, formats=formats, note=_note_format(doc, template), note_inside=inside
    )
    return _with_gaps(template, doc, section)


def _note_format(doc: Any, template: EntryTemplate) -> tuple[str, str] | None:
    """(indent, wrap) of the notes the list's examples carry: `  - _"{}"_` or `  - {}`."""
    seen = []
    for e in template.examples:
        tail = e.shape.tail.lstrip("\n")
        if not tail.strip():
            continue
        first = tail.split("\n")[0]
        body = first.lstrip(" \t")
        indent = first[: len(first) - len(body)]
        seen.append(((indent, _note_wrap(body)), e.weight))
    return weighted_majority(seen)


def _note_wrap(line: str) -> str:
    """The shape of a note bullet, `- _"{}"_` or `- {}`, so new notes look the same."""
    m = re.match(r'^([-*+] )(_"|\*"|"|_|\*)?(.*?)("_|"\*|"|_|\*)?$', line)
    if not m:
        return "{}"
    opener, closer = m.group(2) or "", m.group(4) or ""
    if bool(opener) != bool(closer):
        opener = closer = ""
    return m.group(1) + opener + "{}" + closer


_LIST_WIDE_KEYS = ("list_gaps", "link_forms")


def carry_list_habits(
    old: Any, new: Any, section: Any = None, at_line: int | None = None, count: int = 0
) -> None:
    """Let `new` (`old` with one entry of `count` lines put in `section` at `at_line`) reuse
    what `old` learned: table heads (moved down exactly), the list's habits and every section's
    template. The learning is done once per file state, not once per clip."""
    if at_line is not None:
        carry_separators(old, new, at_line, count)
    learned, fresh = doc_cache(old), doc_cache(new)
    # What was learned stays true: one entry written by the template itself does not change how
    # the list writes. A change anyone else makes is a new file state, learned afresh.
    for key in _LIST_WIDE_KEYS:
        if key in learned and key != "list_sample":
            fresh.setdefault(key, learned[key])
    if not _same_addresses(old, new):
        return
    # Section templates and placement rules, both keyed by section address.
    for key in ("styles", "placements"):
        if learned.get(key):
            fresh.setdefault(key, {}).update(learned[key])


def _same_addresses(old: Any, new: Any) -> bool:
    """Whether both documents have the same sections (an insertion made no heading)."""
    return len(old.sections) == len(new.sections)


def link_forms(doc: Any) -> Counter:
    """Every shape of arXiv link the list writes, counted over its lines (a spread on huge lists)."""
    cache = doc_cache(doc)
    if "link_forms" not in cache:
        lines = spread(doc.lines, FORM_LINES)
        found: Counter = Counter()
        for line in lines:
            if "arxiv.org" in line:
                for m in _ARXIV_LINK_RE.finditer(line):
                    form = arxiv_form(m.group(1) or m.group(2))
                    if form:
                        found[form] += 1
        cache["link_forms"] = found
    return cache["link_forms"]


def _blank_run(doc: Any, start: int, stop: int) -> int | None:
    """How many lines in [start, stop) there are, if every one is blank; else None."""
    if stop < start:
        return None
    return stop - start if all(not doc.lines[i].strip() for i in range(start, stop)) else None


def _with_gaps(template: EntryTemplate, doc: Any, section: Any) -> EntryTemplate:
    """Blank-line separation learned from the section, then from the list's sections."""
    cache = doc_cache(doc)
    if "list_gaps" not in cache:
        # Bounded: a few pairs from each of a spread of sections is plenty to see the habit.
        cache["list_gaps"] = _gaps(doc, spread(doc.sections_with_entries(), 20), limit=4)
    gap_l, lead_l, tail_l = cache["list_gaps"]
    gap_s, _, _ = _gaps(doc, [section], limit=GAP_SAMPLE)
    return replace(
        template,
        gap=gap_s if gap_s is not None else (gap_l if gap_l is not None else template.gap),
        lead_gap=lead_l if lead_l is not None else template.lead_gap,
        tail_gap=tail_l if tail_l is not None else template.tail_gap,
    )


def _gaps(
    doc: Any, sections: Sequence[Any], limit: int = 40
) -> tuple[int | None, int | None, int | None]:
    between, lead, tail = [], [], []
    for section in sections:
        entries = list(section.entries)
        if not any(entry_fields(doc, e).is_paper for e in entries[:limit]):
            continue
        for i in spread(list(range(len(entries) - 1)), limit):
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


#: A list written in papershelf's default style: `- [Title](abs url), Mon. D YYYY.`, then a code
#: link, other links and tags, each closed by a period.
SAMPLE = """# Papers

- [A Sample Paper on Training](https://arxiv.org/abs/2401.00001), Jan. 2 2024.
- [Another Sample Paper](https://arxiv.org/abs/2402.00002), Feb. 3 2024. [code](https://github.com/o/r).
- [A Third Sample Paper](https://arxiv.org/abs/2403.00003), Mar. 4 2024. [blog](https://example.org/b). `tag`.
- [A Fourth Sample Paper](https://arxiv.org/abs/2404.00004), Apr. 5 2024. [code](https://github.com/o/s). [blog](https://example.org/c). `tag`.
- [A Fifth Sample Paper](https://openreview.net/forum?id=x), ICLR 2024.
"""


@cache
def default_template() -> EntryTemplate:
    """The template learned from SAMPLE, with one blank line around a list's entries."""
    doc = parse_list(SAMPLE.encode())
    section = doc.section("Papers")
    template = learn_template(examples_of(doc, list(section.entries), own=True))
    return replace(template, gap=0, lead_gap=1, tail_gap=1)
