"""Who wrote a paper and where it appeared: the authors and venue slots of an entry's text.

Authors in italics, on a line of their own, as a run of names between tags, or before a quoted
title in a citation; a venue after the title, in the paper's own link's label, on a labelled
line, or emphasised in brackets before the title. Pure, like the rest of the reader.
"""

from __future__ import annotations

import re

from .inline import Span, all_links
from .slots import Found, Slot, line_content, line_end, line_starts
from .words import label_kind, looks_like_authors, looks_like_venue, says_year

#: A labelled line naming the venue (`📑 Publisher: arXiv`, `Venue: ICLR 2025`).
_VENUE_LINE_RE = re.compile(
    r"^(?:[^\w\s]+\s*)?(?:Venue|Publisher|Published (?:in|at)|Conference|Journal)\s*:\s*"
    r"(?P<value>[^\[\]()]+?)\s*$",
    re.I,
)
_SEGMENT_SPLIT = re.compile(r"\s*(?:[,;·|•\[\]()]|\.(?=\s|$|\\)|\s[-–—]\s|\\(?=\n|$)|\n)\s*")


def find_authors(text: str, found: Found, body: list[Span], starts: list[int]) -> None:
    """Authors in italics, or a line of their own (a nested bullet, an indented line)."""
    for s in body:
        if s.kind == "em" and not found.taken(s.inner, s.inner_end):
            inner = text[s.inner : s.inner_end]
            if looks_like_authors(inner, strict=False):
                found.slots.append(Slot("authors", s.inner, s.inner_end))
                return
    for k, ls in enumerate(starts[1:], 1):
        le = line_end(text, ls)
        a, b = line_content(text, ls, le)
        if b > a and not found.taken(a, b) and looks_like_authors(text[a:b], strict=True):
            found.slots.append(Slot("authors", a, b))
            return
        del k
    _authors_before_title(text, found, body)


#: What may open an entry before its authors: a number label (`**[12]**`, `[12]`).
_LEAD_RE = re.compile(r"\s*(?:\*\*\[?\d{1,4}[.)]?\]?\*\*|\[\d{1,4}\])?\s*")
#: What closes the authors before a title: a period or comma, an opening quote or bold.
_BEFORE_TITLE_RE = re.compile(r"[\s.,:]*[\"“]?(?:\*\*|__)?[\"“]?$")


def _authors_before_title(text: str, found: Found, body: list[Span]) -> None:
    """Citation style: `**[4]** Krizhevsky, Alex, and Geoffrey E. Hinton. "**Title**." ...`,
    the authors between the entry's number and its title, on the title's line."""
    title = found.first("title")
    if title is None:
        return
    start = max(found.prefix_end, text.rfind("\n", 0, title.start) + 1)
    lead = _LEAD_RE.match(text, start)
    a = lead.end() if lead else start
    head = text[a : title.start]
    m = _BEFORE_TITLE_RE.search(head)
    b = a + (m.start() if m else len(head))
    if b - a < 3 or found.taken(a, b) or any(a < s.end and s.start < b for s in body):
        return
    if looks_like_authors(text[a:b], strict=True):
        found.slots.append(Slot("authors", a, b))


def find_venue(text: str, found: Found, body: list[Span], start: int, end: int) -> None:
    """A short free-text segment after the title that names a venue; else a list of names.

    Text before the title (a model's name in bold, a tag) is never the venue.
    """
    if _venue_line(text, found):
        return
    title = found.first("title")
    if title is not None and found.container != "row":
        start = max(start, title.end)
    covered = [
        (s.start, s.end)
        for s in body
        if s.kind in ("link", "badge", "image", "tag", "autolink", "url")
    ]
    covered += [(s.start, s.end) for s in found.slots]
    regions = _uncovered(covered, start, end) + _paper_link_label(text, found, body)
    for a, b in regions:
        if not found.has("authors") and _author_run(text, found, a, b):
            continue
        if not found.has("venue"):
            _journal(text, found, a, b)
        for seg_a, seg_b in _segments(text, a, b):
            seg = text[seg_a:seg_b]
            if seg.strip("*_`\"' ").lower() in ("arxiv", "preprint", ""):
                continue
            inner_a = seg_a + len(seg) - len(seg.lstrip("*_`\"' \t"))
            inner_b = seg_b - (len(seg) - len(seg.rstrip("*_`\"' \t")))
            if inner_b <= inner_a or found.taken(inner_a, inner_b):
                continue
            value = text[inner_a:inner_b]
            if not found.has("venue") and looks_like_venue(value) and not _sentence(value):
                found.slots.append(Slot("venue", inner_a, inner_b))
            elif (
                not found.has("authors")
                # One word alone (`Comput.` of `Comput. Secur. 2021`) is no author list.
                and (len(value.split()) >= 2 or "," in value)
                and looks_like_authors(value, strict=True)
            ):
                found.slots.append(Slot("authors", inner_a, inner_b))
    if not found.has("venue") and title is not None:
        # `- (*NeurIPS'23*) Title`: an emphasised venue in brackets before the title.
        for s in body:
            if (
                s.kind == "em"
                and s.end <= title.start
                and text[s.start - 1 : s.start] in ("(", "[")
                and not found.taken(s.inner, s.inner_end)  # `(*arXiv 2023.10*)`: a date there
                and looks_like_venue(text[s.inner : s.inner_end])
            ):
                found.slots.append(Slot("venue", s.inner, s.inner_end))
                break


def _venue_line(text: str, found: Found) -> bool:
    """A line of its own labelled as the venue (`- 📑 Publisher: arXiv`): its value is the venue,
    `arXiv` included (the list's word for a preprint)."""
    if found.has("venue"):
        return False
    for ls in line_starts(text)[1:]:
        a, b = line_content(text, ls, line_end(text, ls))
        m = _VENUE_LINE_RE.match(text[a:b])
        if m and not found.taken(a + m.start("value"), a + m.end("value")):
            found.slots.append(Slot("venue", a + m.start("value"), a + m.end("value")))
            return True
    return False


#: An abbreviated journal and its year: `Comput. Secur. 2021`, `IEEE Trans. Inf. Forensics Secur. 2019`.
_JOURNAL_RE = re.compile(r"(?<![\w.])((?:[A-Z][A-Za-z]*\.?[ \t]+){1,8}(?:19|20)\d{2})(?!\d)")


def _journal(text: str, found: Found, a: int, b: int) -> None:
    """A venue written as an abbreviated journal name with its year, which the segments (split at
    each period) would cut into words."""
    for m in _JOURNAL_RE.finditer(text, a, b):
        if re.search(r"[A-Za-z]\.\s", m.group(1)) and not found.taken(m.start(1), m.end(1)):
            found.slots.append(Slot("venue", m.start(1), m.end(1)))
            return


def _author_run(text: str, found: Found, a: int, b: int) -> bool:
    """A whole run of names after a tag or a dash (`<small>Yi Chen, Yuying Ge et al.</small>`,
    `**Title** — A, B (2023)`) is the authors, not its first name alone; True when taken so.

    Elsewhere (`**Title**. Kim and Ford. ACL'23`) the segments between periods are read one by
    one: a period there ends a field, and a run would swallow the venue.
    """
    inner = text[a:b]
    # Around the names: separators, a dash after the title, the bracket opening a date.
    lead = len(inner) - len(inner.lstrip(" \t,.;:—–-*_"))
    if not (text[:a].rstrip().endswith(">") or "—" in inner[:lead] or "–" in inner[:lead]):
        return False
    body = inner[lead:].rstrip(" \t,;:—–-([")
    if body.endswith(".") and not body.endswith("al."):
        body = body[:-1]  # the sentence's period; `et al.` keeps its own
    if "\n" in body or not re.search(r",|\band\b|&|\bet al", body):
        return False
    if not looks_like_authors(body, strict=True):
        return False
    found.slots.append(Slot("authors", a + lead, a + lead + len(body)))
    return True


def _paper_link_label(text: str, found: Found, body: list[Span]) -> list[tuple[int, int]]:
    """The parts of the paper's own link's label that no slot holds, when the label is not the
    title and names a venue with its year (`[CHI 2024](url)`, `[arXiv, 26 Dec 2024](url)`):
    a list that links each paper by its venue writes the venue there."""
    url, title = found.first("url"), found.first("title")
    if url is None or title is None:
        return []
    link = next(
        (s for s in all_links(text, body) if s.kind == "link" and s.url_at == url.start), None
    )
    if link is None or link.inner <= title.start < link.inner_end:
        return []
    label = text[link.inner : link.inner_end]
    if label_kind(label) is not None or not says_year(label):
        return []
    return _uncovered([(s.start, s.end) for s in found.slots], link.inner, link.inner_end)


def _uncovered(covered: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The stretches of [start, end) that none of the `covered` spans overlaps, in order."""
    spans = sorted((max(a, start), min(b, end)) for a, b in covered if a < end and b > start)
    out, pos = [], start
    for a, b in spans + [(end, end)]:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    return out


def _sentence(value: str) -> bool:
    words = value.split()
    return len(words) > 3 and sum(w[:1].islower() for w in words) > len(words) / 2


def _segments(text: str, a: int, b: int) -> list[tuple[int, int]]:
    out = []
    pos = a
    for m in _SEGMENT_SPLIT.finditer(text, a, b):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if b > pos:
        out.append((pos, b))
    return [(x, y) for x, y in out if text[x:y].strip()]
