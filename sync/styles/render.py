"""Write a Paper as the lines of one entry, the way a learned template's examples are written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..identity import identity_key
from .compose import compose, join_pieces, link_joiner
from .formats import weighted_majority, write_venue
from .rowrender import render_row
from .shape import Piece, Zone
from .template import EntryTemplate, choose, literals
from .text import escape_line_start, escape_text
from .values import arxiv_of, note_lines, paper_fields
from .words import says_year as _says_year

_NUMBER = "{number}"


@dataclass(frozen=True)
class Written:
    """An entry written for a paper: its lines, and the paper's fields the list does not show."""

    lines: list[str]
    left_out: tuple[str, ...]


def render_entry(paper: Any, template: EntryTemplate) -> list[str]:
    """The lines (without line endings) of a new entry for `paper` written like the template's."""
    return write_entry(paper, template).lines


def write_entry(paper: Any, template: EntryTemplate) -> Written:
    """The new entry's lines and what of the paper it leaves out."""
    paper = _without_repeated_links(_with_preprint_venue(paper, template), template)
    have = paper_fields(paper)
    if template.container != "row":  # a table's venue and date have columns of their own
        have = _venue_or_date(paper, template, have)
    container = template.container
    if container == "row":
        examples = [e for e in template.examples if e.shape.container == container]
        text, used = render_row(paper, template, examples, have)
    else:
        plan = _plan(template, have)
        lead, seps, trail = _own(paper, plan.pieces, plan.lead, plan.seps, plan.trail)
        body = join_pieces(
            paper, template, plan.pieces, seps, lead, trail, plan.head, container, plan.joiner
        )
        text = _head_eol(plan.head + body, paper, template)
        used = plan.used
    lines = text.split("\n")
    notes = note_lines(paper, template)
    if paper.note and template.note_inside and len(lines) > 1:
        # A paragraph's note goes before its last line, each line closed by its hard break.
        brk = re.search(r"(?:[ \t]*\\|[ \t]*<br\s*/?>|  )$", lines[-2])
        tail = brk.group(0) if brk else ""
        inside = [
            escape_line_start(escape_text(n, "line")) + tail
            for n in paper.note.split("\n")
            if n.strip()
        ]
        lines = lines[:-1] + inside + lines[-1:]
    else:
        lines += notes
    if paper.note and container != "row":
        used |= {"note"}
    return Written(lines, _left_out(paper, used | {"title", "url"}))


@dataclass(frozen=True)
class _Plan:
    """What a template writes for a paper with a given set of fields, before any value."""

    pieces: list[Piece]
    lead: str
    seps: list[str]
    trail: str
    head: str
    joiner: str
    used: frozenset[str]


def _plan(template: EntryTemplate, have: frozenset[str]) -> _Plan:
    """The shape, pieces and literals for a paper with fields `have`, decided once per template."""
    plan = template.plans.get(have)
    if plan is None:
        shown = template.shown
        examples = [e for e in template.examples if e.shape.container == template.container]
        options = [(e.shape.zones[0], e.weight) for e in examples if len(e.shape.zones) == 1]
        zone = choose(options, have, shown) or Zone("", (), (), "")
        pieces = compose(zone, options, have, shown)
        lead, seps, trail = literals(options, pieces)
        plan = _Plan(
            pieces,
            lead,
            seps,
            trail,
            _head(template, examples, zone),
            link_joiner(options),
            frozenset(f for p in pieces for f in p.fields),
        )
        template.plans[have] = plan
    return plan


def _without_repeated_links(paper: Any, template: EntryTemplate) -> Any:
    """The paper without extra links to its own page (or to its code, where the list shows
    code links): the entry links them already, and one link written twice is a typo."""
    if not paper.links:
        return paper
    ident = arxiv_of(paper)
    same = {identity_key(paper.url or ""), identity_key(f"arXiv:{ident}" if ident else "")}
    if paper.code_url and "code" in template.shown:
        same.add(identity_key(paper.code_url))
    same.discard(None)
    kept = tuple(link for link in paper.links if identity_key(link.url) not in same)
    return paper if len(kept) == len(paper.links) else paper.replace(links=kept)


def _with_preprint_venue(paper: Any, template: EntryTemplate) -> Any:
    """An arXiv paper with no venue gets the one the list gives its preprints (`arXiv 2024`)."""
    preprint = template.formats.venues.preprint
    if paper.venue or not preprint or not paper_fields(paper) & {"arxiv"}:
        return paper
    year = (paper.published or "")[:4]
    if "{year}" in preprint and not year:
        return paper
    return paper.replace(venue=preprint.replace("{year}", year))


def _own(paper: Any, pieces: list[Piece], lead: str, seps: list[str], trail: str) -> tuple:
    """The literals an entry read from the list carries as its own (see `own_literals`)."""
    own = (getattr(paper, "extra", None) or {}).get("literals")
    if not own or not pieces:
        return lead, seps, trail
    keys = [p.key for p in pieces]
    lead = own.get(repr(("lead", keys[0])), lead)
    trail = own.get(repr(("trail", keys[-1])), trail)
    seps = [own.get(repr(("sep", a, b)), s) for a, b, s in zip(keys, keys[1:], seps, strict=False)]
    return lead, seps, trail


def _venue_or_date(paper: Any, template: EntryTemplate, have: frozenset[str]) -> frozenset[str]:
    """A venue stands for the date unless the list writes both: a venue that says its year
    (`ICLR 2025`) only where the list writes such venues with a date, else where it writes
    venues with a date at all."""
    if not {"venue", "date"} <= have:
        return have
    # As the list would write it: `NeurIPS 2024` is `NeurIPS` where venues go without a year.
    says_year = _says_year(write_venue(paper.venue or "", None, template.formats.venues))
    key = ("venue or date", says_year)
    if key not in template.plans:
        template.plans[key] = _keeps_date(template, says_year)
    return have if template.plans[key] else have - {"date"}


def _keeps_date(template: EntryTemplate, says_year: bool) -> bool:
    """Whether the list writes a date beside a venue (one that says its year, if `says_year`)."""
    dated_year = alone_year = dated = 0.0
    for e in template.examples:
        fields = e.shape.fields
        if "venue" not in fields:
            continue
        year = any(n == "venue" and _says_year(raw) for n, raw, _f in e.shape.values)
        if "date" in fields:
            dated += e.weight
            dated_year += e.weight if year else 0.0
        elif year:
            alone_year += e.weight
    return dated_year > alone_year if says_year else dated > 0


def _head_eol(text: str, paper: Any, template: EntryTemplate) -> str:
    """The title's line ended with the spaces the list ends it with (wrapped or not)."""
    eols = template.formats.head_eol
    words = (paper.title or "").split()
    if not eols or not words:
        return text
    end = text.find(words[-1])
    newline = text.find("\n", end + len(words[-1])) if end >= 0 else -1
    if newline < 0:
        return text
    wrapped = "\n" in text[:end]
    eol = eols.get(wrapped)
    if eol is None:
        return text
    line = text[:newline]
    return line.rstrip(" \t") + eol + text[newline:]


def _left_out(paper: Any, used: frozenset[str]) -> tuple[str, ...]:
    out = []
    for name, value in (
        ("note", paper.note),
        ("authors", paper.authors),
        ("published", paper.published),
        ("venue", paper.venue),
        ("code_url", paper.code_url),
        ("links", paper.links),
        ("tags", paper.tags),
    ):
        key = {"published": "date", "code_url": "code", "links": "link"}.get(name, name)
        if value and key not in used:
            out.append(name)
    return tuple(out)


def _head(template: EntryTemplate, examples: list, zone: Zone) -> str:
    # The marker is the section's own (a numbered section stays numbered in a bulleted list).
    own = [e for e in examples if e.own] or examples
    heads = [(e.shape.head, e.weight) for e in own]
    return weighted_majority(heads, "- ").replace(_NUMBER, "1")
