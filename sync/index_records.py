"""Index records: where a paper entry is, and the identity and title keys it is found by (pure)."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, NamedTuple

from .identity import identity_key

if TYPE_CHECKING:
    from .listmodel import ListDocument

#: Identity prefixes that name a paper (rather than any web page a paper happens to link to).
PAPER_KEY_PREFIXES = ("arxiv:", "doi:", "openreview:", "acl:")

_NON_WORD_RE = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Location:
    """Where a paper entry is: list, section address, 1-based line of the entry's first line."""

    list: str
    section: str
    line: int
    entry: str
    identity: str | None
    title: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape: list, section, line, entry, identity, title."""
        return asdict(self)


class IndexRecord:
    """One indexed entry: where it is, its primary keys (the paper) and secondary keys (links).

    Mutable on purpose: an insertion above an entry moves it down by a few lines, and the index
    shifts `start` in place instead of rebuilding every record and map of a 50,000-entry list.
    """

    __slots__ = ("list", "start", "section", "entry", "identity", "title", "primary",
                 "secondary", "title_key", "text")  # fmt: skip

    def __init__(
        self,
        location: Location,
        primary: tuple[str, ...],
        secondary: tuple[str, ...],
        title_key: str,
        text: str = "",
    ) -> None:
        self.list = location.list
        self.start = location.line - 1
        self.section = location.section
        self.entry = location.entry
        self.identity = location.identity
        self.title = location.title
        self.primary = primary
        self.secondary = secondary
        self.title_key = title_key
        self.text = text

    def to_tuple(self) -> tuple:
        """The record as plain data (what the persisted index stores)."""
        return (self.start, self.section, self.entry, self.identity, self.title, self.primary,
                self.secondary, self.title_key, self.text)  # fmt: skip

    @classmethod
    def from_tuple(cls, list_path: str, data: tuple) -> IndexRecord:
        """A record of `list_path` from `to_tuple`'s data."""
        start, section, entry, identity, title, primary, secondary, title_key, text = data
        location = Location(list_path, section, start + 1, entry, identity, title)
        return cls(location, tuple(primary), tuple(secondary), title_key, text)

    @property
    def location(self) -> Location:
        """The entry's location as of now."""
        return Location(
            self.list, self.section, self.start + 1, self.entry, self.identity, self.title
        )


@dataclass(frozen=True)
class SectionInfo:
    """What the index keeps of a section: address, heading, level, and its shape.

    `paper_entries`: how many paper entries it holds; `entries`: whether it holds any entry at
    all (papers, links, contents); `children`: whether sections are nested under it.
    """

    address: str
    title: str
    level: int
    paper_entries: int
    entries: bool
    children: bool


def outline_of(doc: ListDocument, records: list[IndexRecord]) -> tuple[SectionInfo, ...]:
    """The sections of `doc` (the root one too, address ""), with their shape."""
    papers: dict[str, int] = {}
    for record in records:
        papers[record.section] = papers.get(record.section, 0) + 1
    sections = list(doc.sections)
    out = []
    for i, section in enumerate(sections):
        path = section.path
        # Sections come in document order: a nested one, if any, is the very next one.
        after = sections[i + 1].path if i + 1 < len(sections) else ()
        children = len(after) > len(path) and after[: len(path)] == path
        out.append(
            SectionInfo(
                section.address,
                section.title,
                section.level,
                papers.get(section.address, 0),
                bool(section.entries),
                children,
            )
        )
    return tuple(out)


def outline_after(
    outline: tuple[SectionInfo, ...],
    doc: ListDocument,
    items: list[IndexRecord],
    added: list[IndexRecord],
) -> tuple[SectionInfo, ...]:
    """The outline once `added` entries went into its sections (built anew if headings moved)."""
    if len(outline) != len(doc.sections):
        return outline_of(doc, items)
    more: dict[str, int] = {}
    for item in added:
        more[item.section] = more.get(item.section, 0) + 1
    return tuple(
        replace(s, paper_entries=s.paper_entries + more[s.address], entries=True)
        if s.address in more
        else s
        for s in outline
    )


def ranking_text(fields: Any, abstract: str | None = None) -> str:
    """What an entry says about its paper, for ranking: title, tags, note (and an abstract)."""
    parts = [fields.title or "", " ".join(fields.tags or ()), fields.note or "", abstract or ""]
    return " ".join(p for p in parts if p)


def normalize_title(title: str) -> str:
    """A title folded for comparison: NFKC, casefolded, `&` as `and`, no punctuation or extra spaces."""
    text = unicodedata.normalize("NFKC", title).casefold().replace("&", " and ")
    return " ".join(_NON_WORD_RE.sub(" ", text).split())


def token_sorted(text: str) -> str:
    """A normalised title with its words sorted, for order-insensitive comparison."""
    return " ".join(sorted(text.split()))


def entry_keys(fields: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Split an entry's identities into the paper's own keys and those of its other links."""
    main = identity_key(fields.url) if fields.url else None
    arxiv = identity_key(fields.arxiv_id) if fields.arxiv_id else None
    primary: list[str] = []
    for key in (arxiv, main, *fields.identities):
        if (
            key
            and key not in primary
            and (key in (arxiv, main) or key.startswith(PAPER_KEY_PREFIXES))
        ):
            primary.append(key)
    secondary = tuple(k for k in fields.identities if k not in primary)
    return tuple(primary), secondary


class PaperText(NamedTuple):
    """A listed paper as ranking knowledge: its section, its text, its title and its keys."""

    section: str
    text: str
    title: str
    keys: tuple[str, ...]


class KeyedEntry(NamedTuple):
    """A paper entry of a document with its fields and identity keys (own and other links)."""

    entry: Any
    fields: Any
    primary: tuple[str, ...]
    secondary: tuple[str, ...]


def keyed_entries(doc: ListDocument) -> list[KeyedEntry]:
    """Every paper entry of `doc` with its keys, computed once per document (documents are immutable)."""
    cached = getattr(doc, "_papershelf_keyed", None)
    if cached is not None:
        return cached
    from .styles import paper_entries

    out = [KeyedEntry(e, f, *entry_keys(f)) for e, f in paper_entries(doc)]
    # A document that refuses attributes is simply keyed again next time.
    with contextlib.suppress(AttributeError):
        doc._papershelf_keyed = out  # type: ignore[attr-defined]
    return out


def index_records(list_path: str, doc: ListDocument) -> list[IndexRecord]:
    """Every paper entry of `doc` with its keys."""
    return [make_record(list_path, doc, *keyed) for keyed in keyed_entries(doc)]


def make_record(
    list_path: str,
    doc: ListDocument,
    entry: Any,
    fields: Any,
    primary: tuple[str, ...],
    secondary: tuple[str, ...],
) -> IndexRecord:
    """The index record of one paper entry of `doc`."""
    location = Location(
        list=list_path,
        section=doc.section_address_of_line(entry.start),
        line=entry.start + 1,
        # A Latin-1/cp1252 list's text as it means it (`Réseaux`), as answers show it.
        entry=doc.shown(doc.entry_text(entry).rstrip("\r\n")),
        identity=primary[0] if primary else (secondary[0] if secondary else None),
        title=doc.shown(fields.title) if fields.title else fields.title,
    )
    title_key = normalize_title(location.title) if location.title else ""
    return IndexRecord(location, primary, secondary, title_key, ranking_text(fields))


def index_document(list_path: str, doc: ListDocument) -> list[Location]:
    """The location of every paper entry of one parsed list, in file order (pure)."""
    return [item.location for item in index_records(list_path, doc)]
