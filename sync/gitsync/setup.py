"""Set a workspace's repository up for sync: git init (default workspace), merge driver, attributes."""

from __future__ import annotations

import logging
import shlex
import sys
from pathlib import Path

import git

from ..errors import WorkspaceError
from ..settings import LISTS_INCLUDE
from ..workspace import Workspace, default_workspace_dir
from . import gitrepo
from .settings import REPOSITORY

log = logging.getLogger(__name__)

DRIVER_NAME = "papershelf"
ATTRIBUTES_HEADER = "# papershelf: merge paper lists entry by entry (see docs/sync.md)"


def driver_command() -> str:
    """The `merge.papershelf.driver` command: this Python running papershelf.sync.gitsync.mergedriver."""
    return f"{shlex.quote(sys.executable)} -m papershelf.sync.gitsync.mergedriver %O %A %B %P"


def attribute_lines(workspace: Workspace, prefix: str = "") -> list[str]:
    """`.gitattributes` lines routing the list files to the driver."""
    patterns = workspace.setting(LISTS_INCLUDE.key)
    lines = []
    for pattern in patterns:
        full = f"{prefix}{pattern}" if prefix else pattern
        lines.append(f"{full.replace(' ', '[[:space:]]')} merge={DRIVER_NAME}")
    return lines


def _init_default(root: Path) -> git.Repo:
    """git init the default workspace and commit what it holds."""
    repo = git.Repo.init(root)
    log.info("initialised a git repository for the default workspace at %s", root)
    return repo


def ensure_repo_setup(workspace: Workspace) -> None:
    """Make the workspace a configured repository: driver in git config, list attributes set.

    The default workspace is `git init`ed (and its sample committed) when it has no repository;
    any other workspace must already be in one (a WorkspaceError says so). The attributes go to
    `.git/info/attributes`: every curator's papershelf sets them up on its own machine, nothing is
    committed to the shared repository, and two curators setting up at once cannot conflict.
    """
    root = workspace.root
    repository = workspace.setting(REPOSITORY.key)
    try:
        repo = gitrepo.open_repo(root, repository)
    except gitrepo.GitFailed as exc:
        if root.resolve() != default_workspace_dir().resolve():
            if isinstance(exc, gitrepo.NotOwnRepository):
                raise WorkspaceError(exc.message) from None
            raise WorkspaceError(
                f"{root} is not a git repository; run `git init` (or clone your lists repo) there"
            ) from None
        # The default workspace gets a repository of its own, even inside another (a data
        # directory under a dotfiles repo).
        _init_default(root)
        repo = gitrepo.open_repo(root)
    with repo:
        with repo.config_writer("repository") as config:
            section = f'merge "{DRIVER_NAME}"'
            config.set_value(section, "name", "papershelf list-aware merge")
            config.set_value(section, "driver", driver_command())
        top = Path(repo.working_tree_dir or root).resolve()
        prefix = root.resolve().relative_to(top).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        attributes = Path(repo.git_dir) / "info" / "attributes"
        wanted = attribute_lines(workspace, prefix)
        try:
            attributes.parent.mkdir(parents=True, exist_ok=True)
            text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
            missing = [line for line in wanted if line not in text.splitlines()]
            if missing:
                head = "" if not text or text.endswith("\n") else "\n"
                block = ([ATTRIBUTES_HEADER] if ATTRIBUTES_HEADER not in text else []) + missing
                attributes.write_text(text + head + "\n".join(block) + "\n", encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise WorkspaceError(f"{attributes}: cannot set up the merge driver ({exc})") from None
        if (
            gitrepo.rev(repo, "HEAD") is None
            and root.resolve() == default_workspace_dir().resolve()
        ):
            paths = sorted(c.path for c in gitrepo.status(repo))
            if paths:
                gitrepo.commit(repo, paths, "Start the papershelf workspace")
