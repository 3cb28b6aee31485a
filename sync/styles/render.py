"""Write a Paper as the lines of one entry, the way a learned template's examples are written."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..identity import parse_arxiv_id
from .formats import write_authors, write_tags, write_venue
from .shape import Piece, Ref, Zone
from .template import EntryTemplate, choose, literals, pieces_for
from .text import code_span_text, escape_line_start, escape_text, neutralize_html, safe_url
from .urls import arxiv_form, arxiv_url
from .words import code_repo
from .wrap import wrap_title

_NUMBER = "{number}"


@dataclass(frozen=True)
class Written:
    """An entry written for a paper: its lines, and the paper's fields the list does not show."""

    lines: list[str]
    left_out: tuple[str, ...]


def paper_fields(paper: Any) -> frozenset[str]:
    """The fields a Paper has, named as template pieces name them."""
    have = {"title", "url"}
    if arxiv_of(paper):
        have.add("arxiv")
    if paper.published:
        have.add("date")
    for name, value in (("venue", paper.venue), ("authors", paper.authors), ("tags", paper.tags)):
        if value:
            have.add(name)
    if paper.code_url:
        have.add("code")
        if code_repo(paper.code_url):
            have.add("repo")
    if paper.links:
        have.add("link")
    return frozenset(have)


def arxiv_of(paper: Any) -> str | None:
    """The paper's arXiv id (with its version when known), from its id or its URL."""
    for value in (paper.arxiv_id, paper.url):
        parsed = parse_arxiv_id(value) if value else None
        if parsed is not None:
            given = parse_arxiv_id(paper.arxiv_id) if paper.arxiv_id else None
            return str(given) if given is not None else str(parsed)
    return None


def render_entry(paper: Any, template: EntryTemplate) -> list[str]:
    """The lines (without line endings) of a new entry for `paper` written like the template's."""
    return write_entry(paper, template).lines


def write_entry(paper: Any, template: EntryTemplate) -> Written:
    """The new entry's lines and what of the paper it leaves out."""
    have = paper_fields(paper)
    if template.container != "row":  # a table's venue and date have columns of their own
        have = _venue_or_date(paper, template, have)
    shown = template.shown
    container = template.container
    examples = [e for e in template.examples if e.shape.container == container]
    if container == "row":
        from .rowrender import render_row

        text, used = render_row(paper, template, examples, have)
    else:
        options = [(e.shape.zones[0], e.weight) for e in examples if len(e.shape.zones) == 1]
        zone = choose(options, have, shown) or Zone("", (), (), "")
        pieces = compose(zone, options, have, shown)
        lead, seps, trail = _own(paper, pieces, *literals(options, pieces))
        head = _head(template, examples, zone)
        joiner = link_joiner(options)
        body = join_pieces(paper, template, pieces, seps, lead, trail, head, container, joiner)
        text = _head_eol(head + body, paper, template)
        used = frozenset(f for p in pieces for f in p.fields)
    lines = text.split("\n")
    notes = note_lines(paper, template)
    if paper.note and template.note_inside and len(lines) > 1:
        # A paragraph's note goes before its last line, each line closed by its hard break.
        brk = re.search(r"(?:[ \t]*\\|[ \t]*<br\s*/?>|  )$", lines[-2])
        tail = brk.group(0) if brk else ""
        inside = [escape_line_start(escape_text(n, "line")) + tail for n in paper.note.split("\n") if n.strip()]
        lines = lines[:-1] + inside + lines[-1:]
    else:
        lines += notes
    if paper.note and container != "row":
        used |= {"note"}
    return Written(lines, _left_out(paper, used | {"title", "url"}))


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
    dated_year = alone_year = dated = 0.0
    for e in template.examples:
        fields = e.shape.fields
        if "venue" not in fields:
            continue
        year = any(n == "venue" and _YEAR_RE.search(raw) for n, raw, _f in e.shape.values)
        if "date" in fields:
            dated += e.weight
            dated_year += e.weight if year else 0.0
        elif year:
            alone_year += e.weight
    keep = dated_year > alone_year if _YEAR_RE.search(paper.venue or "") else dated > 0
    return have if keep else have - {"date"}


_YEAR_RE = re.compile(r"(?:19|20)\d\d|'\d\d\b")


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
    wrapped = "\n" in text[: end]
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
    from .formats import weighted_majority

    return weighted_majority(heads, "- ").replace(_NUMBER, "1")


def compose(
    zone: Zone, options: list[tuple[Zone, float]], have: frozenset[str], shown: frozenset[str]
) -> list[Piece]:
    """The chosen zone's pieces with those the paper cannot fill dropped, and pieces for fields
    it has (and the list shows elsewhere) added where the list puts them."""
    pieces = []
    for k, piece in enumerate(zone.pieces):
        if piece.fields <= have:
            pieces.append(piece)
            continue
        # A piece the paper cannot fill: what the list writes in its place instead, if anything
        # (`arXiv, id` where one entry has `ICML, 2024`).
        before = zone.pieces[k - 1].key if k else None
        after = zone.pieces[k + 1].key if k + 1 < len(zone.pieces) else None
        instead = _alternative(options, before, after, have, {p.key for p in zone.pieces})
        if instead is not None:
            pieces.append(instead)
    present = frozenset(f for p in pieces for f in p.fields)
    if not present & {"url", "arxiv"}:
        # Nothing would link the paper (a bold-title list built on arXiv ids, and a paper
        # without one): its title becomes the link.
        pieces = [_linked_title(p) if "title" in p.fields else p for p in pieces]
        present |= {"url"}
    for name in sorted((have & shown) - present - {"repo"}):
        found = pieces_for(options, name)
        if found is None:
            continue
        piece, _sep, before, _zone = found
        if not piece.fields <= have or piece.fields & present:
            continue  # a piece showing a field already shown would write it twice
        at = next((i + 1 for i, p in enumerate(pieces) if before is not None and p.key == before.key), None)
        if at is None:
            at = len(pieces) if before is not None else 0
        pieces.insert(at, piece)
        present |= piece.fields
    return pieces


def _alternative(
    options: list[tuple[Zone, float]], before: Any, after: Any, have: frozenset[str], taken: set
) -> Piece | None:
    """The heaviest piece the examples put between the same two pieces, if the paper fills it."""
    weight: dict[Any, float] = {}
    found: dict[Any, Piece] = {}
    for zone, w in options:
        keys = [p.key for p in zone.pieces]
        for k, piece in enumerate(zone.pieces):
            prev = keys[k - 1] if k else None
            nxt = keys[k + 1] if k + 1 < len(keys) else None
            if prev == before and nxt == after and piece.fields <= have and piece.key not in taken:
                weight[piece.key] = weight.get(piece.key, 0.0) + w
                found[piece.key] = piece
    if not weight:
        return None
    return found[max(weight, key=lambda key: weight[key])]


def _linked_title(piece: Piece) -> Piece:
    parts: list[Any] = []
    for part in piece.parts:
        if isinstance(part, Ref) and part.name == "title":
            parts += ["[", part, "](", Ref("url"), ")"]
        else:
            parts.append(part)
    return Piece(tuple(parts), piece.fields | {"url"})


def link_joiner(options: list[tuple[Zone, float]]) -> str:
    """What the list writes between two links of one entry."""
    from .formats import weighted_majority

    seen = []
    for zone, weight in options:
        for k in range(len(zone.pieces) - 1):
            if "link" in zone.pieces[k].fields and "link" in zone.pieces[k + 1].fields:
                seen.append((zone.seps[k], weight))
    return weighted_majority(seen, " ")


def join_pieces(
    paper: Any,
    template: EntryTemplate,
    pieces: list[Piece],
    seps: list[str],
    lead: str,
    trail: str,
    head: str,
    container: str,
    link_joiner: str = " ",
) -> str:
    """The zone's text: pieces filled with the paper's values, a run of link pieces once per link."""
    out = [lead]
    k = 0
    while k < len(pieces):
        piece = pieces[k]
        if k:
            out.append(seps[k - 1])
        if "link" in piece.fields:
            j = k
            while j + 1 < len(pieces) and "link" in pieces[j + 1].fields:
                j += 1
            between = seps[k] if j > k else link_joiner
            written = []
            for link in paper.links:
                written.append(fill(paper, template, piece, out, head, container, link=link))
            out.append(between.join(written))
            k = j + 1
            continue
        out.append(fill(paper, template, piece, out, head, container))
        k += 1
    out.append(trail)
    return "".join(out)


def fill(
    paper: Any,
    template: EntryTemplate,
    piece: Piece,
    before: list[str],
    head: str,
    container: str,
    link: Any = None,
) -> str:
    """One piece with the paper's values in its slots."""
    out: list[str] = []
    for k, part in enumerate(piece.parts):
        if isinstance(part, str):
            out.append(part)
            continue
        prev = piece.parts[k - 1] if k and isinstance(piece.parts[k - 1], str) else ""
        literal = "".join(p for p in piece.parts[:k] if isinstance(p, str))
        if literal.count("`") % 2:
            context = "code"  # inside a code span, where no escape works
        else:
            context = _context(prev, container)
        value = _value(paper, template, part, context, head + "".join(before) + "".join(out), piece, k, link)
        if context == "code":
            value = code_span_text(value.replace("\\`", "`"))
        if container == "row" and part.name not in ("url", "alink", "code", "link_url"):
            value = re.sub(r"(?<!\\)\|", r"\\|", value)  # a bare pipe would start a new cell
        out.append(value)
    return "".join(out)


def _context(prev: str, container: str) -> str:
    if prev.endswith("["):
        return "link"
    if prev.endswith(("**", "__")):
        return "bold"
    if prev.endswith(("*", "_")):
        return "italic"
    return "cell" if container == "row" else "plain"


def _value(
    paper: Any, template: EntryTemplate, ref: Ref, context: str, so_far: str, piece: Piece, k: int, link: Any
) -> str:
    fmt = template.formats
    name = ref.name
    ident = arxiv_of(paper)
    if name == "title":
        title = _escapes(escape_text(paper.title or "", context), fmt.title_escapes)
        col = len(so_far) - so_far.rfind("\n") - 1
        after = _after(piece, k)
        return wrap_title(title, col, after, fmt.wrap.get(piece.key))
    if name == "url":
        if ref.fmt and ident:
            return arxiv_url(ref.fmt, ident)
        return main_url(paper, template) or ""
    if name == "alink":
        return arxiv_url(ref.fmt, ident) if ident and ref.fmt else safe_url(paper.url or "")
    if name == "id":
        parsed = parse_arxiv_id(ident) if ident else None
        if parsed is None:
            return ""
        return str(parsed) if ref.fmt and parsed.version else parsed.base
    if name == "date":
        return fmt.dates.format(paper.published) if paper.published else ""
    if name == "venue":
        return escape_text(write_venue(paper.venue or "", paper.published, fmt.venues), context)
    if name == "authors":
        return _safe_names(write_authors(list(paper.authors), fmt.authors), context)
    if name == "code":
        return safe_url(paper.code_url or "")
    if name in ("code_owner", "code_repo"):
        repo = code_repo(paper.code_url or "")
        return "" if repo is None else repo[0 if name == "code_owner" else 1]
    if name == "link_label":
        return escape_text(link.label if link is not None else "", context)
    if name == "link_url":
        return safe_url(link.url) if link is not None else ""
    if name == "tags":
        return _tags(list(paper.tags), fmt.tags, context)
    return ""


def _after(piece: Piece, k: int) -> str:
    rest = "".join(p if isinstance(p, str) else "\x01" for p in piece.parts[k + 1 :])
    m = re.match(r"[^\s\x01]*", rest)
    return m.group(0) if m else ""


def _escapes(text: str, chars: tuple[str, ...]) -> str:
    for ch in chars:
        text = re.sub(r"(?<!\\)" + re.escape(ch), lambda _m, c=ch: "\\" + c, text)
    return text


_SUP_RE = re.compile(r"</?(?:sup|sub)>")


def _safe_names(text: str, context: str) -> str:
    """Authors as given; the `<sup>1</sup>` marks a list writes stay tags, other HTML does not."""
    parts = _SUP_RE.split(text)
    tags = _SUP_RE.findall(text)
    out = [escape_text(parts[0], context if context != "link" else "plain")]
    for tag, part in zip(tags, parts[1:], strict=False):
        out.append(tag + escape_text(part, context if context != "link" else "plain"))
    return "".join(out)


def _tags(tags: list[str], fmt: Any, context: str) -> str:
    """Tags written the list's way, each one line and unable to end its code span early."""
    if fmt.each and "`" in fmt.each:
        return write_tags([code_span_text(t) for t in tags], fmt)
    return write_tags([escape_text(t, context) for t in tags], fmt)


def main_url(paper: Any, template: EntryTemplate) -> str | None:
    """The paper's main link: kept as given when the list already writes links that way."""
    fmt = template.formats
    form = arxiv_form(paper.url) if paper.url else None
    ident = arxiv_of(paper)
    keep = form is None or form in fmt.url_forms or not fmt.convention
    if paper.url and keep:
        return safe_url(paper.url)
    if ident and fmt.url_form:
        return arxiv_url(fmt.url_form, ident)
    if paper.url:
        return safe_url(paper.url)
    return f"https://arxiv.org/abs/{ident}" if ident else None


def note_lines(paper: Any, template: EntryTemplate) -> list[str]:
    """A note under an entry, as the list's note bullets; a note already written as bullets
    keeps its lines. Never raw HTML, never a line that could start a heading or a new item."""
    if not paper.note or template.container == "row":
        return []  # a table row has no room for a note
    indent, wrap = template.note or ("  ", "- {}")
    note = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", paper.note.replace("\r\n", "\n").replace("\r", "\n"))
    out = []
    for line in note.split("\n"):
        body = line.strip()
        if not body:
            continue
        if re.match(r"[-*+] \S", body):
            out.append(indent + line[: len(line) - len(line.lstrip())] + neutralize_html(body))
        else:
            out.append(indent + wrap.replace("{}", escape_line_start(escape_text(body, "plain"))))
    return out
