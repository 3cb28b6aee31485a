"""A list file's recent versions from its git history, to learn where its additions go.

Read with two git processes (`git log`, then `git cat-file --batch` for every blob at once) and
kept per repository state: a clip pays for it once per commit, not once per clip.
"""

from __future__ import annotations

import logging
import subprocess
import threading
from pathlib import Path

from .styles.history import AdditionHistory, additions_history

log = logging.getLogger(__name__)

#: Commits of the file looked at, newest first.
MAX_COMMITS = 30
#: Seconds a git command may take before the history is given up on (the add goes on).
GIT_TIMEOUT_SECONDS = 5.0

_cache: dict[tuple[str, str], tuple[tuple, AdditionHistory | None]] = {}
_lock = threading.Lock()


def list_history(root: Path, rel: str) -> AdditionHistory | None:
    """Where the last additions to `rel` went, from the git repository at `root` (its top level),
    or None when `root` is not one or git cannot tell."""
    dot_git = root / ".git"
    if not dot_git.exists():
        return None
    stamp = _repo_stamp(dot_git)
    key = (str(root), rel)
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached[0] == stamp and stamp:
            return cached[1]
    try:
        history = additions_history(_versions(root, rel))
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        log.debug("no history for %s: %s", rel, exc)
        history = None
    with _lock:
        _cache[key] = (stamp, history)
    return history


def _repo_stamp(dot_git: Path) -> tuple:
    """A cheap stamp that changes with every commit: the reflog's and the index's size and time."""
    out = []
    for name in ("logs/HEAD", "HEAD", "packed-refs"):
        try:
            st = (dot_git / name).stat()
        except OSError:
            continue
        out.append((name, st.st_mtime_ns, st.st_size))
    return tuple(out)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["git", "-C", str(root), *args],
        input=stdin,
        capture_output=True,
        timeout=GIT_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise ValueError(done.stderr.decode("utf-8", "replace").strip()[:200])
    return done.stdout


def _versions(root: Path, rel: str) -> list[tuple[bytes, bytes]]:
    """(parent's version, commit's version) of `rel` for its recent commits, newest first."""
    log_out = _git(
        root, "log", f"-n{MAX_COMMITS}", "--first-parent", "--format=%H %P", "--", rel
    ).decode()
    pairs = []
    for line in log_out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            pairs.append((parts[1], parts[0]))
    if not pairs:
        return []
    wanted = [f"{rev}:{rel}" for pair in pairs for rev in pair]
    blobs = _cat_files(root, wanted)
    out = []
    for older, newer in pairs:
        old, new = blobs.get(f"{older}:{rel}"), blobs.get(f"{newer}:{rel}")
        if old is not None and new is not None:
            out.append((old, new))
    return out


def _cat_files(root: Path, names: list[str]) -> dict[str, bytes]:
    """The blobs `rev:path` names, read by one `git cat-file --batch`."""
    raw = _git(root, "cat-file", "--batch", stdin="".join(n + "\n" for n in names).encode())
    out: dict[str, bytes] = {}
    pos = 0
    for name in names:
        end = raw.index(b"\n", pos)
        header = raw[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # `missing`: the file did not exist at that commit
        size = int(header[2])
        out[name] = raw[pos : pos + size]
        pos += size + 1
    return out
