"""The index on disk: each list's records and outline, keyed by its file's stamp.

A restart reads these instead of parsing every list: one file per list under
`<data dir>/index/<workspace hash>/`, valid while the list file's (mtime_ns, size, inode,
ctime_ns) is the one recorded. Written with `marshal` (plain tuples and strings; fast, and no
code is run when read), atomically, tagged with the Python version and a format version. Any
problem (unreadable, stale, another version) means "parse the list", never an error.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import logging
import marshal
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path
from typing import Any

from .index_records import IndexRecord, SectionInfo
from .paths import data_dir

log = logging.getLogger(__name__)

#: Bumped whenever what a record or an outline holds changes, or what the reader finds in a
#: list does (2: papers written one per line in one paragraph are each an entry).
FORMAT_VERSION = 2
#: A changed list's records are saved once no change came for this long (one write for a burst of
#: clips: writing 50,000 records takes a few hundred milliseconds of the interpreter's time)...
SAVE_QUIET_SECONDS = 5.0
#: ...or at the latest this long after the first unsaved change.
SAVE_LATEST_SECONDS = 120.0
_TAG = (FORMAT_VERSION, sys.version_info[:2])


def cache_dir(workspace_root: Path) -> Path:
    """`<data dir>/index/<hash of the workspace's path>`."""
    digest = hashlib.sha1(str(workspace_root).encode("utf-8", "surrogateescape")).hexdigest()
    return data_dir() / "index" / digest[:16]


def _file(folder: Path, list_path: str) -> Path:
    digest = hashlib.sha1(list_path.encode("utf-8", "surrogateescape")).hexdigest()
    return folder / f"{digest[:24]}.marshal"


def load(folder: Path, list_path: str, stamp: tuple) -> tuple[list[tuple], list[tuple]] | None:
    """The (records, outline) saved for `list_path` at `stamp`, or None."""
    try:
        data = marshal.loads(_file(folder, list_path).read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    try:
        tag, path, saved_stamp, records, outline = data
    except (TypeError, ValueError):
        return None
    if tuple(tag) != (_TAG[0], tuple(_TAG[1])) or path != list_path:
        return None
    if tuple(saved_stamp) != tuple(stamp):
        return None
    return records, outline


def save(folder: Path, list_path: str, stamp: tuple, records: list[tuple], outline: Any) -> None:
    """Record `list_path`'s records and outline at `stamp` (atomically; failures only logged)."""
    target = _file(folder, list_path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(marshal.dumps((_TAG, list_path, tuple(stamp), records, outline)))
        os.replace(tmp, target)
    except (OSError, ValueError) as exc:
        log.info("index of %s not saved: %s", list_path, exc)
        with contextlib.suppress(OSError):
            tmp.unlink()


def load_records(
    folder: Path, list_path: str, stamp: tuple
) -> tuple[list[IndexRecord], tuple[SectionInfo, ...]] | None:
    """`load`, as index records and section infos."""
    saved = load(folder, list_path, stamp)
    if saved is None:
        return None
    records, outline = saved
    try:
        items = [IndexRecord.from_tuple(list_path, data) for data in records]
        return items, tuple(SectionInfo(*data) for data in outline)
    except (TypeError, ValueError):
        return None


Snapshot = Callable[[set[str]], list[tuple]]


class DelayedSaver:
    """Saves the lists that changed once changes pause (`SAVE_QUIET_SECONDS`, at the latest
    `SAVE_LATEST_SECONDS` after the first), off the caller's path; what is left unsaved when the
    process exits (a short command) is saved then."""

    def __init__(self, folder: Path, snapshot: Snapshot) -> None:
        """Save into `folder`; `snapshot(paths)` gives (path, stamp, records, outline) rows."""
        self.folder = folder
        self._snapshot = snapshot
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._timer: threading.Timer | None = None
        self._first_change = 0.0
        self._last_change = 0.0

    def changed(self, list_path: str) -> None:
        """Note a changed list (saved once changes pause). Cheap: one timer per pause, which
        re-arms itself while changes keep coming."""
        with self._lock:
            now = time.monotonic()
            if not self._dirty:
                self._first_change = now
            self._dirty.add(list_path)
            self._last_change = now
            if self._timer is None:
                self._arm(SAVE_QUIET_SECONDS)
                _UNSAVED.add(self)

    def _arm(self, delay_seconds: float) -> None:
        """Start the timer (caller holds the lock)."""
        self._timer = threading.Timer(max(0.0, delay_seconds), self._due)
        self._timer.daemon = True
        self._timer.start()

    def _due(self) -> None:
        """The timer fired: save if changes paused (or waited too long), else wait the rest."""
        with self._lock:
            now = time.monotonic()
            quiet_at = self._last_change + SAVE_QUIET_SECONDS
            latest_at = self._first_change + SAVE_LATEST_SECONDS
            if self._dirty and now < min(quiet_at, latest_at):
                self._arm(min(quiet_at, latest_at) - now)
                return
        self.save_now()

    def save_now(self) -> None:
        """Write every changed list now."""
        with self._lock:
            dirty, self._dirty = self._dirty, set()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        _UNSAVED.discard(self)
        if not dirty:
            return
        for path, stamp, records, outline in self._snapshot(dirty):
            save(self.folder, path, stamp, records, [astuple(s) for s in outline])


_UNSAVED: weakref.WeakSet[DelayedSaver] = weakref.WeakSet()


@atexit.register
def _save_unsaved() -> None:
    """Save what a short-lived command changed (its timer would not fire in time)."""
    for saver in list(_UNSAVED):
        with contextlib.suppress(Exception):
            saver.save_now()
