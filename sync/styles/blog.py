"""The blog shape: `**Title**. First et al. VENUE'YY\\`, free note lines, then a `<url>` line."""

from __future__ import annotations

import re
from typing import Any

from .text import LINK_RE, clean_title, parse_date

_HEAD_RE = re.compile(
    r"^\*\*(?P<title>(?:\\.|[^\\])+?)\*\*(?P<sep>[.,:]?[ \t]*)(?P<rest>.*?)(?P<brk>\\|  )?$"
)
_AUTHORS_RE = re.compile(r"^(?P<names>.+?)(?P<etal> et al\.|\.)(?:[ \t]+(?P<venue>.*?))?$")
_SHORT_VENUE_RE = re.compile(r"^(?P<v>.+?)'(?P<yy>\d{2})$")
_URL_LINE_RE = re.compile(r"^(?:<(?P<angle>https?://[^>\s]+)>|(?P<bare>https?://\S+))$")


def extract_paragraph(lines: list[str]) -> Any | None:
    """Fields of a blog-style paragraph entry, or None when the paragraph is not one."""
    from .fields import ELLIPSIS, EntryFields, _arxiv_of, _identities

    head = _HEAD_RE.match(lines[0])
    if head is None or len(lines) < 2:
        return None
    url_line = lines[-1].strip()
    m = _URL_LINE_RE.match(url_line)
    link = LINK_RE.fullmatch(url_line)
    if m:
        url = m.group("angle") or m.group("bare")
        wrap = "<{}>" if m.group("angle") else "{}"
    elif link:
        url, wrap = link.group(2), "[" + link.group(1).replace("{", "{{") + "]({})"
    else:
        return None
    layout: dict[str, Any] = {
        "sep": head.group("sep"),
        "brk": head.group("brk") or "",
        "url_wrap": wrap,
    }
    authors: tuple[str, ...] = ()
    venue = date = None
    a = _AUTHORS_RE.match(head.group("rest"))
    if a:
        names = a.group("names").split(" and ")
        authors = tuple(n.strip() for n in names)
        if a.group("etal") != ".":
            authors = (*authors, ELLIPSIS)
        venue, date = _venue(a.group("venue") or "", layout)
    elif head.group("rest"):
        venue, date = _venue(head.group("rest"), layout)  # no authors: `**Title**. ACL'21`
        if layout["venue_shape"] == "text":
            return None
    notes = []
    for line in lines[1:-1]:
        brk = layout["brk"]
        if brk and not line.endswith(brk):
            return None
        notes.append(line[: len(line) - len(brk)] if brk else line)
    title_raw = head.group("title")
    return EntryFields(
        family="blog",
        title=clean_title(title_raw),
        title_raw=title_raw,
        url=url,
        identities=_identities([url]),
        arxiv_id=_arxiv_of(url),
        date=date,
        authors=authors,
        authors_truncated=ELLIPSIS in authors,
        venue=venue,
        note="\n".join(notes) if notes else None,
        layout=layout,
    )


def _venue(text: str, layout: dict[str, Any]) -> tuple[str | None, str | None]:
    """`ACL'21` -> (ACL, 2021); `2023` -> (None, 2023); anything else is a venue as written."""
    text = text.strip()
    if not text:
        layout["venue_shape"] = "none"
        return None, None
    short = _SHORT_VENUE_RE.match(text)
    if short:
        layout["venue_shape"] = "short"
        yy = int(short.group("yy"))
        return short.group("v"), str(2000 + yy if yy < 70 else 1900 + yy)
    date = parse_date(text)
    if date is not None and date.pattern == "{y}":
        layout["venue_shape"] = "year"
        return None, date.iso
    layout["venue_shape"] = "text"
    return text, None
