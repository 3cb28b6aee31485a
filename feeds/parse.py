"""Feed bytes into papers (pure): arXiv RSS with its announce types, any RSS or Atom feed."""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import feedparser

from papershelf.sync.errors import BadInput
from papershelf.sync.identity import identity_key, parse_arxiv_id
from papershelf.sync.paper import Paper

log = logging.getLogger(__name__)

#: arXiv announce types that make a candidate; `replace`/`replace-cross` are new versions of old
#: papers and never do.
CANDIDATE_TYPES = frozenset({"new", "cross"})
OK, NO_ANNOUNCEMENTS, EMPTY = "ok", "no-announcements", "empty"

_ARXIV_DESC_RE = re.compile(
    r"^\s*arXiv:(?P<id>\S+)\s+Announce Type:\s*(?P<type>[\w-]+)\s*(?:Abstract:\s*)?(?P<abstract>.*)$",
    re.DOTALL,
)
_TAG_RE = re.compile(r"<[^>]+>")
_SPACES_RE = re.compile(r"\s+")


class FeedMalformed(BadInput):
    """Feed bytes that hold nothing usable (not XML, not a feed)."""


@dataclass(frozen=True)
class FeedItem:
    """One item of a feed as a paper, with its arXiv announce type when it has one."""

    paper: Paper
    announce_type: str | None = None

    @property
    def is_candidate(self) -> bool:
        """Whether the item can become a candidate (any non-arXiv item; arXiv new and cross)."""
        return self.announce_type is None or self.announce_type in CANDIDATE_TYPES


@dataclass(frozen=True)
class ParsedFeed:
    """A parsed feed: items, state (ok, no-announcements, empty) and a recorded problem."""

    items: list[FeedItem] = field(default_factory=list)
    title: str | None = None
    state: str = OK
    problem: str | None = None
    skipped: int = 0

    @property
    def candidates(self) -> list[FeedItem]:
        """The items that can become candidates."""
        return [item for item in self.items if item.is_candidate]


def _clean(text: Any) -> str | None:
    """Text with HTML tags and entities removed and whitespace collapsed, or None."""
    if not isinstance(text, str):
        return None
    text = _SPACES_RE.sub(" ", html.unescape(_TAG_RE.sub(" ", text))).strip()
    return text or None


def _date(entry: Any) -> str | None:
    """YYYY-MM-DD of the item's published (or updated) time."""
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if value:
            return time.strftime("%Y-%m-%d", value)
    return None


def split_creators(text: str | None) -> tuple[str, ...]:
    """arXiv's comma-joined `dc:creator` as names (double spaces, single names, a final "and")."""
    if not text:
        return ()
    parts = [piece for part in text.split(",") for piece in re.split(r"\s+and\s+", part)]
    return tuple(name for name in (_SPACES_RE.sub(" ", p).strip() for p in parts) if name)


def _authors(entry: Any) -> tuple[str, ...]:
    """The item's authors: several `<author>`s, or one comma-joined creator."""
    names = [a.get("name") for a in entry.get("authors") or () if a and a.get("name")]
    if len(names) == 1 or not names:
        return split_creators(entry.get("author") or (names[0] if names else None))
    return tuple(_SPACES_RE.sub(" ", n).strip() for n in names)


def _categories(entry: Any) -> list[str]:
    """The item's category terms."""
    return [t["term"].strip() for t in entry.get("tags") or () if t.get("term")]


def arxiv_item(entry: Any) -> FeedItem | None:
    """An arXiv RSS item (`arXiv:<id> Announce Type: <type> \\nAbstract: ...`) as a FeedItem."""
    description = entry.get("summary") or entry.get("description") or ""
    match = _ARXIV_DESC_RE.match(description)
    announce = (entry.get("arxiv_announce_type") or "").strip().lower() or None
    arxiv = None
    abstract = None
    if match:
        arxiv = parse_arxiv_id(match.group("id"))
        announce = announce or match.group("type").lower()
        abstract = match.group("abstract").strip() or None
    if arxiv is None:
        guid = (entry.get("id") or "").removeprefix("oai:arXiv.org:")
        arxiv = parse_arxiv_id(guid) or parse_arxiv_id(entry.get("link") or "")
    if arxiv is None or announce is None:
        return None
    title = entry.get("title")
    return FeedItem(
        Paper(
            url=f"https://arxiv.org/abs/{arxiv}",
            arxiv_id=str(arxiv),
            title=title.strip() if isinstance(title, str) and title.strip() else None,
            authors=_authors(entry),
            published=_date(entry),
            abstract=abstract,
            extra={"source": "arxiv-rss", "categories": _categories(entry)},
        ),
        announce,
    )


def generic_item(entry: Any) -> FeedItem | None:
    """An item of any RSS/Atom feed as a FeedItem; None without a usable link."""
    link = (entry.get("link") or "").strip()
    if not link or identity_key(link) is None:
        return None
    arxiv = parse_arxiv_id(link)
    return FeedItem(
        Paper(
            url=f"https://arxiv.org/abs/{arxiv}" if arxiv else link,
            arxiv_id=str(arxiv) if arxiv else None,
            title=_clean(entry.get("title")),
            authors=_authors(entry),
            published=_date(entry),
            abstract=_clean(entry.get("summary")),
            extra={"source": "rss", "categories": _categories(entry)},
        )
    )


def _is_arxiv_feed(parsed: Any) -> bool:
    """Whether the channel is an arXiv announcement feed."""
    feed = parsed.get("feed") or {}
    link = (feed.get("link") or "") + " " + (feed.get("title") or "")
    return "arxiv.org" in link.lower() or "arxiv" in (parsed.get("namespaces") or {})


def parse_feed(data: bytes) -> ParsedFeed:
    """Parse feed bytes; FeedMalformed when nothing usable is there, else a ParsedFeed.

    A malformed feed that still yields items is parsed and its problem recorded. An arXiv feed with
    no items (a weekend or holiday, `skipDays`) is the state "no-announcements", not an error.
    """
    parsed = feedparser.parse(data)
    entries = parsed.get("entries") or []
    feed = parsed.get("feed") or {}
    bozo = parsed.get("bozo")
    problem = None
    if bozo:
        exc = parsed.get("bozo_exception")
        problem = f"malformed feed: {type(exc).__name__}: {exc}".splitlines()[0][:300]
    if not entries and (bozo or not parsed.get("version")):
        raise FeedMalformed(problem or "not an RSS or Atom feed")
    arxiv = _is_arxiv_feed(parsed)
    items: list[FeedItem] = []
    skipped = 0
    for entry in entries:
        item = arxiv_item(entry) if arxiv else None
        if item is None:
            item = generic_item(entry)
        if item is None:
            skipped += 1
            continue
        items.append(item)
    state = OK if entries else (NO_ANNOUNCEMENTS if arxiv else EMPTY)
    if skipped:
        log.info("%d feed item(s) without a usable link skipped", skipped)
    return ParsedFeed(items, _clean(feed.get("title")), state, problem, skipped)
