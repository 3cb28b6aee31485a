"""Atomic, serialized file writes: temp file in the same folder, fsync, rename, mode kept."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock

from .errors import ListNotWritable
from .paths import data_dir

_thread_locks: dict[str, threading.RLock] = {}
_thread_locks_guard = threading.Lock()


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file; OSError (EINVAL, "not a regular file") for anything else.

    Opened without blocking and checked on the open descriptor: a FIFO named like a list would
    otherwise wait for a writer for ever, and a directory would fail later and less clearly.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return fh.read()


def is_regular_file(path: Path) -> bool:
    """Whether `path` is a regular file (symlinks followed): not a FIFO, a device or a folder."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


def lock_path_for(path: Path) -> Path:
    """The lock file guarding `path`, in the data dir so no lock file ever lands in a lists repo."""
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    folder = data_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{digest[:32]}.lock"


@contextlib.contextmanager
def locked(path: Path, timeout_seconds: float = 30.0) -> Iterator[None]:
    """Hold the one-writer lock of `path` across threads (RLock) and processes (file lock)."""
    key = str(path.resolve())
    with _thread_locks_guard:
        thread_lock = _thread_locks.setdefault(key, threading.RLock())
    with thread_lock, FileLock(str(lock_path_for(path)), timeout=timeout_seconds):
        yield


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically, keeping its permission bits; never a half-written file."""
    directory = path.parent
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    # The rename is durable only once the directory entry is on disk.
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def why_not_writable(path: Path, rel: str) -> str | None:
    """Why papershelf will not write the list at `path` (named `rel`), or None when it may.

    The one rule for a write (`write_list`) and for the lists offered to pickers (`read_only` in
    `GET /api/lists`), so the two never disagree: a file with no write bit for anyone is the
    curator's "read-only" (a rename would replace it anyway, only the folder's permission counts:
    papershelf respects the bit itself), and a folder this process cannot write and enter cannot
    take the new file. Anything else (gone, a full disk) is for the write itself to say.
    """
    try:
        read_only = not path.stat().st_mode & 0o222
    except OSError:
        read_only = False  # gone or unreadable: the write says why
    if read_only:
        return (
            f"{rel} is read-only; nothing was written (chmod u+w {rel} lets papershelf write it)."
        )
    folder = path.parent
    effective = os.access in os.supports_effective_ids
    if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK, effective_ids=effective):
        return f"Cannot write {rel}: its folder cannot be written; nothing was written."
    return None


def write_list(path: Path, rel: str, data: bytes) -> None:
    """Write the new list atomically, unless `why_not_writable` refuses; one line if it fails."""
    refusal = why_not_writable(path, rel)
    if refusal is not None:
        raise ListNotWritable(refusal)
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ListNotWritable(
            f"Cannot write {rel}: {exc.strerror or exc}; nothing was written."
        ) from None
