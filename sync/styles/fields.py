"""What an entry says, as written: its fields, and the layout it was written in."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from ..identity import identity_key, parse_arxiv_id
from .body import github_repo
from .text import LINK_RE, ParsedDate, clean_title, collapse, parse_date, unescape

_MARKER_RE = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+)")
log = logging.getLogger(__name__)
_BOLD_CLOSE_RE = re.compile(r"(?:\\.|[^\\*]|\*(?!\*))*?(\*\*)")
_SLOT_END_RE = re.compile(r"^\[|\s\[|\s`")
_TAGS_RE = re.compile(r"`[^`]+`(?: `[^`]+`)*")
_CODE_LABELS = frozenset({"code", "github", "repo", "official code"})
#: The mark a list uses where it leaves authors out (`A, B, ..., Z`); kept in Paper.authors.
ELLIPSIS = "..."


@dataclass(frozen=True)
class EntryFields:
    """What one entry says, as written (`title_raw`) and as a reader sees it (`title`)."""

    family: str  # link_date | bold_arxiv | blog | plain_link | link_set | table | unknown
    title: str | None = None
    title_raw: str | None = None
    url: str | None = None
    links: tuple[tuple[str, str], ...] = ()
    identities: tuple[str, ...] = ()
    arxiv_id: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    authors_truncated: bool = False
    venue: str | None = None
    tags: tuple[str, ...] = ()
    code_url: str | None = None
    note: str | None = None
    #: Per-entry values of list-specific slots that are not Paper fields (citation counts).
    extras: tuple[tuple[str, str], ...] = ()
    #: How the entry was written (marker, separators, date format...), for style inference.
    layout: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_paper(self) -> bool:
        """A recognised entry with a title and at least one link or id."""
        return (
            self.family != "unknown"
            and bool(self.title)
            and bool(self.url or self.arxiv_id or self.links)
        )


def _identities(urls: list[str], extra_ids: list[str] = ()) -> tuple[str, ...]:
    keys: list[str] = []
    for value in [*extra_ids, *urls]:
        key = identity_key(value) if value else None
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


def _arxiv_of(*urls: str | None) -> str | None:
    for url in urls:
        if url:
            parsed = parse_arxiv_id(url)
            if parsed is not None:
                return str(parsed)
    return None


def _unknown(text: str) -> EntryFields:
    urls = [m.group(2).strip("<>") for m in LINK_RE.finditer(text)]
    urls += re.findall(r"<(https?://[^>\s]+)>", text)
    return EntryFields("unknown", identities=_identities(urls))


def extract_fields(entry_text: str, *, table_header: list[str] | None = None) -> EntryFields:
    """The fields of one entry's text (lines joined by newlines); `unknown` when unrecognised."""
    try:
        return _extract(entry_text, table_header)
    except (ValueError, IndexError, KeyError, AttributeError, TypeError):
        # A shape we misjudged must never stop a list from loading: the entry stays opaque.
        log.debug("entry left opaque after a parse error: %r", entry_text[:80], exc_info=True)
        return _unknown(entry_text)


def _extract(entry_text: str, table_header: list[str] | None) -> EntryFields:
    from . import blog, table

    if not entry_text.strip():
        return EntryFields("unknown")
    if table_header is not None or entry_text.lstrip().startswith("|"):
        return table.extract_row(entry_text, table_header or [])
    lines = entry_text.split("\n")
    m = _MARKER_RE.match(lines[0])
    if m is None:
        return blog.extract_paragraph(lines) or _unknown(entry_text)
    layout: dict[str, Any] = {"indent": m.group(1), "marker": m.group(2), "space": m.group(3)}
    first = lines[0][m.end() :]
    rest = [first, *lines[1:]]
    if first.startswith("**"):
        result = _extract_bold(rest, layout)
    elif first.startswith("["):
        result = _extract_link(rest, layout)
    else:
        result = None
    if result is None:
        from .linkset import extract_link_set

        result = extract_link_set(rest, layout)
    return result or _unknown(entry_text)


def _head(lines: list[str], closer: str) -> int:
    """Index of the line where the entry's head (a possibly wrapped title) closes."""
    for i, line in enumerate(lines):
        if closer in line:
            return i
        if i and not line.startswith((" ", "\t")):
            break
    return 0


def _title_parts(lines: list[str], last: int, layout: dict[str, Any]) -> None:
    """Record how a title wraps: the continuation indent of its later lines."""
    layout["head_lines"] = last + 1
    if last:
        cont = lines[1]
        layout["title_cont"] = cont[: len(cont) - len(cont.lstrip(" \t"))]


def _extract_link(lines: list[str], layout: dict[str, Any]) -> EntryFields | None:
    last = _head(lines, "](")
    head = "\n".join(lines[: last + 1])
    m = LINK_RE.match(head)
    if m is None:
        return None
    _title_parts(lines, last, layout)
    title_raw, url = m.group(1), m.group(2).strip("<>")
    if url.startswith("#") or not url:
        return None  # a table-of-contents link names a heading, not a paper
    if github_repo(url):
        return None  # a repository entry lists code, not a paper
    tail = head[m.end() :]
    stripped = tail.rstrip(" \t")
    layout["trail"] = tail[len(stripped) :]
    pieces = _parse_pieces(stripped, layout) if stripped else {}
    if pieces is None:
        return None
    body = _parse_body(lines[last + 1 :], layout)
    if body is None:
        return None
    links = [(lab, u) for lab, u in pieces.get("links", [])] + body.get("links", [])
    code_url = pieces.get("code") or body.get("code")
    other = [u for _, u in links] + [code_url or ""] + body.get("note_links", [])
    arxiv_id = _arxiv_of(url)
    layout["url_kind"] = "arxiv" if arxiv_id else "other"
    return EntryFields(
        family="link_date" if stripped else "plain_link",
        title=clean_title(title_raw),
        title_raw=title_raw,
        url=url,
        links=tuple(links),
        identities=_identities([url, *other]),
        arxiv_id=arxiv_id,
        date=pieces.get("date"),
        authors=body.get("authors", ()),
        authors_truncated=ELLIPSIS in body.get("authors", ()),
        venue=pieces.get("venue"),
        tags=tuple(pieces.get("tags", ())),
        code_url=code_url,
        note=body.get("note"),
        layout=layout,
    )


def _parse_pieces(tail: str, layout: dict[str, Any]) -> dict[str, Any] | None:
    """`, Jul. 10 2024. [code](u). `tag`.`: the date/venue slot, labelled links and tags."""
    m = re.match(r"^([,.;:][ \t]*)", tail)
    if m is None:
        return None  # `[Title](url) text` with no separator is free text, not a known shape
    sep0 = m.group(1)
    layout["sep0"] = sep0
    s = tail[len(sep0) :]
    out: dict[str, Any] = {"links": [], "tags": []}
    shape: list[tuple[str, str]] = []
    gaps: list[str] = []
    pos = 0
    while pos < len(s):
        if shape:
            gap = re.match(r"[ \t]*", s[pos:]).group(0)
            gaps.append(gap)
            pos += len(gap)
            if pos >= len(s):
                break
        link = LINK_RE.match(s, pos)
        tags = _TAGS_RE.match(s, pos)
        if link:
            label, url = link.group(1), link.group(2).strip("<>")
            if label.strip().lower() in _CODE_LABELS and "code" not in out:
                out["code"] = url
                kind = "code"
            else:
                out["links"].append((unescape(label), url))
                kind = "link"
            pos = link.end()
        elif tags:
            out["tags"] += [t.strip("`") for t in re.findall(r"`[^`]+`", tags.group(0))]
            kind = "tags"
            pos = tags.end()
        elif not shape:
            end = _slot_end(s)
            slot = s[:end].rstrip()
            if not slot:
                return None
            term = "." if slot.endswith(".") else ""
            _read_slot(slot[: len(slot) - len(term)], out, layout)
            pos = len(slot)
            shape.append(("slot", term))
            continue
        else:
            return None
        term = s[pos] if pos < len(s) and s[pos] in ".,;" else ""
        pos += len(term)
        shape.append((kind, term))
    layout["pieces"] = tuple(shape)
    layout["piece_gaps"] = tuple(gaps)
    return out


def _slot_end(s: str) -> int:
    """Where the free-text slot (date or venue) ends: before the first link or code span."""
    m = _SLOT_END_RE.search(s)
    return m.start() if m else len(s)


def _read_slot(slot: str, out: dict[str, Any], layout: dict[str, Any]) -> None:
    """A date, a venue, or a venue followed by a date (`arXiv.v3 Feb. 5 2020`)."""
    date = parse_date(slot)
    if date is not None:
        out["date"] = date.iso
        layout["date"] = date
        layout["slot"] = "date"
        return
    words = slot.split(" ")
    for cut in range(1, len(words)):
        tail = parse_date(" ".join(words[cut:]))
        if tail is not None and tail.pattern != "{y}":
            out["venue"], out["date"] = " ".join(words[:cut]), tail.iso
            layout["date"] = tail
            layout["slot"] = "venue_date"
            return
    out["venue"] = slot
    layout["slot"] = "venue"


def _parse_body(lines: list[str], layout: dict[str, Any]) -> dict[str, Any] | None:
    """The lines under an entry's head: nested note bullets, or author and link lines."""
    if not lines:
        return {}
    from .body import parse_sublines

    sub = parse_sublines(lines, layout)
    if sub is not None:
        return sub
    # Anything else indented under the item is the curator's note, kept as written.
    nonblank = [ln for ln in lines if ln.strip()]
    indent = min(len(ln) - len(ln.lstrip(" \t")) for ln in nonblank)
    if indent == 0:
        return None
    layout["note_indent"] = nonblank[0][:indent]
    layout["note_wrap"] = _note_wrap(nonblank[0][indent:])
    return {"note": "\n".join(ln[indent:] for ln in lines)}


def _note_wrap(line: str) -> str:
    """The shape of a note bullet, `- _"{}"_` or `- {}`, so new notes look the same."""
    m = re.match(r'^([-*+] )(_"|\*"|"|_|\*)?(.*?)("_|"\*|"|_|\*)?$', line)
    if not m:
        return "{}"
    opener, closer = m.group(2) or "", m.group(4) or ""
    if bool(opener) != bool(closer):
        opener = closer = ""
    return m.group(1) + opener + "{}" + closer


def _extract_bold(lines: list[str], layout: dict[str, Any]) -> EntryFields | None:
    first = lines[0]
    joined = "\n".join(lines)
    found = _BOLD_CLOSE_RE.match(joined, 2)  # the first `**` that is not an escaped `\*`
    if found is None:
        return None
    close = found.start(1)
    last = joined[:close].count("\n")
    if last and any(not ln.startswith((" ", "\t")) for ln in lines[1 : last + 1]):
        return None
    _title_parts(lines, last, layout)
    title_raw = joined[2:close]
    head_end = joined.find("\n", close)
    tail = joined[close + 2 : head_end if head_end >= 0 else len(joined)]
    stripped = tail.rstrip(" \t")
    layout["trail"] = tail[len(stripped) :]
    del first
    from .body import parse_segments

    seg = parse_segments(stripped, layout)
    if seg is None:
        return None
    body = _parse_body(lines[last + 1 :], layout)
    if body is None:
        return None
    links = seg["links"] + body.get("links", [])
    code_url = body.get("code")
    noted = body.get("note_links", [])
    arxiv_id = seg.get("arxiv_id") or _arxiv_of(*(u for _, u in links))
    url = seg.get("url") or (links[0][1] if links else None)
    return EntryFields(
        family="bold_arxiv",
        title=clean_title(title_raw),
        title_raw=title_raw,
        url=url,
        links=tuple(links),
        identities=_identities([u for _, u in links] + [code_url or "", *noted], [arxiv_id or ""]),
        arxiv_id=arxiv_id,
        date=seg.get("date"),
        authors=body.get("authors", ()),
        authors_truncated=ELLIPSIS in body.get("authors", ()),
        venue=seg.get("venue"),
        code_url=code_url,
        note=body.get("note"),
        extras=tuple(seg.get("extras", ())),
        layout=layout,
    )


def date_of(fields: EntryFields) -> ParsedDate | None:
    """The parsed date an entry shows, if any."""
    return fields.layout.get("date")


__all__ = ["ELLIPSIS", "EntryFields", "collapse", "date_of", "extract_fields"]
