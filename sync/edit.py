"""The one edit of a list file, shared by every writer (a clip, an accepted candidate,
`papershelf add`, `check --fix`, the review page's "Apply safe fixes").

`edit_list` resolves the list inside the workspace, then under the list's write lock: reads it
settled (`read_settled`), lets the caller transform and verify the bytes, and puts the result in
place only if the file still holds exactly what was read (`replace_if_unchanged`). A person
saving meanwhile, by a rename or in place, makes it start over from their save; their bytes are
never written over. See docs/sync.md ("A person saving while papershelf writes").
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from filelock import Timeout

from .atomic import (
    SWAP_UNSUPPORTED,
    fsync_folder,
    locked,
    swap_paths,
    why_not_writable,
    write_temp,
    written_elsewhere,
)
from .errors import ListChanged, ListNotWritable, NotFound, PapershelfError
from .paths import data_dir

if TYPE_CHECKING:
    from .workspace import Workspace

log = logging.getLogger(__name__)

T = TypeVar("T")

#: A list someone else changed this recently is read again once it has been quiet this long,
#: when what was read looks unfinished: smaller than the last time, or not parseable as meant.
SETTLE_SECONDS = 0.05
#: The longest a read waits for a list to settle, or to stop changing under it.
SETTLE_MAX_SECONDS = 2.0
#: Tries at one edit while people keep saving the list between our read and our write.
MAX_ATTEMPTS = 10
#: The longest one edit keeps trying.
EDIT_MAX_SECONDS = 10.0


@dataclass(frozen=True)
class Snapshot:
    """A list's bytes and the file they were read from (inode, size, modification time)."""

    data: bytes
    ino: int
    size: int
    mtime_ns: int
    mode: int

    def is_file(self, info: os.stat_result) -> bool:
        """Whether `info` is the file read, unchanged since."""
        return (info.st_ino, info.st_size, info.st_mtime_ns) == (self.ino, self.size, self.mtime_ns)

    def age_seconds(self) -> float:
        """Seconds since the file was last modified (file system clocks are coarse: about)."""
        return (time.time_ns() - self.mtime_ns) / 1e9


# What this process last wrote and last read, by path: papershelf's own write is never waited on,
# and a list that shrank since the last read is the one sign of an in-place save half-written.
_ours: dict[str, tuple[int, int, int]] = {}
_sizes: dict[str, int] = {}
_memory_guard = threading.Lock()
_swap_unsupported: set[int] = set()  # devices (st_dev) whose file system cannot swap


def _read_once(path: Path) -> tuple[Snapshot | None, bool | None]:
    """One read of `path`: the snapshot (None when the file changed or was replaced while it
    was read), and whether another process holds it open for writing (`written_elsewhere`)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as fh:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        data = fh.read()
        after = os.fstat(fd)
        writing = written_elsewhere(fd)
    snap = Snapshot(
        data, before.st_ino, before.st_size, before.st_mtime_ns, stat.S_IMODE(before.st_mode)
    )
    if len(data) != snap.size or not snap.is_file(after) or not snap.is_file(os.stat(path)):
        return None, writing
    return snap, writing


def _settle_wait(key: str, snap: Snapshot, suspect: bool) -> float:
    """Seconds to wait before trusting `snap` when no lease can tell whether a program is
    still writing it (0: trust it now)."""
    with _memory_guard:
        if _ours.get(key) == (snap.ino, snap.size, snap.mtime_ns):
            return 0.0
        last = _sizes.get(key)
    age = snap.age_seconds()
    if age >= SETTLE_SECONDS or not (suspect or last is None or snap.size < last):
        return 0.0
    return SETTLE_SECONDS - max(0.0, age)


def read_settled(path: Path, suspect: bool = False) -> Snapshot:
    """The bytes of the list at `path`, read whole from one file that did not change meanwhile,
    and that no program was writing (an in-place save: truncate, then write, half-written).

    On Linux a read lease tells whether a program holds the list open for writing: then it is
    read again once that program is done. Where no lease can tell, a read that looks unfinished
    (smaller than the last one, modified a moment ago; or any fresh one, when `suspect`) is
    made again once the list has been quiet for SETTLE_SECONDS. OSError when it cannot be read
    (ENOENT: deleted, EINVAL: not a regular file, EAGAIN: never held still).
    """
    key = str(path)
    deadline = time.monotonic() + SETTLE_MAX_SECONDS
    while True:
        snap, writing = _read_once(path)
        if snap is not None and not writing:
            wait = 0.0 if writing is False else _settle_wait(key, snap, suspect)
            if wait <= 0 or time.monotonic() + wait > deadline:
                with _memory_guard:
                    _sizes[key] = snap.size
                return snap
            time.sleep(wait)
        elif time.monotonic() > deadline:
            why = "another program is writing it" if writing else "it kept changing"
            raise OSError(errno.EAGAIN, f"{why} while papershelf read it", str(path))
        else:
            time.sleep(0.002)


def _rescue(tmp: Path, path: Path) -> None:
    """Keep a person's save that another save replaced in the same instant (never discard it)."""
    folder = data_dir() / "rescued"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")
    kept = folder / f"{stamp}-{path.name}"
    kept.write_bytes(tmp.read_bytes())
    tmp.unlink()
    log.warning(
        "%s was saved twice in an instant while papershelf wrote it; kept the older save at %s",
        path,
        kept,
    )


def _swapped_out_is(tmp: Path, snap: Snapshot) -> bool:
    """Whether the file now at `tmp` (what was at the list's name) is exactly the one read,
    and nobody is writing it: an in-place save that opened it before the swap writes into it
    now, if ever (a read lease tells, on Linux)."""
    with open(tmp, "rb") as fh:
        if not snap.is_file(os.fstat(fh.fileno())) or fh.read() != snap.data:
            return False
        if written_elsewhere(fh.fileno()):
            return False
        return snap.is_file(os.fstat(fh.fileno()))


def _put_back(path: Path, tmp: Path, ours: int) -> None:
    """Swap the person's file (at `tmp`) back to `path`; ours comes out and is discarded."""
    log.info("%s was saved while papershelf swapped it in; put the save back", path)
    swap_paths(tmp, path)
    if os.stat(tmp).st_ino == ours:
        return
    # Someone replaced our file in the instant between the two swaps: theirs is the newest.
    swap_paths(tmp, path)
    _rescue(tmp, path)


def replace_if_unchanged(path: Path, snap: Snapshot, data: bytes) -> bool:
    """Put `data` at `path` if the file there is still the one `snap` read; False if not.

    Where the platform can swap two names atomically (Linux, macOS), the new file is swapped in
    and what comes out is compared with what was read: a save that landed in between is swapped
    back at once, untouched. Elsewhere the check is made just before an ordinary rename, with the
    new file already written and on disk, which leaves the smallest window there is.
    """
    tmp, info = write_temp(path, data, snap.mode)
    try:
        if not snap.is_file(os.stat(path)):
            return False  # saved meanwhile: seen without showing anyone our version
        if info.st_dev not in _swap_unsupported:
            try:
                swap_paths(tmp, path)
            except OSError as exc:
                if exc.errno not in SWAP_UNSUPPORTED:
                    raise
                _swap_unsupported.add(info.st_dev)
            else:
                if not _swapped_out_is(tmp, snap):
                    _put_back(path, tmp, info.st_ino)
                    return False
                _remember_ours(path, info)
                return True
        try:
            current = os.stat(path)
            with open(path, "rb") as fh:
                same = snap.is_file(current) and fh.read() == snap.data
        except FileNotFoundError:
            same = False
        if not same:
            return False
        os.replace(tmp, path)
        _remember_ours(path, info)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        fsync_folder(path.parent)


def _remember_ours(path: Path, info: os.stat_result) -> None:
    with _memory_guard:
        _ours[str(path)] = (info.st_ino, info.st_size, info.st_mtime_ns)
        _sizes[str(path)] = info.st_size


#: A transform: the bytes read -> (the bytes to write, or None to write nothing; a value).
Transform = Callable[[bytes], tuple[bytes | None, T]]


def edit_file(
    path: Path,
    rel: str,
    transform: Transform[T],
    on_written: Callable[[T], None] | None = None,
) -> T:
    """Read `path` (named `rel`), transform it, and write the result unless the file changed
    meanwhile (then start over); under the list's write lock. The transform's value; on_written
    is called with it, still under the lock, when something was written.

    A transform raising a PapershelfError on a list modified a moment ago (a section missing
    from a save half-written) is given the list again once it has settled, before it counts.
    """
    refusal = why_not_writable(path, rel)
    if refusal is not None:
        raise ListNotWritable(refusal)
    deadline = time.monotonic() + EDIT_MAX_SECONDS
    try:
        with locked(path):
            suspect = False
            for _attempt in range(MAX_ATTEMPTS):
                snap = _read(path, rel, suspect)
                try:
                    new, value = transform(snap.data)
                except PapershelfError:
                    if suspect or snap.age_seconds() >= SETTLE_SECONDS:
                        raise
                    suspect = True
                    continue
                if new is None:
                    return value
                if _write(path, rel, snap, new):
                    if on_written is not None:
                        on_written(value)
                    return value
                log.info("%s changed while papershelf wrote it; reading it again", rel)
                if time.monotonic() > deadline:
                    break
    except Timeout:
        raise ListChanged(
            f"{rel} is being written by another papershelf process; nothing was written."
        ) from None
    raise ListChanged(
        f"{rel} kept changing while papershelf tried to write it; nothing was written."
    )


@dataclass(frozen=True)
class ListTarget:
    """A list a writer may edit: its real path inside the workspace and its relative name."""

    path: Path
    rel: str


def list_target(workspace: Workspace, list_path: str) -> ListTarget:
    """The list `list_path` of `workspace`, checked for every writer alike: a list inside the
    workspace, by its real path (NotFound for an unknown list, or a symlink to a file outside
    the workspace, which is never written through)."""
    path = workspace.resolve_list(list_path)
    return ListTarget(path, workspace.relpath(path))


def edit_list(
    target: ListTarget, transform: Transform[T], on_written: Callable[[T], None] | None = None
) -> T:
    """`edit_file` on a checked list (`list_target`)."""
    return edit_file(target.path, target.rel, transform, on_written)


def read_checked(path: Path, rel: str, check: Callable[[bytes], T]) -> T:
    """`check` of the list's bytes, read settled; a PapershelfError it raises on a list modified
    a moment ago is checked again once the list has settled, before it counts."""
    snap = _read(path, rel, False)
    try:
        return check(snap.data)
    except PapershelfError:
        if snap.age_seconds() >= SETTLE_SECONDS:
            raise
    return check(_read(path, rel, True).data)


def _read(path: Path, rel: str, suspect: bool) -> Snapshot:
    """`read_settled`, its failures in the words a clip answers with (404, 409)."""
    try:
        return read_settled(path, suspect)
    except FileNotFoundError:
        raise NotFound(f"No list {rel!r}: it was deleted.", fields={"list": "unknown"}) from None
    except OSError as exc:
        raise ListChanged(
            f"Cannot read {rel}: {exc.strerror or exc}; nothing was written.",
            fields={"list": "unreadable"},
        ) from None


def _write(path: Path, rel: str, snap: Snapshot, data: bytes) -> bool:
    """`replace_if_unchanged`, a failure in one line (ListNotWritable: nothing was written)."""
    try:
        return replace_if_unchanged(path, snap, data)
    except FileNotFoundError:
        return False  # deleted since the read: the next read says so
    except OSError as exc:
        raise ListNotWritable(
            f"Cannot write {rel}: {exc.strerror or exc}; nothing was written."
        ) from None
