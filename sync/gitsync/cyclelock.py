"""One papershelf at a time per repository: the daemon lock and the cycle lock, both in `.git/`.

Two processes may act on one workspace (`papershelf sync --once` beside `papershelf serve`, or a
`serve` and a `papershelf sync`). Their git commands must never interleave, so every
commit-and-share cycle holds `.git/papershelf-sync.lock` (a file lock, released by the kernel if
the process dies): the daemon skips a cycle while another process holds it and tries again a
quiet period later, `sync --once` waits for it (up to `ONCE_WAIT_SECONDS`). A running daemon also
holds `.git/papershelf-daemon.lock` for its life, so a second daemon on the same repository
refuses to start. Only the holder of the cycle lock looks at (and may remove) a stale
`.git/index.lock`, so no papershelf removes one that another papershelf's git holds.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import filelock

from ..errors import PapershelfError
from . import status as status_store

log = logging.getLogger(__name__)

DAEMON_LOCK = "papershelf-daemon.lock"
CYCLE_LOCK = "papershelf-sync.lock"
#: How long `papershelf sync --once` waits for another process's cycle before giving up.
ONCE_WAIT_SECONDS = 120.0
#: The longest a stopping daemon waits for another process's cycle before its last local commit
#: (less when its `stop` is given less time: `stopping.final_lock_wait`).
STOP_WAIT_SECONDS = 10.0


class CycleBusy(PapershelfError):
    """Another papershelf process is in a commit-and-share cycle on this repository."""


class AlreadySyncing(PapershelfError):
    """Another papershelf daemon already syncs this repository."""


def lock_dir(repo: Any) -> Path:
    """Where the locks live: the repository's (common) git folder, never committed."""
    return Path(getattr(repo, "common_dir", None) or repo.git_dir)


def holder(root: Path) -> str | None:
    """The daemon of the workspace at `root`, from its status: "papershelf serve, pid 12"."""
    status = status_store.read(root)
    pid = status.get("pid")
    if not status.get("running") or not isinstance(pid, int):
        return None
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return f"a papershelf process, pid {pid}"
    words = {a.decode("utf-8", "replace") for a in argv}
    command = next((f"papershelf {c}" for c in ("serve", "sync") if c in words), "papershelf")
    return f"{command}, pid {pid}"


@contextlib.contextmanager
def cycle(
    repo: Any, root: Path, wait_seconds: float, on_wait: Callable[[str], None] | None = None
) -> Iterator[None]:
    """Hold the cycle lock; CycleBusy when another process holds it for `wait_seconds`.

    `on_wait` is told, once, when the lock is busy and we wait for it.
    """
    lock = filelock.FileLock(str(lock_dir(repo) / CYCLE_LOCK), thread_local=False)
    try:
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            if wait_seconds <= 0:
                raise
            if on_wait is not None:
                on_wait(
                    f"another papershelf is syncing this repository{_its_daemon(root)}; "
                    f"waiting for it (up to {wait_seconds:.3g} s)"
                )
            lock.acquire(timeout=wait_seconds)
    except filelock.Timeout:
        daemon = _its_daemon(root)
        if wait_seconds <= 0:
            raise CycleBusy(f"another papershelf is syncing this repository{daemon}") from None
        raise CycleBusy(
            f"another papershelf is syncing this repository{daemon} and did not finish within "
            f"{wait_seconds:.3g} s; nothing was done, try again later"
        ) from None
    try:
        yield
    finally:
        lock.release()


def _its_daemon(root: Path) -> str:
    who = holder(root)
    return f" (its daemon: {who})" if who else ""


def hold_daemon_lock(repo: Any, root: Path) -> filelock.FileLock:
    """The daemon lock, held until released; AlreadySyncing when another daemon holds it."""
    lock = filelock.FileLock(str(lock_dir(repo) / DAEMON_LOCK), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        who = holder(root) or "another papershelf process"
        raise AlreadySyncing(
            f"{root} is already synced by {who}; it commits and shares every change, so this "
            "one does not start (stop that one first to sync from here)"
        ) from None
    return lock
