"""Which file events matter (pure filter) and the watchdog handler that reports them."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from watchdog.events import FileSystemEvent, FileSystemEventHandler

from ..workspace import STATE_DIRNAME, Workspace
from . import gitrepo

log = logging.getLogger(__name__)

#: Editor droppings: vim swap/backup (`.x.swp`, `x~`, `4913`), emacs (`.#x`, `#x#`), temp files.
_EDITOR_JUNK = re.compile(
    r"(?:\.sw[a-p]|\.swpx|~|\.tmp|\.bak|\.orig|\.part)\Z|\A(?:\.#|#.*#\Z)|\A4913\Z|\A\.~lock\."
)


class PathFilter:
    """Decides which workspace-relative paths are ours to commit: lists and `.papershelf/` files."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.root = workspace.root.resolve()
        self.is_list = workspace.list_rule().is_list  # the workspace's own rule

    def wanted(self, rel: str) -> bool:
        """Whether a change to `rel` should be committed (lists and shared state, no editor junk)."""
        parts = PurePosixPath(rel).parts
        if not parts or ".git" in parts or _EDITOR_JUNK.search(parts[-1]):
            return False
        if parts[0] == STATE_DIRNAME:
            return len(parts) > 1
        return self.is_list(rel)

    def committable(self, rel: str) -> bool:
        """Whether sync commits the change of `rel`: `wanted`, and not a symlink to a file
        outside the workspace (which would publish where it points, and is no list here)."""
        return self.wanted(rel) and not self.workspace.links_outside(rel)

    def relative(self, path: str | bytes) -> str | None:
        """`path` (absolute, from an event) relative to the workspace, or None when outside."""
        if isinstance(path, bytes):
            path = path.decode("utf-8", "surrogateescape")
        try:
            return Path(path).relative_to(self.root).as_posix()
        except ValueError:
            return None


class IgnoredPaths:
    """Whether git ignores a workspace path (`git check-ignore`), remembered per path."""

    def __init__(self, root: Path, repository: str = "") -> None:
        self.root = root
        self.repository = repository
        self._known: dict[str, bool] = {}

    def ignored(self, rel: str) -> bool:
        """Whether git ignores `rel` (anything but a clear yes counts as not ignored)."""
        if rel not in self._known:
            try:
                repo = gitrepo.open_repo(self.root, self.repository)
            except gitrepo.GitFailed:
                return False
            with repo:
                try:
                    repo.git.check_ignore("-q", "--", str(self.root / rel))
                    self._known[rel] = True
                except Exception:  # exit 1: not ignored; anything else: treat as not ignored
                    self._known[rel] = False
        return self._known[rel]


#: git's own files that say where the branch is and what is in progress (paths under `.git/`):
#: HEAD, a branch or remote-tracking ref, packed refs, a merge, rebase, cherry-pick or revert.
_GIT_STATE = re.compile(
    r"(?:HEAD|MERGE_HEAD|CHERRY_PICK_HEAD|REVERT_HEAD|packed-refs|rebase-merge|rebase-apply"
    r"|refs/(?:heads|remotes)/.+)\Z"
)


def is_git_state(rel: str) -> bool:
    """Whether workspace-relative `rel` is one of git's state files (`.git/HEAD`, a ref...)."""
    head, sep, inner = rel.partition("/")
    return (
        head == ".git"
        and bool(sep)
        and not inner.endswith(".lock")
        and bool(_GIT_STATE.match(inner))
    )


class ChangeHandler(FileSystemEventHandler):
    """Calls `on_change(rel_path)` for each event on a path the filter wants (moves: both ends),
    and `on_git(rel_path)` for each on git's state files (a commit, a merge begun or ended)."""

    def __init__(
        self,
        path_filter: PathFilter,
        on_change: Callable[[str], None],
        on_git: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__()
        self.filter = path_filter
        self.on_change = on_change
        self.on_git = on_git

    def on_any_event(self, event: FileSystemEvent) -> None:
        """Report the paths of a created, modified, deleted or moved file that matter."""
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path]
        if getattr(event, "dest_path", None):
            paths.append(event.dest_path)
        for raw in paths:
            rel = self.filter.relative(raw)
            if rel is None:
                continue
            if self.on_git is not None and is_git_state(rel):
                self.on_git(rel)
                continue
            if event.is_directory:
                # A folder moved or deleted may carry lists with it; git status sorts it out.
                if event.event_type in ("moved", "deleted") and ".git" not in rel.split("/"):
                    self.on_change(rel)
                continue
            if self.filter.wanted(rel):
                self.on_change(rel)
