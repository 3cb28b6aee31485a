"""Stopping the sync daemon within its caller's time, honestly, and without letting go too early.

A stopping daemon commits what is pending, but another papershelf process may hold the cycle
lock (`cyclelock`) just then. The final commit waits for it only as long as the caller of
`stop` allows (`papershelf serve` has a few seconds; `papershelf sync` up to
`cyclelock.STOP_WAIT_SECONDS`); if the lock stays busy, the change stays in the working tree,
one line says so, and the next start commits it (a daemon commits whatever is pending on start).

The daemon lock is released by whichever ends last of `stop` and the daemon's thread: a thread
still in a git command when `stop` gives up keeps the lock until it is done, so no second daemon
runs git beside it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import PapershelfError
from . import commit, cyclelock, gitrepo
from .messages import _names

log = logging.getLogger(__name__)

#: Of a stop's time, what is kept for the final commit itself once the cycle lock is free.
COMMIT_MARGIN_SECONDS = 0.5


def final_lock_wait(deadline: float | None) -> float:
    """How long the final commit may wait for another process's cycle lock (0: try once)."""
    wait = cyclelock.STOP_WAIT_SECONDS
    if deadline is not None:
        wait = min(wait, deadline - time.monotonic() - COMMIT_MARGIN_SECONDS)
    return max(0.0, wait)


def say_left(root: Path, path_filter: Any, repository: str = "") -> str:
    """Log the one line a stop says when another process kept its final commit out; return it."""
    try:
        with gitrepo.open_repo(root, repository) as repo:  # read-only, like `load_status`
            pending = commit.pending_changes(repo, root, path_filter)
    except (PapershelfError, OSError, ValueError):
        pending = []
    if pending:
        what = f"a change to {_names(pending)} was left uncommitted"
    else:
        what = "the final commit was skipped (if anything was pending, it was left uncommitted)"
    line = (
        f"{what}: another papershelf was syncing this repository; it stays in the working tree "
        "and the next start commits it"
    )
    log.warning("sync: %s", line)
    return line


class DaemonLock:
    """The daemon lock, released once both `stop` and the daemon's thread are done."""

    def __init__(self, lock: Any) -> None:  # None: nothing to release (not a repository)
        self._lock = lock
        self._mutex = threading.Lock()
        self._ends = 0

    def run(self, loop: Callable[[], None]) -> None:
        """The daemon thread's body: `loop`, then this thread's end."""
        try:
            loop()
        finally:
            self.end()

    def end(self) -> None:
        """One of the two is done; the second releases the lock."""
        with self._mutex:
            self._ends += 1
            if self._ends == 2 and self._lock is not None:
                self._lock.release()


STILL_RUNNING = (
    "the sync cycle in flight did not finish within %.3g s; the daemon lock is kept until it does "
    "or this process exits (what it did not commit stays in the working tree for the next start)"
)
