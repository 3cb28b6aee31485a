"""git's own state (HEAD, the upstream, a merge in progress) while the daemon waits on it.

While sharing is paused by a conflict, or a cycle failed (a merge in progress, say), a change
of git's state made by hand (the merge committed, `papershelf sync --once` pushing) is looked
at after a quiet period instead of at the next pull. The state a pause or a wait was decided on
is remembered, so the daemon's own commits and fetches, whose events arrive later, change
nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import PapershelfError
from . import gitrepo


def git_state(repo: Any, remote: str | None) -> tuple[str | None, str | None, str | None]:
    """(HEAD, the remote-tracking ref of `remote` such as origin/main, the operation under way)."""
    return (
        gitrepo.ref_sha(repo, "HEAD"),
        gitrepo.ref_sha(repo, f"refs/remotes/{remote}") if remote else None,
        gitrepo.in_progress(repo, unmerged=False),
    )


#: How to finish and how to undo each operation a curator may leave in progress.
_WAYS_OUT = {
    "a rebase": ("git rebase --continue", "git rebase --abort"),
    "a merge": ("git commit", "git merge --abort"),
    "a cherry-pick": ("git cherry-pick --continue", "git cherry-pick --abort"),
    "a revert": ("git revert --continue", "git revert --abort"),
}


def waiting_line(doing: str) -> str:
    """The status's one line while the repository is in the middle of `doing` ("a rebase")."""
    finish, undo = _WAYS_OUT.get(doing, ("git status", "git status"))
    return (
        f"{doing} is in progress (started by hand?); papershelf commits and shares nothing "
        f"until it is finished ({finish}) or undone ({undo})"
    )


class GitWait:
    """Events on git's state files, settled for `settle_seconds`; compared with `seen`."""

    def __init__(self, settle_seconds: float) -> None:
        self.settle_seconds = settle_seconds
        self.changed = False
        self.changed_at = 0.0
        self.seen: tuple | None = None  # the state the pause or the wait was decided on

    def note(self, now: float) -> None:
        """git's state changed at `now` (call with the daemon's condition held)."""
        self.changed, self.changed_at = True, now

    def due_at(self) -> float | None:
        """When the last change has settled, if there is one to look at."""
        return self.changed_at + self.settle_seconds if self.changed else None

    def due(self, now: float) -> bool:
        """Whether a settled change is there to look at, at `now`."""
        return self.changed and now >= self.changed_at + self.settle_seconds

    def moved(self, root: Path, remote: str | None, repository: str = "") -> bool:
        """Whether git's state differs from `seen` (unknown counts as moved)."""
        try:
            with gitrepo.open_repo(root, repository) as repo:
                return git_state(repo, remote) != self.seen
        except (PapershelfError, OSError, ValueError):
            return True
