"""What an entry says, as written: its fields, and where in its text each one sits."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ..identity import identity_key, parse_arxiv_id
from .detect import Found, find_slots
from .inline import plain, spans
from .rows import find_row_slots
from .text import clean_title, collapse, unescape
from .words import BADGE_TAG_RE, code_repo, split_authors

log = logging.getLogger(__name__)

#: The mark a list uses where it leaves authors out (`A, B, ..., Z`); kept in Paper.authors.
ELLIPSIS = "..."
_ETAL_RE = re.compile(r"^(?:et\.? al\.?|others)$", re.I)
_TRAILING_ETAL_RE = re.compile(r"[\s,]+(?:et\.? al\.?|and others)\s*$", re.I)
_URL_RE = re.compile(r"\]\(\s*<?([^)\s>]+)>?\s*\)|<(https?://[^>\s]+)>|(https?://[^\s<>()\[\]]+)")


@dataclass(frozen=True)
class EntryFields:
    """What one entry says, as written (`title_raw`) and as a reader sees it (`title`)."""

    family: str  # how the entry is shaped: "link item", "bold item", "table row", ... or unknown
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
    #: Per-entry values of list-specific text that is not a Paper field (a citation count).
    extras: tuple[tuple[str, str], ...] = ()
    #: Where each field sits in the text (`Found`), for learning the list's style.
    layout: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_paper(self) -> bool:
        """A recognised entry with a title and a link that can be a paper's (or an arXiv id).

        A table-of-contents anchor, a code repository and a video are entries of a list but
        not papers: they teach nothing about how the list writes papers.
        """
        if self.family == "unknown" or not self.title:
            return False
        if self.arxiv_id:
            return True
        return bool(self.url) and not not_a_paper(self.url or "")


_NOT_PAPER_HOSTS = re.compile(
    r"^https?://(?:www\.|m\.)?(?:youtube\.com|youtu\.be|vimeo\.com|bilibili\.com)/", re.I
)


def not_a_paper(url: str) -> bool:
    """A link that is never a paper's: an anchor in the page, a code repository, a video."""
    return (
        url.startswith("#")
        or not url.strip()
        or bool(code_repo(url))
        or bool(_NOT_PAPER_HOSTS.match(url))
    )


def _identities(values: list[str]) -> tuple[str, ...]:
    keys: list[str] = []
    for value in values:
        key = identity_key(value) if value else None
        if key and key not in keys:
            keys.append(key)
    return tuple(keys)


def _urls(text: str) -> list[str]:
    """Every link target of the text: a paper is known by any of them."""
    return [m.group(1) or m.group(2) or m.group(3) for m in _URL_RE.finditer(text)]


def _own_text(text: str, found: Found) -> str:
    """The entry's text without its note lines (a note may mention another paper's link)."""
    if not found.note_lines:
        return text
    notes = set(found.note_lines)
    return "\n".join(line for k, line in enumerate(text.split("\n")) if k not in notes)


def _unknown(text: str) -> EntryFields:
    return EntryFields("unknown", identities=_identities(_urls(text)))


def extract_fields(entry_text: str, *, table_header: list[str] | None = None) -> EntryFields:
    """The fields of one entry's text (lines joined by newlines); `unknown` when unrecognised."""
    try:
        return _extract(entry_text, table_header)
    except (ValueError, IndexError, KeyError, AttributeError, TypeError, RecursionError):
        # A shape we misjudged must never stop a list from loading: the entry stays opaque.
        log.debug("entry left opaque after a parse error: %r", entry_text[:80], exc_info=True)
        return _unknown(entry_text)


def _extract(text: str, header: list[str] | None) -> EntryFields:
    if not text.strip():
        return EntryFields("unknown")
    if header is not None or text.lstrip().startswith("|"):
        found = find_row_slots(text, header or [])
    else:
        found = find_slots(text)
    title = found.first("title")
    if title is None:
        return _unknown(text)
    values: dict[str, Any] = {}
    links: dict[int, list[str]] = {}
    for slot in found.slots:
        raw = text[slot.start : slot.end]
        if slot.name in ("link_label", "link_url"):
            links.setdefault(slot.group, ["", ""])[slot.name == "link_url"] = raw
        elif slot.name not in values:
            values[slot.name] = (raw, slot)
    title_raw = values["title"][0]
    url = values["url"][0] if "url" in values else None
    alink = values["alink"][0] if "alink" in values else None
    arxiv = None
    for value in (url, alink, values.get("id", ("",))[0]):
        parsed = parse_arxiv_id(value) if value else None
        if parsed is not None:
            arxiv = str(parsed)
            break
    authors = _authors(values["authors"][0]) if "authors" in values else ()
    link_pairs = tuple((plain(label), target) for label, target in links.values() if target)
    code = values["code"][0] if "code" in values else None
    others = [target for _, target in link_pairs]
    return EntryFields(
        family=f"{found.title_form} {_CONTAINERS[found.container]}",
        title=clean_title(title_raw),
        title_raw=title_raw,
        url=url or (alink if alink else None),
        links=link_pairs,
        identities=_identities(
            [
                url or "",
                alink or "",
                *([arxiv] if arxiv else []),
                code or "",
                *others,
                *_urls(_own_text(text, found)),
            ]
        ),
        arxiv_id=arxiv,
        date=values["date"][1].fmt.iso if "date" in values else None,
        authors=authors,
        authors_truncated=ELLIPSIS in authors,
        venue=collapse(unescape(values["venue"][0])) if "venue" in values else None,
        tags=_tags(text, values["tags"]) if "tags" in values else (),
        code_url=code,
        note=_note(text, found),
        layout={"found": found},
    )


_CONTAINERS = {"item": "item", "row": "row", "paragraph": "paragraph"}


def _authors(raw: str) -> tuple[str, ...]:
    names = []
    text = collapse(raw)
    mark = _TRAILING_ETAL_RE.search(text)
    if mark:
        text = text[: mark.start()] + ", et al."
    for part in split_authors(text):
        if part in ("...", "…") or _ETAL_RE.match(part):
            names.append(ELLIPSIS)
        else:
            names.append(part.strip().rstrip(".") if part.endswith(" et al.") else part)
    return tuple(names)


def _tags(text: str, value: tuple[str, Any]) -> tuple[str, ...]:
    raw, slot = value
    if slot.fmt and slot.fmt[0] == "each" and "img.shields.io/badge/{}" in slot.fmt[1]:
        found = BADGE_TAG_RE.findall(raw)
        return tuple(unquote(t).replace("--", "-").replace("_", " ") for t, _color in found)
    if slot.fmt and slot.fmt[0] == "each" and slot.fmt[1] == "[{}]":
        return tuple(t.strip() for t in re.findall(r"\[([^\[\]]+)\]", raw) if t.strip())
    if slot.fmt and slot.fmt[0] == "each":
        return tuple(raw[s.inner : s.inner_end].strip() for s in spans(raw) if s.kind == "code")
    return tuple(t.strip().strip("`") for t in re.split(r",\s*", plain(raw)) if t.strip())


def _note(text: str, found: Found) -> str | None:
    if not found.note_lines:
        return None
    every = text.split("\n")
    lines = [_HARD_BREAK_RE.sub("", every[k]) for k in found.note_lines]
    # The note as the curator wrote it, without the indent it has under the entry.
    indent = min(len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip())
    return "\n".join(ln[indent:] for ln in lines) or None


#: A hard line break at a line's end: a backslash or `<br>` (two spaces are kept as written).
_HARD_BREAK_RE = re.compile(r"(?:\\|<br\s*/?>)$", re.I)


def date_of(fields: EntryFields) -> Any:
    """The parsed date an entry shows, if any."""
    found = fields.layout.get("found")
    slot = found.first("date") if found is not None else None
    return slot.fmt if slot is not None else None


__all__ = ["ELLIPSIS", "EntryFields", "collapse", "date_of", "extract_fields"]
