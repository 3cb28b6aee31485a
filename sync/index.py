"""The workspace index: every paper entry of every list, by identity (exact) and title (fuzzy)."""

from __future__ import annotations

import bisect
import logging
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import index_cache
from .atomic import read_regular
from .identity import identity_key
from .index_keys import KeyMaps
from .index_records import (
    PAPER_KEY_PREFIXES,
    IndexRecord,
    KeyedEntry,
    Location,
    PaperText,
    SectionInfo,
    entry_keys,
    index_document,
    index_records,
    keyed_entries,
    make_record,
    normalize_title,
    outline_after,
    outline_of,
)
from .reindex import Reuse, plan_reuse

if TYPE_CHECKING:
    from .listmodel import ListDocument
    from .workspace import Workspace

__all__ = [
    "MIN_TITLE_SCORE",
    "PAPER_KEY_PREFIXES",
    "KeyedEntry",
    "Location",
    "PaperText",
    "WorkspaceIndex",
    "entry_keys",
    "index_document",
    "keyed_entries",
    "normalize_title",
]

log = logging.getLogger(__name__)

#: Fuzzy title scores (0..1) below this are not reported as possible matches.
MIN_TITLE_SCORE = 0.85


@dataclass
class _FileState:
    """What the index knows about one list file (`items` in file order); `doc` is the full
    document model, built only when the list is written or shown (None until then)."""

    stamp: tuple[int, ...] | None
    doc: ListDocument | None
    items: list[IndexRecord]
    outline: tuple[SectionInfo, ...] = ()


class WorkspaceIndex:
    """Paper entries of every list in a workspace; thread-safe, refreshed by file stamps."""

    def __init__(self, workspace: Workspace) -> None:
        """An empty index of `workspace`; use `build` to fill it."""
        self.workspace = workspace
        self._lock = threading.RLock()
        self._files: dict[str, _FileState] = {}
        self._keys = KeyMaps()
        self._saver = index_cache.DelayedSaver(
            index_cache.cache_dir(workspace.root), self._snapshot
        )

    @classmethod
    def build(cls, workspace: Workspace) -> WorkspaceIndex:
        """Index every list of `workspace`: from the saved index where a list is unchanged,
        else parsed (and saved for next time)."""
        index = cls(workspace)
        index.refresh()
        index.save()
        return index

    # -- the saved index ---------------------------------------------------------------------

    def _load_saved(self, list_path: str, stamp: tuple[int, ...]) -> Any:
        """(records, outline) of a list saved at `stamp`, or None."""
        return index_cache.load_records(self._saver.folder, list_path, stamp)

    def _changed(self, list_path: str) -> None:
        """Note that a list's records changed: saved shortly, off the caller's path (locked)."""
        self._saver.changed(list_path)

    def save(self) -> None:
        """Write the changed lists' records and outlines now."""
        self._saver.save_now()

    def _snapshot(self, paths: set[str]) -> list[tuple]:
        """(path, stamp, records, outline) of these lists, as they are now."""
        with self._lock:
            return [
                (path, state.stamp, [r.to_tuple() for r in state.items], state.outline)
                for path in paths
                if (state := self._files.get(path)) is not None and state.stamp is not None
            ]

    # -- keeping current -------------------------------------------------------------------

    def _stamp(self, list_path: str) -> tuple[int, ...] | None:
        """(mtime_ns, size, inode, ctime_ns) of a list file, or None when it cannot be read."""
        try:
            st = (self.workspace.root / list_path).stat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):  # a FIFO named like a list: reading it would block
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)

    def refresh(self) -> None:
        """Re-read only the lists whose (mtime_ns, size) changed; add new ones, drop deleted.

        Parsing happens outside the lock, so lookups never wait for a big list to be parsed; and
        of a changed list only the entries that changed are keyed again (`papershelf.sync.reindex`).
        """
        from .listmodel import parse_list

        paths = self.workspace.list_paths()
        with self._lock:
            known = {path: (state.stamp, state.doc) for path, state in self._files.items()}
        stamps = {path: self._stamp(path) for path in paths}
        parsed: list[tuple[str, ListDocument | None, tuple[int, ...], ListDocument | None, Any]]
        parsed = []
        for list_path, stamp in stamps.items():
            old_stamp, old_doc = known.get(list_path, (None, None))
            if stamp is None or old_stamp == stamp:
                continue
            saved = self._load_saved(list_path, stamp) if old_stamp is None else None
            if saved is not None:  # unchanged since it was saved: no parsing at all
                parsed.append((list_path, None, stamp, None, saved))
                continue
            try:
                data = read_regular(self.workspace.root / list_path)
            except OSError as exc:
                log.warning("cannot read %s: %s", list_path, exc.strerror)
                continue
            doc = parse_list(data)
            reuse = plan_reuse(old_doc, doc) if old_doc is not None else None
            if reuse is None:
                items = index_records(list_path, doc)
                parsed.append((list_path, doc, stamp, None, (items, outline_of(doc, items))))
            else:
                changed = (doc.entry(i) for i in reuse.changed)
                added = _records_of(list_path, doc, changed)
                parsed.append((list_path, doc, stamp, old_doc, (reuse, added)))
        with self._lock:
            for gone in [p for p in self._files if stamps.get(p) is None]:
                self._remove(gone)
            for list_path, new_doc, stamp, old_doc, work in parsed:
                state = self._files.get(list_path)
                if state is not None and state.stamp != known.get(list_path, (None,))[0]:
                    continue  # updated meanwhile (update_file after a write): that one is newer
                if old_doc is None:
                    # Indexed for the first time: its records are all lookups need, and the
                    # document model (a few KB per entry) is built again when the list is
                    # written or shown. A list someone edits keeps it (the next edit is
                    # re-keyed from it, `papershelf.sync.reindex`).
                    first_time = known.get(list_path, (None,))[0] is None
                    self._put(list_path, None if first_time else new_doc, stamp, *work)
                    if new_doc is not None:
                        self._changed(list_path)
                elif state is not None and state.doc is old_doc and new_doc is not None:
                    self._reuse(state, new_doc, stamp, *work)
                    self._changed(list_path)
                else:  # replaced meanwhile by another document: index it whole next time
                    self._remove(list_path)

    def _reuse(
        self,
        state: _FileState,
        doc: ListDocument,
        stamp: tuple[int, ...] | None,
        reuse: Reuse,
        added: list[IndexRecord],
    ) -> None:
        """Keep the unchanged records (moving the tail), drop the others, add `added` (locked)."""
        kept: list[IndexRecord] = []
        for item in state.items:
            if item.start in reuse.head:
                kept.append(item)
            elif item.start in reuse.tail:
                item.start += reuse.delta
                kept.append(item)
            else:
                self._drop_keys(item)
        for item in added:
            self._add_keys(item)
        kept.extend(added)
        kept.sort(key=_start_of)
        state.doc, state.stamp, state.items = doc, stamp, kept
        state.outline = outline_of(doc, kept)

    def update_file(self, list_path: str, doc: ListDocument) -> None:
        """Re-index one list from its already-parsed document (after papershelf wrote it)."""
        items = index_records(list_path, doc)
        stamp = self._stamp(list_path)
        with self._lock:
            self._put(list_path, doc, stamp, items, outline_of(doc, items))
            self._changed(list_path)

    def current_document(self, list_path: str, data: bytes) -> ListDocument | None:
        """The indexed parse of `list_path` when it is exactly `data`, else None.

        A list indexed from the saved index has no document yet: `data` read now, while the
        file is as it was indexed, becomes it.
        """
        from .listmodel import parse_list

        with self._lock:
            state = self._files.get(list_path)
        if state is None:
            return None
        if state.doc is None:
            stamp = state.stamp
            doc = parse_list(data)
            with self._lock:
                if state.doc is None and state.stamp == stamp == self._stamp(list_path):
                    state.doc = doc
        if state.doc is None or state.doc.render() != data:
            return None
        return state.doc

    def document(self, list_path: str) -> ListDocument | None:
        """The full document model of an indexed list (built now if it was not), or None."""
        with self._lock:
            state = self._files.get(list_path)
        if state is None:
            return None
        if state.doc is not None:
            return state.doc
        try:
            data = read_regular(self.workspace.root / list_path)
        except OSError:
            return None
        doc = self.current_document(list_path, data)
        if doc is None:  # changed since it was indexed: index it anew
            self.refresh()
            with self._lock:
                state = self._files.get(list_path)
            doc = state.doc if state is not None else None
        return doc

    def note_insertion(
        self, list_path: str, old: ListDocument, new: ListDocument, at_line: int, count: int
    ) -> None:
        """Index `new`, which is the indexed `old` with `count` lines put in before `at_line`.

        Entries above stay, entries below move down by `count` lines and only the new lines are
        keyed: milliseconds on a 50,000-entry list, where `update_file` re-keys every entry.
        Anything else (another document indexed meanwhile) falls back to `update_file`.
        """
        added = _records_of(list_path, new, new.entries_between(at_line, at_line + count))
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
                state.outline = outline_after(state.outline, new, items, added)
                for item in added:
                    self._add_keys(item)
                self._changed(list_path)
        if state is None:
            self.update_file(list_path, new)

    def _put(
        self,
        list_path: str,
        doc: ListDocument | None,
        stamp: tuple[int, ...] | None,
        items: list[IndexRecord],
        outline: tuple[SectionInfo, ...] = (),
    ) -> None:
        """Replace one file's entries in every map (caller holds the lock)."""
        self._remove(list_path)
        self._files[list_path] = _FileState(stamp, doc, items, outline)
        for item in items:
            self._add_keys(item)
        log.debug("indexed %s: %d paper entries", list_path, len(items))

    def _drop_keys(self, item: IndexRecord) -> None:
        """Unmap every key of one record (caller holds the lock)."""
        self._keys.drop(item)

    def _add_keys(self, item: IndexRecord) -> None:
        """Map every key of one record to it (caller holds the lock)."""
        self._keys.add(item)

    def _remove(self, list_path: str) -> None:
        """Drop one file's entries from every map (caller holds the lock)."""
        state = self._files.pop(list_path, None)
        if state is not None:
            self._keys.drop_list(list_path, state.items)

    # -- queries ---------------------------------------------------------------------------

    def lookup(self, url_or_id: str) -> list[Location]:
        """Entries that are this paper (its own link or id), else entries that link to it."""
        key = identity_key(url_or_id)
        if key is None:
            return []
        with self._lock:
            return [item.location for item in self._keys.by_identity(key)]

    def has_title(self, title: str) -> bool:
        """Whether an entry has exactly this title (once normalised: `normalize_title`)."""
        key = normalize_title(title or "")
        with self._lock:
            return bool(key) and key in self._keys.titles

    def lookup_title(
        self, title: str, limit: int = 3, min_score: float = MIN_TITLE_SCORE
    ) -> list[tuple[Location, float]]:
        """Entries whose title is close to `title`, best first, with a 0..1 score: possible matches."""
        query = normalize_title(title or "")
        if not query or limit <= 0:
            return []
        with self._lock:
            return [
                (item.location, score)
                for item, score in self._keys.by_title(query, limit, min_score)
            ]

    def warm_titles(self) -> None:
        """Build the title word index now (a server does it once it answers, in a thread)."""
        with self._lock:
            self._keys.title_words()

    def documents(self) -> dict[str, ListDocument]:
        """The full document model of every indexed list (built now where it was not)."""
        out = {}
        for path in self.list_paths():
            doc = self.document(path)
            if doc is not None:
                out[path] = doc
        return out

    def list_paths(self) -> list[str]:
        """The indexed lists, sorted."""
        with self._lock:
            return sorted(self._files)

    def outlines(self) -> dict[str, tuple[SectionInfo, ...]]:
        """Every indexed list's sections (the root one too), by list path."""
        with self._lock:
            return {path: state.outline for path, state in sorted(self._files.items())}

    def title(self, list_path: str) -> str | None:
        """The list's title heading (`papershelf.sync.section_label.title_heading`), from its outline."""
        from .section_label import title_heading

        with self._lock:
            state = self._files.get(list_path)
            outline = state.outline if state is not None else ()
        return title_heading((s.level, s.title) for s in outline if s.address)

    def papers(self) -> dict[str, list[PaperText]]:
        """Every indexed list's paper entries as ranking knowledge, in file order."""
        with self._lock:
            return {
                path: [PaperText(r.section, r.text, r.title or "", r.primary) for r in state.items]
                for path, state in sorted(self._files.items())
            }

    def version(self) -> tuple:
        """Changes whenever an indexed list does: (list path, file stamp) of each."""
        with self._lock:
            return tuple((path, state.stamp) for path, state in sorted(self._files.items()))

    def locations(self) -> list[Location]:
        """Every indexed paper entry, by list path and line."""
        with self._lock:
            return [item.location for _, s in sorted(self._files.items()) for item in s.items]

    def __len__(self) -> int:
        """The number of indexed paper entries."""
        with self._lock:
            return sum(len(state.items) for state in self._files.values())


def _records_of(list_path: str, doc: ListDocument, entries: Iterable[Any]) -> list[IndexRecord]:
    """Index records of the paper entries among `entries` of `doc`."""
    from .styles import entry_fields

    out = []
    for entry in entries:
        fields = entry_fields(doc, entry)
        if fields.is_paper:
            out.append(make_record(list_path, doc, entry, fields, *entry_keys(fields)))
    return out


def _start_of(item: IndexRecord) -> int:
    return item.start
