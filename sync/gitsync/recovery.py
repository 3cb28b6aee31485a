"""papershelf's own rebase, interrupted (SIGKILL, a power cut): recognised and undone.

Before each rebase papershelf writes `.git/papershelf-rebase.json` (the branch's commit and the
commit it rebases onto), and removes it once no rebase is in progress. A repository found
mid-rebase with that marker, whose rebase started from exactly those two commits, is
papershelf's own: with no git process left running in it, the next cycle aborts it (back to
the local commits as they were, every acknowledged clip among them) and rebases again. Edits
saved into the half-rebased working tree meanwhile (a clip that arrived before the cycle ran)
are carried over by the list-aware merge, or kept in `<data dir>/rescued/`. A rebase without
the marker, or from other commits, is a person's: papershelf leaves it to them (`gitwait`).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_bytes, fsync_folder
from ..edit import edit_file
from ..errors import PapershelfError
from ..paths import data_dir
from . import gitrepo, stalelock
from .commit import holding
from .gitrepo import Busy, GitFailed
from .merge import merge_lists
from .shown import shown_path

log = logging.getLogger(__name__)

MARKER = "papershelf-rebase.json"


def marker_path(repo: Any) -> Path:
    """Where the marker lives: the repository's own git folder, next to git's rebase state."""
    return Path(repo.git_dir) / MARKER


def mark_rebase(repo: Any, head: str, onto: str) -> None:
    """Say, durably, that papershelf is about to rebase `head` onto `onto`."""
    record = {"head": head, "onto": onto, "pid": os.getpid(), "time": _now()}
    atomic_write_bytes(marker_path(repo), json.dumps(record).encode("utf-8"))


def unmark_rebase(repo: Any) -> None:
    """Remove the marker, unless a rebase is still in progress (then the next cycle needs it)."""
    if gitrepo.in_progress(repo, unmerged=False) == "a rebase":
        return
    with contextlib.suppress(FileNotFoundError):
        marker_path(repo).unlink()
        fsync_folder(Path(repo.git_dir))


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _read_marker(repo: Any) -> dict | None:
    try:
        record = json.loads(marker_path(repo).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _rebase_state(repo: Any) -> tuple[str | None, str | None]:
    """(the commit the rebase in progress started from, the commit it rebases onto)."""
    for name in ("rebase-merge", "rebase-apply"):
        folder = Path(repo.git_dir) / name
        if folder.is_dir():
            try:
                orig = (folder / "orig-head").read_text(encoding="utf-8").strip()
                onto = (folder / "onto").read_text(encoding="utf-8").strip()
            except OSError:
                return None, None
            return orig, onto
    return None, None


def recover_own_rebase(repo: Any, root: Path) -> str | None:
    """Undo papershelf's own interrupted rebase, if that is what the repository is in the middle
    of; the notice saying so, or None. Busy while a git process still runs in the repository."""
    marker = _read_marker(repo)
    if marker is None:
        return None
    doing = gitrepo.in_progress(repo, unmerged=False)
    if doing is None:
        unmark_rebase(repo)  # the rebase ended, or never began: nothing to undo
        return None
    if doing != "a rebase" or _rebase_state(repo) != (marker.get("head"), marker.get("onto")):
        return None  # a person's operation, begun after ours ended: theirs to finish
    top = Path(repo.working_tree_dir or root)
    owners = stalelock.git_processes_in(top)
    if owners:
        raise Busy(f"git is still running in the repository (pid {owners[0]}); waiting for it")
    head, onto = str(marker["head"]), str(marker["onto"])
    base = repo.git.merge_base(head, onto)
    touched = set(gitrepo.changed_between(repo, base, onto))
    touched |= set(gitrepo.changed_between(repo, base, head))
    with holding(top, sorted(touched)):
        saved = _uncommitted(repo, top)
        gitrepo.run(repo, "undoing the interrupted rebase", "rebase", "--abort")
        if gitrepo.in_progress(repo, unmerged=False) or gitrepo.rev(repo, "HEAD") != head:
            raise GitFailed(
                f"papershelf's interrupted rebase could not be undone (HEAD was {head[:10]}); "
                "check the repository"
            )
        kept = _carry_over(top, saved)
    unmark_rebase(repo)
    line = (
        f"papershelf's own rebase onto {onto[:10]} was interrupted (the process was killed or "
        f"the machine stopped); it was undone, back to {head[:10]}, and is done again now"
    )
    if kept:
        line += f"; {kept}"
    log.warning("sync: %s", line)
    return line


def _uncommitted(repo: Any, top: Path) -> dict[str, tuple[bytes | None, bytes]]:
    """Tracked files whose bytes differ from the half-rebased HEAD's: path -> (that HEAD's
    bytes, the working tree's), read before the abort resets them."""
    out: dict[str, tuple[bytes | None, bytes]] = {}
    for change in gitrepo.status(repo):
        if change.code == "??":
            continue
        try:
            now = (top / change.path).read_bytes()
        except OSError:
            continue  # deleted: the abort brings back what the commits hold
        out[change.path] = (gitrepo.head_blob(repo, change.path), now)
    return out


def _carry_over(top: Path, saved: dict[str, tuple[bytes | None, bytes]]) -> str:
    """Put back the edits made in the half-rebased tree, merged into the restored files; what
    could not be merged is kept in `<data dir>/rescued/`. A word on what was done, or ""."""
    merged, rescued = [], []
    for rel, (base, edited) in saved.items():
        done = _carry_one(top / rel, rel, base, edited)
        if done == MERGED:
            merged.append(shown_path(rel))
        elif done == RESCUE:
            rescued.append(_rescue(rel, edited))
    words = []
    if merged:
        words.append(f"edits saved meanwhile to {', '.join(merged)} were kept")
    if rescued:
        words.append(f"edits that could not be merged were kept in {', '.join(rescued)}")
    return "; ".join(words)


MERGED, RESCUE, UNCHANGED = "merged", "rescue", "unchanged"


def _merged_edit(base: bytes | None, edited: bytes, now: bytes) -> tuple[bytes | None, str]:
    """The file's bytes `now` with the edit (`base` -> `edited`) merged in: (new bytes or None,
    what was done)."""
    if now == edited or edited == base:
        return None, UNCHANGED  # nothing was edited there, or the abort brought it back as it was
    try:
        result = merge_lists(base or b"", now, edited)
    except (ValueError, UnicodeError):  # not text: keep it as it was saved
        return None, RESCUE
    if result.clean and result.data is not None:
        return result.data, MERGED
    return None, RESCUE


def _carry_one(path: Path, rel: str, base: bytes | None, edited: bytes) -> str:
    """Merge one file's edit back into it through the one list edit (`edit_file`: what is on
    disk, read settled, written only over the bytes read, so a person saving meanwhile is merged
    with, never written over); what was done."""
    if not path.exists():  # the abort removed it: nobody's bytes to keep but the edit's
        new, done = _merged_edit(base, edited, b"")
        if new is not None:
            atomic_write_bytes(path, new)
        return done
    try:
        return edit_file(path, rel, lambda now: _merged_edit(base, edited, now))
    except PapershelfError as exc:  # not writable, or it kept changing: the edit is kept aside
        log.warning("sync: %s", exc.message)
        return RESCUE


def _rescue(rel: str, data: bytes) -> str:
    folder = data_dir() / "rescued"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    kept = folder / f"{stamp}-{Path(rel).name}"
    kept.write_bytes(data)
    return str(kept)


def clear_leftovers(repo: Any, root: Path, stale_lock_seconds: float) -> str | None:
    """What a crashed git or papershelf left behind, cleared before a cycle (its holder holds
    the cycle lock): a stale index.lock, stale next-index-<pid>.lock files, papershelf's own
    interrupted rebase. The notice saying what was done, or None; Busy when it must wait."""
    said = [
        stalelock.clear_stale_lock(repo, stale_lock_seconds),
        stalelock.clear_stale_next_index(repo),
        recover_own_rebase(repo, root),
    ]
    return "; ".join(s for s in said if s) or None
