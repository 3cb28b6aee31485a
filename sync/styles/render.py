"""Render a Paper as the lines of one entry, in a learned EntryStyle; markdown-safe."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..identity import parse_arxiv_id
from .body import arxiv_form, arxiv_url, github_repo
from .fields import ELLIPSIS
from .style import EntryStyle
from .text import code_span_text, escape_line_start, escape_text, neutralize_html, safe_url


def render_entry(paper: Any, style: EntryStyle) -> list[str]:
    """The lines (without line endings) of a new entry for `paper` written in `style`."""
    if style.other is not None and not _arxiv_id(paper):
        style = style.other
    elif style.family == "bold_arxiv" and not _arxiv_id(paper):
        # Its links are built from the arXiv id; without one, a titled link in the same list.
        style = replace(style, family="plain_link")
    family = style.family
    if family == "bold_arxiv":
        lines = _render_bold(paper, style)
    elif family == "blog":
        lines = _render_blog(paper, style)
    elif family == "link_set":
        from .linkset import render

        lines = render(paper, style, _url(paper, style) or "", _head)
    elif family == "table":
        from .table import render_row

        lines = render_row(paper, style, _url(paper, style))
    else:
        lines = _render_link(paper, style)
    return lines


def _arxiv_id(paper: Any) -> str | None:
    for value in (paper.arxiv_id, paper.url):
        parsed = parse_arxiv_id(value) if value else None
        if parsed is not None:
            return (
                paper.arxiv_id if paper.arxiv_id and parse_arxiv_id(paper.arxiv_id) else str(parsed)
            )
    return None


def _url(paper: Any, style: EntryStyle) -> str | None:
    """The paper's main link: kept as given when the list already writes links that way."""
    form = arxiv_form(paper.url) if paper.url else None
    ident = _arxiv_id(paper)
    learned = style.details.get("url_form")
    keep = (
        form is None
        or form in style.details.get("forms", ())
        or not style.details.get("convention")
    )
    if paper.url and keep:
        return safe_url(paper.url)
    if ident and learned:
        return arxiv_url(learned, ident)
    if paper.url:
        return safe_url(paper.url)
    return f"https://arxiv.org/abs/{ident}" if ident else None


def _title_lines(paper: Any, style: EntryStyle, context: str) -> str:
    """The title, escaped; a title with line breaks keeps them where the list wraps titles."""
    title = paper.title or ""
    cont = style.details.get("title_cont")
    if "\n" not in title or not cont:
        return _list_escapes(escape_text(title, context), style)
    parts = []
    for part in title.split("\n"):
        text = _list_escapes(escape_text(part, context), style)
        parts.append(text + " " if part.endswith(" ") and text else text)
    return ("\n" + cont).join(p for p in parts if p.strip())


def _list_escapes(text: str, style: EntryStyle) -> str:
    """Escape the characters this list escapes in titles (`\\_`), beyond what safety needs."""
    for ch in style.details.get("title_escapes", ()):
        text = re.sub(r"(?<!\\)" + re.escape(ch), lambda _m, c=ch: "\\" + c, text)
    return text


def _head(style: EntryStyle, body: str, trail_key: str | None = None) -> list[str]:
    lines = (style.indent + style.marker + style.space + body).split("\n")
    trails = style.details.get("trail") or {}
    trail = trails.get(1 if len(lines) == 1 else 2) or ""
    lines[-1] += trail
    return lines


def _shown_authors(paper: Any, style: EntryStyle) -> list[str]:
    authors = list(paper.authors)
    rule = style.details.get("authors")
    if ELLIPSIS in authors or not rule:
        return authors
    if rule[0] == "elide" and len(authors) > rule[1] + rule[2] + 1:
        tail = authors[len(authors) - rule[2] :] if rule[2] else []
        return authors[: rule[1]] + [ELLIPSIS] + tail
    if rule[0] == "cap":
        return authors[: rule[1]]
    return authors


def _note_lines(paper: Any, style: EntryStyle) -> list[str]:
    """A note under an entry: kept as written when it is already the list's bullets."""
    if not paper.note:
        return []
    d = style.details
    # Line breaks of any kind split lines; other control characters never reach the file.
    note = re.sub(
        r"[\x00-\x08\x0b-\x1f\x7f]", " ", paper.note.replace("\r\n", "\n").replace("\r", "\n")
    )
    lines = note.split("\n")
    if d.get("note_indent") == "" or (d.get("note_indent") is None and d.get("sub_indent")):
        # Notes under author lines are kept as written; a new one becomes its own line.
        sub = d.get("sub_indent") or "\t "
        if all(not ln.strip() or ln.startswith(sub) for ln in lines):
            return [neutralize_html(ln) for ln in lines]
        text = [
            (d.get("sub_indent") or "\t ") + escape_line_start(escape_text(ln, "line"))
            for ln in lines
            if ln.strip()
        ]
        return [""] * (d.get("sub_gap") or 0) + text
    indent = d.get("note_indent") or "  "
    wrap = d.get("note_wrap") or "- {}"
    if all(not ln.strip() or ln.lstrip().startswith(("- ", "* ", "+ ")) for ln in lines):
        # Already the list's note bullets (as read from an entry): kept as written, but never
        # with raw HTML (a `<script>` in a clip's note must not reach the list as a tag).
        return [indent + neutralize_html(ln) if ln.strip() else ln for ln in lines]
    out = []
    for line in lines:
        if line.strip():
            out.append(indent + wrap.replace("{}", escape_text(line, "plain")))
    return out


def _render_link(paper: Any, style: EntryStyle) -> list[str]:
    d = style.details
    url = _url(paper, style) or ""
    body = f"[{_title_lines(paper, style, 'link')}]({url})"
    terms = d.get("terms") or {}
    pieces = []
    sublines = style.family == "plain_link" and d.get("sub_indent")
    if style.family == "link_date":
        slot = _slot(paper, style)
        if slot:
            pieces.append(slot + terms.get("slot", "."))
        if paper.code_url:
            pieces.append(f"[code]({safe_url(paper.code_url)})" + terms.get("code", "."))
        for link in paper.links:
            pieces.append(
                f"[{escape_text(link.label, 'link')}]({safe_url(link.url)})"
                + terms.get("link", ".")
            )
        if paper.tags:
            tags = " ".join(f"`{code_span_text(t)}`" for t in paper.tags)
            pieces.append(tags + terms.get("tags", "."))
    if pieces:
        body += d.get("sep0", ", ") + d.get("piece_gap", " ").join(pieces)
    lines = _head(style, body)
    if sublines:
        lines += _sublines(paper, style)
    return lines + _note_lines(paper, style)


def _slot(paper: Any, style: EntryStyle) -> str:
    """The date/venue slot: a venue stands in place of the date unless the list shows both."""
    date = style.dates.format(paper.published) if paper.published else ""
    # Brackets are escaped here: a slot starting with `[` would read as a link piece.
    venue = escape_text(paper.venue, "link") if paper.venue else ""
    # `arXiv.v3 Feb. 5 2020` qualifies a date; `ICLR 2025` already says when, so it stands alone.
    if (
        venue
        and date
        and style.details.get("venue_date")
        and not re.search(r"\b(19|20)\d\d\b", venue)
    ):
        return f"{venue} {date}"
    return venue or date


def _sublines(paper: Any, style: EntryStyle) -> list[str]:
    """`<tab> *Authors* · ([label](url)) · ([repo](url) - owner) ...` under an item."""
    d = style.details
    parts = []
    authors = _shown_authors(paper, style)
    if authors:
        wrap = d.get("author_wrap", "*")
        names = ", ".join(escape_text(a, "italic") if a != ELLIPSIS else a for a in authors)
        parts.append(f"{wrap}{names}{wrap}")
    links = [
        _code_part(x.url, d)
        if x.label == "code"
        else f"([{escape_text(x.label, 'link')}]({safe_url(x.url)}))"
        for x in paper.links
    ]
    code = _code_part(paper.code_url, d) if paper.code_url else None
    if code:
        links = [code, *links] if d.get("code_first", True) else [*links, code]
    parts += [f"{d.get('part_sep', '·')} {link}" for link in links]
    if not parts:
        return []
    return [""] * (d.get("sub_gap") or 0) + [(d.get("sub_indent") or "\t ") + " ".join(parts)]


def _code_part(url: str, d: dict[str, Any]) -> str:
    repo = github_repo(url)
    template = d.get("code_template")
    if repo and template:
        return template.format(url=safe_url(url), owner=repo[0], repo=repo[1])
    return f"([code]({safe_url(url)}))"


def _render_bold(paper: Any, style: EntryStyle) -> list[str]:
    d = style.details
    ident = _arxiv_id(paper)
    extras = (getattr(paper, "extra", None) or {}).get("slots", {})
    segs = []
    used_labels = set()
    for seg in d.get("segments", ()):
        kind = seg[0]
        if kind == "code_slot":
            year = (paper.published or "")[:4]
            if paper.venue and year:
                segs.append(f"`{code_span_text(paper.venue)}, {year}`")
            elif ident:
                segs.append(f"`arXiv, {parse_arxiv_id(ident).base}`")
        elif kind == "arxiv" and ident:
            segs.append(f"[{seg[1]}]({arxiv_url(seg[2], ident)})")
        elif kind == "arxiv" and paper.url:
            segs.append(f"[{seg[1]}]({safe_url(paper.url)})")
        elif kind == "link":
            match = next((x for x in paper.links if x.label == seg[1]), None)
            if match:
                used_labels.add(match.label)
                segs.append(f"[{seg[1]}]({safe_url(match.url)})")
        elif kind == "extra":
            value = extras.get(seg[1]) or d.get("extra_defaults", {}).get(seg[1])
            if value:  # no repeated value to copy: the slot is left out, not invented
                segs.append(value)
    body = f"**{_title_lines(paper, style, 'bold')}**"
    if segs:
        body += d.get("seg_sep", ", ") + d.get("seg_sep", ", ").join(segs)
    rest = paper.replace(links=tuple(x for x in paper.links if x.label not in used_labels))
    return _head(style, body) + _sublines(rest, style) + _note_lines(paper, style)


def _render_blog(paper: Any, style: EntryStyle) -> list[str]:
    d = style.details
    brk = d.get("brk", "")
    names = [a for a in paper.authors if a != ELLIPSIS]
    if d.get("surnames"):
        names = [n.split()[-1] if n.split() else n for n in names]
    names = [escape_text(n, "plain") for n in names]
    if not names:
        who = ""
    elif len(names) >= 3 or ELLIPSIS in paper.authors:
        who = f"{names[0]} et al."
    elif len(names) == 2:
        who = f"{names[0]} and {names[1]}."
    else:
        who = f"{names[0]}."
    year = (paper.published or "")[:4]
    where = ""
    if paper.venue:
        venue = escape_text(paper.venue, "plain")
        named = re.match(r"^(.*?)[\s',]*((?:19|20)\d\d)$", venue)
        if named and named.group(1):
            venue, year = named.group(1), named.group(2)  # "ACL 2021" is ACL in 2021
        short = d.get("venue_shape") == "short" and year
        where = f"{venue}'{year[2:]}" if short else venue
    elif year:  # entries without a year are papers whose year was unknown, not a style
        where = year
    title = f"**{_list_escapes(escape_text(paper.title or '', 'bold'), style)}**"
    sep = d.get("sep", ". ")
    head = f"{title}{sep}{who}" if who or where else title + sep.rstrip()
    head = f"{head} {where}" if where and who else head + where
    lines = [head + brk]
    for note in (paper.note or "").split("\n") if paper.note else []:
        lines.append(escape_line_start(escape_text(note, "line")) + brk)
    url = _url(paper, style) or ""
    lines.append(d.get("url_wrap", "<{}>").format(url))
    return lines
