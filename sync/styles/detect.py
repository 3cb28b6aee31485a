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
from .credits import find_authors, find_venue
from .inline import Span, all_links, spans
from .slots import Found, Slot, line_content, line_end, line_starts, url_form
from .text import parse_date
from .titles import _bracketed, find_title
from .words import code_repo, label_kind

_ITEM_RE = re.compile(r"^([ \t]*)([-*+]|(\d{1,9})[.)])([ \t]+|$)")
#: A paragraph's number label: `**[12]** `, `[12] ` (three digits at most: `[2023]` is a year).
_NUMBER_LABEL_RE = re.compile(r"^([ \t]*)(\*\*\[|\[)(\d{1,3})(\]\*\*|\])[ \t]+")
#: A labelled line of tags, its label maybe after an emoji (`🔑 Key: [security], [safety]`).
_KEYWORDS_RE = re.compile(
    r"^(?P<label>(?:[^\w\s]+\s*)?(?:Key ?words?|Keys?|Tags?|Topics?)\s*:\s*)(?P<value>.+?)\s*$",
    re.I,
)
_BRACKETED_TAGS_RE = re.compile(r"^\[[^\[\]]+\](?:\s*,\s*\[[^\[\]]+\])*$")
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


def find_links(text: str, found: Found, body: list[Span]) -> None:
    """The paper's link (if the title had none), the code link, and every other labelled link."""
    links = [s for s in all_links(text, body) if not found.taken(s.url_at, s.url_at + len(s.url))]
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
    return (not before or before[-1] in ",;([`·|\n.:*_") and (
        not after or after[0] in ",;)]`·|\n.\\*_"
    )


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
