"""A stale `.git/index.lock` (left by a git that crashed): when it is safe to remove, and doing so."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from pathlib import Path

import git

from .gitrepo import Busy

log = logging.getLogger(__name__)

#: Where git can run no check of live processes (no /proc), a lock must be this old to be stale.
NO_PROC_STALE_SECONDS = 600.0


def git_processes_in(root: Path) -> list[int] | None:
    """Pids of live git processes whose working folder is in `root`; None without /proc."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    root_s = str(root.resolve())
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if not comm.startswith("git"):
                continue
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if cwd == root_s or cwd.startswith(root_s + os.sep):
            found.append(int(entry.name))
    return found


def clear_stale_lock(repo: git.Repo, stale_seconds: float) -> str | None:
    """Remove `.git/index.lock` when no git process can own it; None, or why we must wait.

    A lock is stale when it is older than `stale_seconds` and no live process named git* has its
    working folder in the repository (Linux /proc). Without /proc, age alone decides, with a
    floor of ten minutes. Returns what was done or why the lock is kept (for the status).
    """
    lock = Path(repo.git_dir) / "index.lock"
    try:
        age = time.time() - lock.stat().st_mtime
    except FileNotFoundError:
        return None
    owners = git_processes_in(Path(repo.working_tree_dir or repo.git_dir))
    limit = stale_seconds if owners is not None else max(stale_seconds, NO_PROC_STALE_SECONDS)
    if owners:
        raise Busy(f"git is running in the repository (pid {owners[0]}); waiting for it")
    if age < limit:
        raise Busy(f"{lock} exists ({age:.0f} s old); waiting to see whether it is stale")
    with contextlib.suppress(FileNotFoundError):
        lock.unlink()
    log.warning("removed a stale %s (%.0f s old, no git process)", lock, age)
    return f"removed a stale {lock.name} ({age:.0f} s old, no git process running)"


def clear_stale_next_index(repo: git.Repo) -> str | None:
    """Remove `.git/next-index-<pid>.lock` files whose git is gone (a `git commit -- paths`
    killed mid-way leaves one for good); what was removed, or None."""
    removed = []
    for lock in Path(repo.git_dir).glob("next-index-*.lock"):
        pid = lock.name.removeprefix("next-index-").removesuffix(".lock")
        if pid.isdigit() and _alive(int(pid)):
            continue
        with contextlib.suppress(FileNotFoundError):
            lock.unlink()
            removed.append(lock.name)
    if not removed:
        return None
    log.warning("removed %s (left by a git that was killed)", ", ".join(removed))
    return f"removed {', '.join(removed)} (left by a git that was killed)"


def _alive(pid: int) -> bool:
    """Whether a git process `pid` still runs: with /proc, a live (not zombie) process named
    git*; without it, any process with that pid."""
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        try:
            text = stat.read_text()
        except OSError:
            return False
        name, _, rest = text.partition("(")[2].rpartition(")")
        return name.startswith("git") and rest.split()[:1] != ["Z"]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # alive, another user's
    return True
