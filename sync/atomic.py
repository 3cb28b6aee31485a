"""Atomic, serialized file writes: temp file in the same folder, fsync, rename, mode kept."""

from __future__ import annotations

import contextlib
import ctypes
import errno
import hashlib
import os
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

from .paths import data_dir


def read_regular(path: Path, max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file; OSError (EINVAL, "not a regular file") for anything else,
    and (EFBIG) for a file over `max_bytes`.

    Opened without blocking and checked on the open descriptor: a FIFO named like a list would
    otherwise wait for a writer for ever, a directory would fail later and less clearly, and a
    device (a config.toml linked to /dev/zero) would be read until memory runs out.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with open(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if max_bytes is None:
            return fh.read()
        data = fh.read(max_bytes + 1)  # the size may change while we read: count what we got
        if len(data) > max_bytes:
            raise OSError(errno.EFBIG, f"larger than {max_bytes:,} bytes", str(path))
        return data


def is_regular_file(path: Path) -> bool:
    """Whether `path` is a regular file (symlinks followed): not a FIFO, a device or a folder."""
    try:
        return stat.S_ISREG(path.stat().st_mode)
    except OSError:
        return False


#: Lock files the list writers share: a list's write lock is one of these, picked by a hash of
#: its path. A commit of a thousand changed lists then holds at most this many descriptors open
#: (one per list ran out of descriptors, and killed the HTTP thread), and two writers of
#: different lists rarely share one (and then only wait a moment for each other).
LOCK_STRIPES = 64


def lock_path_for(path: Path) -> Path:
    """The lock file guarding `path`, in the data dir so no lock file ever lands in a lists repo."""
    digest = hashlib.sha256(str(path.resolve()).encode("utf-8", "surrogateescape")).digest()
    folder = data_dir() / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"stripe-{int.from_bytes(digest[:4], 'big') % LOCK_STRIPES:02d}.lock"


class _Stripe:
    """One lock file, held across threads (an RLock) and processes (a file lock); re-entrant
    in the thread holding it, so one thread may lock two lists that share it."""

    def __init__(self, lock_file: Path) -> None:
        self.thread_lock = threading.RLock()
        self.file_lock = FileLock(str(lock_file), thread_local=False)
        self.depth = 0  # touched only by the thread holding `thread_lock`

    def acquire(self, timeout_seconds: float) -> None:
        deadline = time.monotonic() + timeout_seconds
        if not self.thread_lock.acquire(timeout=max(0.0, timeout_seconds)):
            raise Timeout(self.file_lock.lock_file)
        try:
            if self.depth == 0:
                self.file_lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
            self.depth += 1
        except BaseException:
            self.thread_lock.release()
            raise

    def release(self) -> None:
        self.depth -= 1
        try:
            if self.depth == 0:
                self.file_lock.release()
        finally:
            self.thread_lock.release()


_stripes: dict[Path, _Stripe] = {}
_stripes_guard = threading.Lock()


def _stripe_of(path: Path) -> _Stripe:
    lock_file = lock_path_for(path)
    with _stripes_guard:
        stripe = _stripes.get(lock_file)
        if stripe is None:
            stripe = _stripes[lock_file] = _Stripe(lock_file)
        return stripe


@contextlib.contextmanager
def locked(path: Path, timeout_seconds: float = 30.0) -> Iterator[None]:
    """Hold the one-writer lock of `path` across threads and processes (filelock.Timeout after
    `timeout_seconds`)."""
    with locked_many([path], timeout_seconds):
        yield


@contextlib.contextmanager
def locked_many(paths: Iterable[Path], timeout_seconds: float = 30.0) -> Iterator[None]:
    """Hold the write locks of all `paths` (each lock file once, in one order, so two holders
    never deadlock); filelock.Timeout, with the path waited for, when one stays busy."""
    by_stripe: dict[int, tuple[_Stripe, Path]] = {}
    for path in paths:
        stripe = _stripe_of(path)
        by_stripe.setdefault(id(stripe), (stripe, path))
    order = sorted(by_stripe.values(), key=lambda pair: str(pair[0].file_lock.lock_file))
    held: list[_Stripe] = []
    try:
        for stripe, path in order:
            try:
                stripe.acquire(timeout_seconds)
            except Timeout:
                raise Timeout(str(path)) from None
            held.append(stripe)
        yield
    finally:
        for stripe in reversed(held):
            stripe.release()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically, keeping its permission bits; never a half-written file."""
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None
    tmp, _info = write_temp(path, data, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    # The rename is durable only once the directory entry is on disk.
    fsync_folder(path.parent)


def write_temp(path: Path, data: bytes, mode: int | None) -> tuple[Path, os.stat_result]:
    """`data` in a new temp file beside `path` (fsynced, with permission bits `mode`); its path
    and its status (the inode and modification time it goes in place with)."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp_name, mode)  # os.fchmod is POSIX-only before Python 3.13
        info = os.stat(tmp_name)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    return Path(tmp_name), info


def fsync_folder(folder: Path) -> None:
    """Make the renames in `folder` durable (its directory entries on disk); best effort."""
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _swap_function() -> Callable[[bytes, bytes], int] | None:
    """The platform's atomic swap of two names, or None where there is none.

    Linux: renameat2(RENAME_EXCHANGE) (glibc 2.28+; ext4, xfs, btrfs, tmpfs...); macOS:
    renamex_np(RENAME_SWAP) (APFS). Elsewhere there is no such call.
    """
    if not sys.platform.startswith(("linux", "darwin")):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        renameat2 = libc.renameat2
        renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
        renameat2.argtypes += [ctypes.c_uint]
        at_fdcwd, rename_exchange = -100, 2
        return lambda a, b: renameat2(at_fdcwd, a, at_fdcwd, b, rename_exchange)
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        renamex_np = libc.renamex_np
        renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        rename_swap = 2
        return lambda a, b: renamex_np(a, b, rename_swap)
    return None


_SWAP = _swap_function()
#: errno values that mean "this file system (or kernel) cannot swap": use the fallback.
SWAP_UNSUPPORTED = frozenset({errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV})


def written_elsewhere(fd: int) -> bool | None:
    """Whether another process holds the file of the read-only descriptor `fd` open for
    writing (an in-place save under way); None where that cannot be told.

    Linux refuses a read lease on a file open for writing (EAGAIN), so taking one, and letting
    it go at once, tells. Leases need the file's owner (or CAP_LEASE) and a local file system;
    elsewhere (macOS, Windows, NFS, another user's file) the answer is None.
    """
    if fcntl is None or not hasattr(fcntl, "F_SETLEASE"):
        return None
    try:
        # Were the lease broken in the instant it is held, the kernel would signal SIGIO, whose
        # default is to terminate the process: SIGURG, ignored by default, is signalled instead.
        fcntl.fcntl(fd, fcntl.F_SETSIG, signal.SIGURG)
        fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_RDLCK)
    except OSError as exc:
        return True if exc.errno == errno.EAGAIN else None
    fcntl.fcntl(fd, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    return False


def swap_paths(a: Path, b: Path) -> None:
    """Swap the files named `a` and `b` atomically; OSError (ENOSYS where the platform cannot)."""
    if _SWAP is None:
        raise OSError(errno.ENOSYS, "no atomic swap on this platform", str(b))
    if _SWAP(os.fsencode(a), os.fsencode(b)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def why_not_writable(path: Path, rel: str) -> str | None:
    """Why papershelf will not write the list at `path` (named `rel`), or None when it may.

    The one rule for a write (`papershelf.sync.edit`) and for the lists offered to pickers (`read_only` in
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
