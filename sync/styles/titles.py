"""Which span of an entry is its title: the first titled link, bold run, quoted or plain text."""

from __future__ import annotations

import re

from .inline import Span, inner_spans
from .slots import Found, Slot, line_end, url_form
from .words import label_kind, looks_like_authors, looks_like_venue

_QUOTES = {'"': '"', "“": "”", "'": "'"}


def find_title(text: str, found: Found, body: list[Span], start: int, end: int) -> None:
    """The title: the first titled link, bold run, quoted or plain text of the entry's head."""
    pos = start
    for s in [x for x in body if start <= x.start < end] + [None]:
        gap_end = s.start if s is not None else end
        gap = text[pos:gap_end]
        if _title_in_text(text, found, pos, gap_end, s):
            return
        if s is None:
            return
        if s.kind in ("image", "tag", "badge") or (s.kind == "code" and found.has("title")):
            pos = s.end
            continue
        label = text[s.inner : s.inner_end]
        kind = label_kind(label) if s.kind == "link" else "x"
        if kind is None or (kind == "other" and not gap.strip() and not _named(label)):
            # A link opening the entry is its title, unless its label names a kind of link.
            _title_from_link(text, found, s)
            return
        if s.kind == "strong" and not _bracketed(text, s, start):
            if _names_quoted_title(text, s, end):
                # `**PAL**: "PAL: Program-aided ..."`: a short name, then the title in quotes.
                quotes = [
                    i for i in (text.find('"', s.end, end), text.find("“", s.end, end)) if i >= 0
                ]
                pos = min(quotes, default=s.end)
                continue
            _title_from_strong(text, found, s)
            return
        if s.kind == "strong":
            pos = s.end + 1  # past the `]` of a `[**Tag**]` prefix
            continue
        if s.kind == "em" and _venue_before(text, s, end):
            pos = s.end + 1  # `- (*NeurIPS'23*) Title [[paper](url)]`: the venue, then the title
            continue
        if s.kind == "em" and not looks_like_authors(text[s.inner : s.inner_end]):
            found.slots.append(Slot("title", s.inner, s.inner_end))
            found.title_form = "em"
            return
        if s.kind in ("link", "strong", "code", "em", "autolink", "url") and gap.strip(" \t[]"):
            return
        pos = s.end


def _venue_before(text: str, s: Span, end: int) -> bool:
    """An emphasised venue in brackets opening the entry, with the title after it."""
    inner = text[s.inner : s.inner_end]
    bracketed = text[s.start - 1 : s.start] in "([" and text[s.end : s.end + 1] in ")]"
    rest = text[s.end + 1 : min(end, line_end(text, s.end))].strip(" \t")
    return bracketed and looks_like_venue(inner) and len(rest.split()) >= 2


def _names_quoted_title(text: str, s: Span, end: int) -> bool:
    """Whether a short bold name is followed on its line by a longer quoted title."""
    name = text[s.inner : s.inner_end]
    if len(name) > 40 or len(name.split()) > 4:
        return False
    rest = text[s.end : min(end, line_end(text, s.end))]
    m = re.match(r'^\s*(?:\([^()"“]{0,80}\))?\s*[:\-–—]\s*["“]([^"”]{8,})["”]', rest)
    return m is not None and len(m.group(1).split()) >= 3


def _named(label: str) -> bool:
    """Whether a link label is a word naming a kind of link (`[video]`), not symbols (`[.]`)."""
    return any(ch.isalpha() for ch in label)


def _bracketed(text: str, s: Span, start: int) -> bool:
    """`[**Verilog**]`: a bold word in brackets before the title is a tag, not the title."""
    return text[s.start - 1 : s.start] == "[" and text[s.end : s.end + 1] == "]" and s.start > start


def _title_from_link(text: str, found: Found, s: Span) -> None:
    inner = inner_spans(text, s)
    if len(inner) == 1 and inner[0].kind == "strong" and inner[0].start == s.inner:
        if inner[0].end == s.inner_end:
            found.slots.append(Slot("title", inner[0].inner, inner[0].inner_end))
            found.title_form = "bold link"
        else:
            found.slots.append(Slot("title", s.inner, s.inner_end))
            found.title_form = "link"
    else:
        found.slots.append(Slot("title", s.inner, s.inner_end))
        found.title_form = "link"
    found.slots.append(Slot("url", s.url_at, s.url_at + len(s.url), url_form(s.url)))


def _title_from_strong(text: str, found: Found, s: Span) -> None:
    inner = inner_spans(text, s)
    if len(inner) == 1 and inner[0].kind == "link" and inner[0].start == s.inner:
        link = inner[0]
        found.slots.append(Slot("title", link.inner, link.inner_end))
        found.slots.append(
            Slot("url", link.url_at, link.url_at + len(link.url), url_form(link.url))
        )
        found.title_form = "link in bold"
        return
    found.slots.append(Slot("title", s.inner, s.inner_end))
    found.title_form = "bold"


def _title_in_text(text: str, found: Found, start: int, end: int, nxt: Span | None) -> bool:
    """A quoted title, or a plain-text title right before a generic link (`Title [Link](u)`)."""
    gap = text[start:end]
    stripped = gap.lstrip(" \t")
    lead = len(gap) - len(stripped)
    if not stripped:
        return False
    if stripped.startswith("[") and not any(ch.isalpha() for ch in stripped.split("]")[0]):
        return False  # `[2023/10]` and the like: a prefix, not a title
    opener = stripped[0]
    if opener in _QUOTES and opener != "'":
        # The last closing quote on the line that the rest of the entry follows (a title may
        # quote something itself: `""You still have to study" -- On ..."`).
        first, stop, last = start + lead + 1, line_end(text, start), -1
        close = text.find(_QUOTES[opener], first + 1, stop)
        while close >= 0:
            if re.match(r"[\s,.;:\[]|$", text[close + 1 : close + 2]):
                last = close
            close = text.find(_QUOTES[opener], close + 1, stop)
        if last > first:
            found.slots.append(Slot("title", first, last))
            found.title_form = "quoted"
            return True
        return False
    if not any(ch.isalpha() for ch in stripped) or stripped.startswith("["):
        return False
    if nxt is None or nxt.kind != "link" or label_kind(text[nxt.inner : nxt.inner_end]) is None:
        return False  # only `Title [Link](url)`: a bare URL after words is a sentence
    body = stripped.rstrip(" \t-–—,[(")
    if len(body.split()) < 2 or "\n" in body or body.endswith(":"):
        return False
    found.slots.append(Slot("title", start + lead, start + lead + len(body)))
    found.slots.append(Slot("url", nxt.url_at, nxt.url_at + len(nxt.url), url_form(nxt.url)))
    found.title_form = "text"
    return True
