"""Find the fields of one entry in its text: which span is the title, the link, the date, the authors.

One reader for every shape: list items, numbered items, table rows and paragraphs. It looks at
what each span is (a link to arXiv, a repository, a date, a list of names, a short venue), never
at which list it came from. What it finds are `Slot`s: offsets into the entry's text, so the
text between them (the list's own brackets, separators and labels) can be learned as written.
"""

from __future__ import annotations

import re
from typing import Any

from ..identity import parse_arxiv_id
from .inline import Span, inner_spans, spans
from .slots import Found, Slot, line_content, line_end, line_starts, url_form
from .text import parse_date
from .titles import _bracketed, find_title
from .words import code_repo, label_kind, looks_like_authors, looks_like_venue

_ITEM_RE = re.compile(r"^([ \t]*)([-*+]|(\d{1,9})[.)])([ \t]+|$)")
#: A paragraph's number label: `**[12]** `, `[12] ` (three digits at most: `[2023]` is a year).
_NUMBER_LABEL_RE = re.compile(r"^([ \t]*)(\*\*\[|\[)(\d{1,3})(\]\*\*|\])[ \t]+")
#: A labelled line of tags, its label maybe after an emoji (`🔑 Key: [security], [safety]`).
_KEYWORDS_RE = re.compile(
    r"^(?P<label>(?:[^\w\s]+\s*)?(?:Key ?words?|Keys?|Tags?|Topics?)\s*:\s*)(?P<value>.+?)\s*$",
    re.I,
)
_BRACKETED_TAGS_RE = re.compile(r"^\[[^\[\]]+\](?:\s*,\s*\[[^\[\]]+\])*$")
#: A labelled line naming the venue (`📑 Publisher: arXiv`, `Venue: ICLR 2025`).
_VENUE_LINE_RE = re.compile(
    r"^(?:[^\w\s]+\s*)?(?:Venue|Publisher|Published (?:in|at)|Conference|Journal)\s*:\s*"
    r"(?P<value>[^\[\]()]+?)\s*$",
    re.I,
)
_CODE_LINE_RE = re.compile(r"^(?:Code|Github|Repo|Implementation)\s*:\s*", re.I)
_DATE_CANDIDATES = re.compile(
    r"(?<![\w.])(?:"
    r"\d{4}[-/.]\d{1,2}(?:[-/.]\d{1,2})?"
    r"|\d{1,2}\s+[A-Z][a-z]{2,8}\.?,?\s+\d{4}"
    r"|[A-Z][a-z]{2,8}\.?,?\s+\d{1,2},?\s+\d{4}"
    r"|[A-Z][a-z]{2,8}\.?,?\s+\d{4}"
    r"|(?:19|20)\d{2}"
    r")(?![\w])"
)
_SEGMENT_SPLIT = re.compile(r"\s*(?:[,;·|•\[\]()]|\.(?=\s|$|\\)|\s[-–—]\s|\\(?=\n|$)|\n)\s*")


def find_slots(text: str) -> Found:
    """Every field a list item's or paragraph's text shows, as slots (none: not a paper entry);
    table rows are `rows.find_row_slots`'."""
    m = _ITEM_RE.match(text)
    if m:
        found = Found(text, "item", m.end(), [])
        if m.group(3):
            found.slots.append(Slot("number", m.start(3), m.end(3)))
    elif (label := _NUMBER_LABEL_RE.match(text)) is not None:
        # `**[12]** Authors. "Title"...`: a numbered reading list written as paragraphs.
        found = Found(text, "paragraph", label.end(), [])
        found.slots.append(Slot("number", label.start(3), label.end(3)))
    else:
        found = Found(text, "paragraph", len(text) - len(text.lstrip(" \t")), [])
    starts = line_starts(text)
    body = spans(text, found.prefix_end)
    head_end = _head_end(text, found, body)
    find_title(text, found, body, found.prefix_end, head_end)
    if not found.has("title"):
        return found
    find_links(text, found, body)
    find_derived(text, found)
    find_dates(text, found, found.prefix_end, len(text))
    find_authors(text, found, body, starts)
    find_tags(text, found, body, starts)
    find_venue(text, found, body, found.prefix_end, len(text))
    found.slots.sort(key=lambda s: s.start)
    found.note_lines = _note_lines(text, found, starts)
    return found


def _head_end(text: str, found: Found, body: list[Span]) -> int:
    """Where the first line ends, or a multi-line span that opens on it (a wrapped title)."""
    end = text.find("\n")
    end = len(text) if end < 0 else end
    for s in body:
        if s.start < end < s.end:
            end = s.end
    return end


# --- title and main link ---------------------------------------------------------------------


def _all_links(text: str, body: list[Span]) -> list[Span]:
    """Links, badges and autolinks at any depth that matter: top level and inside emphasis."""
    out = []
    for s in body:
        if s.kind in ("link", "badge", "autolink", "url"):
            out.append(s)
        elif s.kind in ("strong", "em"):
            out += [x for x in inner_spans(text, s) if x.kind in ("link", "badge")]
    return out


def find_links(text: str, found: Found, body: list[Span]) -> None:
    """The paper's link (if the title had none), the code link, and every other labelled link."""
    links = [s for s in _all_links(text, body) if not found.taken(s.url_at, s.url_at + len(s.url))]
    usable = [s for s in links if s.url.startswith(("http://", "https://"))]
    if not found.has("url"):
        main = _main_link(text, usable)
        if main is not None:
            found.slots.append(
                Slot("url", main.url_at, main.url_at + len(main.url), url_form(main.url))
            )
            usable.remove(main)
    paper_id = _paper_arxiv(text, found)
    group = 0
    for s in usable:
        label = text[s.inner : s.inner_end] if s.kind == "link" else ""
        kind = label_kind(label) if s.kind == "link" else None
        parsed = parse_arxiv_id(s.url) if "arxiv" in s.url.lower() else None
        at, end = s.url_at, s.url_at + len(s.url)
        if parsed is not None and paper_id is not None and parsed.base == paper_id.base:
            found.slots.append(Slot("alink", at, end, url_form(s.url)))
        elif (
            code_repo(s.url) and not found.has("code") or (kind == "code" and not found.has("code"))
        ):
            found.slots.append(Slot("code", at, end))
        elif s.kind == "link" and label.strip() and not _numeric(label):
            group += 1
            found.slots.append(Slot("link_label", s.inner, s.inner_end, group=group))
            found.slots.append(Slot("link_url", at, end, group=group))


def _numeric(label: str) -> bool:
    return not any(ch.isalpha() for ch in label)


def _main_link(text: str, links: list[Span]) -> Span | None:
    for want in ("paper", "id", "any"):
        for s in links:
            label = text[s.inner : s.inner_end] if s.kind == "link" else ""
            if code_repo(s.url) or label_kind(label) == "code":
                continue
            if want == "paper" and s.kind == "link" and label_kind(label) == "paper":
                return s
            if want == "id" and parse_arxiv_id(s.url) is not None:
                return s
            if want == "any" and (s.kind != "link" or label_kind(label) != "other"):
                return s
    return None


def _paper_arxiv(text: str, found: Found) -> Any:
    url = found.first("url")
    parsed = parse_arxiv_id(text[url.start : url.end]) if url is not None else None
    return parsed


def find_derived(text: str, found: Found) -> None:
    """The arXiv id written out (`arXiv, 2410.16215`) and the code link's owner and repo name
    wherever the entry repeats them (a stars badge, `([repo](url) - owner)`)."""
    url = found.first("url")
    alink = found.first("alink")
    parsed = None
    for slot in (url, alink):
        if slot is not None and parsed is None:
            parsed = parse_arxiv_id(text[slot.start : slot.end])
    if parsed is not None:
        for at, end in _occurrences(text, parsed.base, "./"):
            version = _VERSION_RE.match(text, end)
            if version:
                end = version.end()
            # Anywhere but the paper's own links, which are slots already: `arXiv, id`, a badge.
            if _word_end(text, end) and not found.taken(at, end):
                found.slots.append(Slot("id", at, end, bool(version)))
    code = found.first("code")
    if code is None:
        return
    repo = code_repo(text[code.start : code.end])
    if repo is None:
        return
    owner, name = repo
    for value, slot_name in ((f"{owner}/{name}", None), (name, "code_repo"), (owner, "code_owner")):
        if len(value) < 2:
            continue
        for at, end in _occurrences(text, value, ".-"):
            if not _word_end(text, end, "-") or found.taken(at, end):
                continue
            if slot_name and not _derived_place(text, at):
                continue
            if slot_name is None:
                cut = at + len(owner)
                found.slots.append(Slot("code_owner", at, cut))
                found.slots.append(Slot("code_repo", cut + 1, end))
            else:
                found.slots.append(Slot(slot_name, at, end))


_VERSION_RE = re.compile(r"v\d+")


def _occurrences(text: str, value: str, joiners: str) -> list[tuple[int, int]]:
    """Where `value` stands in `text` as a word of its own (no letter or `joiners` before it).

    A plain search, not a regex built per value: every entry has its own id and repo name,
    and compiling a pattern for each costs more than reading the entry.
    """
    out = []
    at = text.find(value)
    while at >= 0:
        before = text[at - 1] if at else " "
        if not (before.isalnum() or before == "_" or before in joiners):
            out.append((at, at + len(value)))
        at = text.find(value, at + 1)
    return out


def _word_end(text: str, end: int, joiners: str = "") -> bool:
    """Whether a word ends at `end` (no letter, digit, `_` or joiner follows)."""
    after = text[end] if end < len(text) else " "
    return not (after.isalnum() or after == "_" or after in joiners)


def _in_url(text: str, pos: int) -> bool:
    """Whether `pos` is inside a URL of the text (a link target or a bare URL)."""
    left = text.rfind("(", 0, pos)
    space = max(text.rfind(" ", 0, pos), text.rfind("\n", 0, pos))
    return (left > space and text[left - 1 : left] == "]") or "://" in text[space + 1 : pos]


def _derived_place(text: str, pos: int) -> bool:
    """A repo or owner name counts where it is a link label, a URL part or after ` - `."""
    before = text[max(0, pos - 3) : pos]
    return before.endswith(("[", "/", " - ", "(")) or _in_url(text, pos)


# --- dates, authors, tags, venue --------------------------------------------------------------


def find_dates(text: str, found: Found, start: int, end: int, *, bare_year: bool = False) -> None:
    """The first date written in the entry outside its title and links."""
    if found.has("date"):
        return
    for m in _DATE_CANDIDATES.finditer(text, start, end):
        if found.taken(m.start(), m.end()) or _in_url(text, m.start()):
            continue
        value = m.group(0)
        parsed = parse_date(value)
        if parsed is None:
            continue
        if parsed.pattern == "{y}" and not (bare_year or _alone(text, m.start(), m.end())):
            continue
        found.slots.append(Slot("date", m.start(), m.end(), parsed))
        return


def _alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole segment: between separators, brackets or line ends."""
    before = text[:start].rstrip(" \t")
    after = text[end:].lstrip(" \t")
    return (not before or before[-1] in ",;([`·|\n.:") and (not after or after[0] in ",;)]`·|\n.\\")


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


def find_tags(text: str, found: Found, body: list[Span], starts: list[int]) -> None:
    """Tags: `Keywords: a, b` lines, code spans that are nothing else, `[**Tag**]` before a title."""
    for ls in starts[1:]:
        le = line_end(text, ls)
        a, b = line_content(text, ls, le)
        m = _KEYWORDS_RE.match(text[a:b])
        if m and not found.taken(a, b):
            fmt: tuple[str, ...] = ("joined", ", ")
            if _BRACKETED_TAGS_RE.match(m.group("value")):
                joiner = re.search(r"\]([^\[]*)\[", m.group("value"))
                fmt = ("each", "[{}]", joiner.group(1) if joiner else ", ")
            found.slots.append(Slot("tags", a + m.start("value"), a + m.end("value"), fmt))
            return
    run: list[Span] = []
    for s in body:
        if (
            s.kind == "code"
            and not found.taken(s.start, s.end)
            and len(text[s.inner : s.inner_end]) <= 40
        ):
            if run and text[run[-1].end : s.start].strip():
                break
            run.append(s)
        elif run:
            break
    if run:
        found.slots.append(
            Slot("tags", run[0].start, run[-1].end, ("each", "`{}`", _joiner(text, run)))
        )
        return
    if _topic_badges(text, found, body):
        return
    title = found.first("title")
    for s in body:
        if (
            s.kind == "strong"
            and title is not None
            and s.end <= title.start
            and _bracketed(text, s, 0)
        ):
            found.slots.append(Slot("tags", s.inner, s.inner_end, ("joined", ", ")))
            return


#: A static shields.io badge naming a topic: `![](https://img.shields.io/badge/Adapter-blue)`.
_TOPIC_BADGE_RE = re.compile(
    r"^https?://img\.shields\.io/badge/(?P<label>[^/?#]+?)-(?P<color>[A-Za-z]+)$"
)


def _topic_badges(text: str, found: Found, body: list[Span]) -> bool:
    """A run of topic badges is the entry's tags (`![](…/badge/dialogue-brown)`): each entry's
    own, written for a new paper from its own tags, in the run's first badge's colour."""
    run = [
        s
        for s in body
        if s.kind == "image" and _TOPIC_BADGE_RE.match(s.url) and not found.taken(s.start, s.end)
    ]
    if not run:
        return False
    run = [s for k, s in enumerate(run) if k == 0 or not text[run[k - 1].end : s.start].strip()]
    first = text[run[0].start : run[0].end]
    m = _TOPIC_BADGE_RE.match(run[0].url)
    assert m is not None
    each = first.replace(
        run[0].url, run[0].url[: m.start("label")] + "{}" + run[0].url[m.end("label") :]
    )
    found.slots.append(Slot("tags", run[0].start, run[-1].end, ("each", each, _joiner(text, run))))
    return True


def _joiner(text: str, run: list[Span]) -> str:
    return text[run[0].end : run[1].start] if len(run) > 1 else " "


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
    covered = sorted((max(a, start), min(b, end)) for a, b in covered if a < end and b > start)
    pos = start
    regions = []
    for a, b in covered + [(end, end)]:
        if a > pos:
            regions.append((pos, a))
        pos = max(pos, b)
    regions += _paper_link_label(text, found, body)
    for a, b in regions:
        if not found.has("authors") and _author_run(text, found, a, b):
            continue
        for seg_a, seg_b in _segments(text, a, b):
            seg = text[seg_a:seg_b]
            if seg.strip("*_`\"' ").lower() in ("arxiv", "preprint", ""):
                continue
            inner_a = seg_a + len(seg) - len(seg.lstrip("*_`\"' \t"))
            inner_b = seg_b - (len(seg) - len(seg.rstrip("*_`\"' \t")))
            if inner_b <= inner_a:
                continue
            value = text[inner_a:inner_b]
            if not found.has("venue") and looks_like_venue(value) and not _sentence(value):
                found.slots.append(Slot("venue", inner_a, inner_b))
            elif not found.has("authors") and looks_like_authors(value, strict=True):
                found.slots.append(Slot("authors", inner_a, inner_b))


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


def _author_run(text: str, found: Found, a: int, b: int) -> bool:
    """A whole run of names between two tags (`<small>Yi Chen, Yuying Ge et al.</small>`) is the
    authors, not its first name alone; True when it was taken as such."""
    inner = text[a:b]
    lead = len(inner) - len(inner.lstrip(" \t,.;"))
    body = inner.strip(" \t,;")
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
        (s for s in _all_links(text, body) if s.kind == "link" and s.url_at == url.start), None
    )
    if link is None or link.inner <= title.start < link.inner_end:
        return []
    label = text[link.inner : link.inner_end]
    if label_kind(label) is not None or not _YEAR_RE.search(label):
        return []
    taken = sorted((s.start, s.end) for s in found.slots if link.inner <= s.start < link.inner_end)
    out, pos = [], link.inner
    for a, b in taken + [(link.inner_end, link.inner_end)]:
        if a > pos:
            out.append((pos, a))
        pos = max(pos, b)
    return out


#: A year as venues write it: `2024`, `'24`.
_YEAR_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|'\d{2}(?!\d)")


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


def _note_lines(text: str, found: Found, starts: list[int]) -> tuple[int, ...]:
    """Lines after the head that are the curator's own words, kept as written: a line with no
    field, or a sentence that only mentions a link (`- Read with the [blog](url) too`)."""
    title = found.first("title")
    head_last = text.count("\n", 0, title.end) if title is not None else 0
    out = []
    for k, ls in enumerate(starts):
        if k <= head_last:
            continue
        le = line_end(text, ls)
        if not text[ls:le].strip():
            continue
        mine = [s for s in found.slots if ls <= s.start <= le]
        if not mine or (
            all(s.name in _MENTIONS for s in mine) and _words_besides(text, ls, le, mine) >= 3
        ):
            out.append(k)
    if out:
        # A note's links are the note's: they are not the paper's fields.
        noted = [
            s
            for s in found.slots
            if any(starts[k] <= s.start <= line_end(text, starts[k]) for k in out)
        ]
        found.slots = [s for s in found.slots if s not in noted]
    return tuple(out)


#: Slots a sentence of a note may hold without becoming a field line.
_MENTIONS = frozenset({"link_label", "link_url", "code", "code_owner", "code_repo"})


def _words_besides(text: str, ls: int, le: int, slots: list[Slot]) -> int:
    """How many words a line holds outside its slots and link syntax."""
    line = list(text[ls:le])
    for s in slots:
        for i in range(s.start - ls, s.end - ls):
            line[i] = " "
    rest = re.sub(r"\[[^\]]*\]\([^)]*\)|[\[\]()*_`>-]", " ", "".join(line))
    return len([w for w in rest.split() if any(ch.isalpha() for ch in w)])
