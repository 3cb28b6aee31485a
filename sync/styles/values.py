"""A paper's values written the way a list writes them: into a piece's slots, markdown-safe."""

from __future__ import annotations

import re
from typing import Any

from ..identity import parse_arxiv_id
from .formats import write_authors, write_tags, write_venue
from .shape import Piece, Ref
from .template import EntryTemplate
from .text import code_span_text, escape_line_start, escape_text, neutralize_html, safe_url
from .urls import arxiv_form, arxiv_url
from .words import code_repo
from .wrap import wrap_title


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
        # Inside a code span no escape works: the value is made safe for it instead.
        context = "code" if literal.count("`") % 2 else _context(prev, container)
        value = _value(
            paper, template, part, context, head + "".join(before) + "".join(out), piece, k, link
        )
        if part.name in _WRAPPABLE:
            nxt = piece.parts[k + 1] if k + 1 < len(piece.parts) else ""
            value = _unwrapped(value, prev, nxt if isinstance(nxt, str) else "")
        if context == "code":
            value = code_span_text(value.replace("\\`", "`"))
        if container == "row" and part.name not in ("url", "alink", "code", "link_url"):
            value = re.sub(r"(?<!\\)\|", r"\\|", value)  # a bare pipe would start a new cell
        out.append(value)
    return "".join(out)


#: Plain-text values a list may wrap in brackets of its own (`(NLPO)`, `[ICML 2021]`).
_WRAPPABLE = frozenset({"venue", "tags", "link_label"})
_PAIRS = {"(": ")", "[": "]"}


def _unwrapped(value: str, before: str, after: str) -> str:
    """`value` without the brackets the spot already writes around it: a venue given as
    `(WebGPT)` in a list that writes `(venue)` is written `(WebGPT)`, not `((WebGPT))`."""
    for opening, closing in _PAIRS.items():
        if (
            before.endswith(opening)
            and after.startswith(closing)
            and value.startswith(opening)
            and value.endswith(closing)
            and value[1:-1].strip()
            and opening not in value[1:-1]
        ):
            return value[1:-1]
    return value


def _context(prev: str, container: str) -> str:
    if prev.endswith("["):
        return "link"
    if prev.endswith(("**", "__")):
        return "bold"
    if prev.endswith(("*", "_")):
        return "italic"
    return "cell" if container == "row" else "plain"


def _value(
    paper: Any,
    template: EntryTemplate,
    ref: Ref,
    context: str,
    so_far: str,
    piece: Piece,
    k: int,
    link: Any,
) -> str:
    fmt = template.formats
    name = ref.name
    ident = arxiv_of(paper)
    if name == "title":
        title = _escapes(escape_text(paper.title or "", context), fmt.title_escapes)
        if fmt.title_stop and context != "link" and title and title.rstrip()[-1:] not in ".?!":
            # `**Title.**`: the list ends its titles with a period (a link's text keeps none).
            title += fmt.title_stop
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
        text = re.sub(r"(?<!\\)" + re.escape(ch), "\\\\" + ch.replace("\\", "\\\\"), text)
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
    note = re.sub(
        r"[\x00-\x08\x0b-\x1f\x7f]", " ", paper.note.replace("\r\n", "\n").replace("\r", "\n")
    )
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


def write_date_example(template: EntryTemplate) -> str | None:
    """How the list writes a date (`Jan. 15 2024`), or None when it shows no dates."""
    if "date" not in template.shown:
        return None
    return template.formats.dates.format("2024-01-15")
