"""The workspace index: every paper entry of every list, by identity (exact) and title (fuzzy)."""

from __future__ import annotations

import bisect
import contextlib
import logging
import re
import threading
import unicodedata
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from rapidfuzz import fuzz, process

from .identity import identity_key

if TYPE_CHECKING:
    from .listmodel import ListDocument
    from .workspace import Workspace

log = logging.getLogger(__name__)

#: Identity prefixes that name a paper (rather than any web page a paper happens to link to).
PAPER_KEY_PREFIXES = ("arxiv:", "doi:", "openreview:", "acl:")
#: Fuzzy title scores (0..1) below this are not reported as possible matches.
MIN_TITLE_SCORE = 0.85

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


class _Indexed:
    """One indexed entry: where it is, its primary keys (the paper) and secondary keys (links).

    Mutable on purpose: an insertion above an entry moves it down by a few lines, and the index
    shifts `start` in place instead of rebuilding every record and map of a 50,000-entry list.
    """

    __slots__ = ("list", "start", "section", "entry", "identity", "title", "primary",
                 "secondary", "title_key")  # fmt: skip

    def __init__(
        self,
        location: Location,
        primary: tuple[str, ...],
        secondary: tuple[str, ...],
        title_key: str,
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

    @property
    def location(self) -> Location:
        """The entry's location as of now."""
        return Location(
            self.list, self.section, self.start + 1, self.entry, self.identity, self.title
        )


def normalize_title(title: str) -> str:
    """A title folded for comparison: NFKC, casefolded, `&` as `and`, no punctuation or extra spaces."""
    text = unicodedata.normalize("NFKC", title).casefold().replace("&", " and ")
    return " ".join(_NON_WORD_RE.sub(" ", text).split())


def _token_sorted(text: str) -> str:
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


def _index_entries(list_path: str, doc: ListDocument) -> list[_Indexed]:
    """Every paper entry of `doc` with its keys."""
    return [_indexed(list_path, doc, *keyed) for keyed in keyed_entries(doc)]


def _indexed(
    list_path: str,
    doc: ListDocument,
    entry: Any,
    fields: Any,
    primary: tuple[str, ...],
    secondary: tuple[str, ...],
) -> _Indexed:
    """The index record of one paper entry of `doc`."""
    location = Location(
        list=list_path,
        section=doc.section_address_of_line(entry.start),
        line=entry.start + 1,
        entry=doc.entry_text(entry).rstrip("\r\n"),
        identity=primary[0] if primary else (secondary[0] if secondary else None),
        title=fields.title,
    )
    title_key = normalize_title(fields.title) if fields.title else ""
    return _Indexed(location, primary, secondary, title_key)


def index_document(list_path: str, doc: ListDocument) -> list[Location]:
    """The location of every paper entry of one parsed list, in file order (pure)."""
    return [item.location for item in _index_entries(list_path, doc)]


@dataclass
class _FileState:
    """What the index knows about one list file (`items` in file order)."""

    stamp: tuple[int, int] | None
    doc: ListDocument
    items: list[_Indexed]


class WorkspaceIndex:
    """Paper entries of every list in a workspace; thread-safe, refreshed by file stamps."""

    def __init__(self, workspace: Workspace) -> None:
        """An empty index of `workspace`; use `build` to fill it."""
        self.workspace = workspace
        self._lock = threading.RLock()
        self._files: dict[str, _FileState] = {}
        self._primary: dict[str, list[_Indexed]] = {}
        self._secondary: dict[str, list[_Indexed]] = {}
        self._titles: dict[str, list[_Indexed]] = {}
        self._title_choices: tuple[list[str], list[str]] | None = None

    @classmethod
    def build(cls, workspace: Workspace) -> WorkspaceIndex:
        """Parse and index every list of `workspace`."""
        index = cls(workspace)
        index.refresh()
        return index

    # -- keeping current -------------------------------------------------------------------

    def _stamp(self, list_path: str) -> tuple[int, int] | None:
        """(mtime_ns, size) of a list file, or None when it cannot be read."""
        try:
            st = (self.workspace.root / list_path).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def refresh(self) -> None:
        """Re-parse only the lists whose (mtime_ns, size) changed; add new ones, drop deleted.

        Parsing happens outside the lock, so lookups never wait for a big list to be parsed.
        """
        from .listmodel import parse_list

        paths = self.workspace.list_paths()
        with self._lock:
            known = {path: state.stamp for path, state in self._files.items()}
        stamps = {path: self._stamp(path) for path in paths}
        parsed: list[tuple[str, ListDocument, tuple[int, int], list[_Indexed]]] = []
        for list_path, stamp in stamps.items():
            if stamp is None or known.get(list_path) == stamp:
                continue
            try:
                data = (self.workspace.root / list_path).read_bytes()
            except OSError as exc:
                log.warning("cannot read %s: %s", list_path, exc.strerror)
                continue
            doc = parse_list(data)
            parsed.append((list_path, doc, stamp, _index_entries(list_path, doc)))
        with self._lock:
            for gone in [p for p in self._files if stamps.get(p) is None]:
                self._remove(gone)
            for list_path, doc, stamp, items in parsed:
                state = self._files.get(list_path)
                if state is not None and state.stamp != known.get(list_path):
                    continue  # updated meanwhile (update_file after a write): that one is newer
                self._put(list_path, doc, stamp, items)

    def update_file(self, list_path: str, doc: ListDocument) -> None:
        """Re-index one list from its already-parsed document (after papershelf wrote it)."""
        items = _index_entries(list_path, doc)
        stamp = self._stamp(list_path)
        with self._lock:
            self._put(list_path, doc, stamp, items)

    def current_document(self, list_path: str, data: bytes) -> ListDocument | None:
        """The indexed parse of `list_path` when it is exactly `data`, else None."""
        with self._lock:
            state = self._files.get(list_path)
        if state is None or state.doc.render() != data:
            return None
        return state.doc

    def note_insertion(
        self, list_path: str, old: ListDocument, new: ListDocument, at_line: int, count: int
    ) -> None:
        """Index `new`, which is the indexed `old` with `count` lines put in before `at_line`.

        Entries above stay, entries below move down by `count` lines and only the new lines are
        keyed: milliseconds on a 50,000-entry list, where `update_file` re-keys every entry.
        Anything else (another document indexed meanwhile) falls back to `update_file`.
        """
        from .styles import entry_fields

        added: list[_Indexed] = []
        for entry in new.entries_between(at_line, at_line + count):
            fields = entry_fields(new, entry)
            if fields.is_paper:
                added.append(_indexed(list_path, new, entry, fields, *entry_keys(fields)))
        stamp = self._stamp(list_path)
        with self._lock:
            state = self._files.get(list_path)
            if state is None or state.doc is not old:
                state = None
            else:
                items = state.items
                cut = bisect.bisect_left(items, at_line, key=_start_of)
                for item in items[cut:]:
                    item.start += count
                items[cut:cut] = added
                state.doc, state.stamp = new, stamp
                for item in added:
                    self._add_keys(item)
                self._title_choices = None
        if state is None:
            self.update_file(list_path, new)

    def _put(
        self,
        list_path: str,
        doc: ListDocument,
        stamp: tuple[int, int] | None,
        items: list[_Indexed],
    ) -> None:
        """Replace one file's entries in every map (caller holds the lock)."""
        self._remove(list_path)
        self._files[list_path] = _FileState(stamp, doc, items)
        for item in items:
            self._add_keys(item)
        self._title_choices = None
        log.debug("indexed %s: %d paper entries", list_path, len(items))

    def _add_keys(self, item: _Indexed) -> None:
        """Map every key of one record to it (caller holds the lock)."""
        for key in item.primary:
            self._primary.setdefault(key, []).append(item)
        for key in item.secondary:
            self._secondary.setdefault(key, []).append(item)
        if item.title_key:
            self._titles.setdefault(item.title_key, []).append(item)

    def _remove(self, list_path: str) -> None:
        """Drop one file's entries from every map (caller holds the lock)."""
        state = self._files.pop(list_path, None)
        if state is None:
            return
        primary = {key for item in state.items for key in item.primary}
        secondary = {key for item in state.items for key in item.secondary}
        titles = {item.title_key for item in state.items if item.title_key}
        for keys, mapping in ((primary, self._primary), (secondary, self._secondary)):
            for key in keys:
                _discard(mapping, key, list_path)
        for key in titles:
            _discard(self._titles, key, list_path)
        self._title_choices = None

    # -- queries ---------------------------------------------------------------------------

    def lookup(self, url_or_id: str) -> list[Location]:
        """Entries that are this paper (its own link or id), else entries that link to it."""
        key = identity_key(url_or_id)
        if key is None:
            return []
        with self._lock:
            hits = self._primary.get(key) or self._secondary.get(key) or []
            return [item.location for item in hits]

    def lookup_title(
        self, title: str, limit: int = 3, min_score: float = MIN_TITLE_SCORE
    ) -> list[tuple[Location, float]]:
        """Entries whose title is close to `title`, best first, with a 0..1 score: possible matches."""
        query = normalize_title(title or "")
        if not query or limit <= 0:
            return []
        with self._lock:
            exact = [(item.location, 1.0) for item in self._titles.get(query, [])]
            if len(exact) >= limit:
                return exact[:limit]
            if self._title_choices is None:
                norms = list(self._titles)
                self._title_choices = (norms, [_token_sorted(n) for n in norms])
            norms, choices = self._title_choices
            # token_sort_ratio, with the choices' tokens sorted once at index time.
            found = process.extract(
                _token_sorted(query),
                choices,
                scorer=fuzz.ratio,
                processor=None,
                limit=limit + 1,
                score_cutoff=min_score * 100,
            )
            out = list(exact)
            for _choice, score, k in found:
                if norms[k] == query:
                    continue
                score = round(score / 100, 3)
                out.extend((item.location, score) for item in self._titles[norms[k]])
            return out[:limit]

    def documents(self) -> dict[str, ListDocument]:
        """The parsed document of every indexed list, by list path."""
        with self._lock:
            return {path: state.doc for path, state in sorted(self._files.items())}

    def locations(self) -> list[Location]:
        """Every indexed paper entry, by list path and line."""
        with self._lock:
            return [item.location for _, s in sorted(self._files.items()) for item in s.items]

    def __len__(self) -> int:
        """The number of indexed paper entries."""
        with self._lock:
            return sum(len(state.items) for state in self._files.values())


def _start_of(item: _Indexed) -> int:
    return item.start


def _discard(mapping: dict[str, list[_Indexed]], key: str, list_path: str) -> None:
    """Remove `list_path`'s records under `key`, dropping the key when none are left."""
    kept = [item for item in mapping.get(key, ()) if item.list != list_path]
    if kept:
        mapping[key] = kept
    else:
        mapping.pop(key, None)
