"""The commit half of a sync cycle: what changed, under its write locks, committed with a message
saying what it means (`messages`); `push` shares the commits."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import filelock
import git

from ..atomic import locked_many
from ..lastgood import held_back_config
from ..workspace import CONFIG_NAME, STATE_DIRNAME
from . import gitrepo
from .gitrepo import Busy
from .messages import build_message, describe_files
from .shown import shown_path
from .staging import start_staging
from .status import CommitRecord, now_iso
from .watch import PathFilter

log = logging.getLogger(__name__)

#: Seconds to wait for a list file's write lock (the server holds it while writing).
LOCK_TIMEOUT_SECONDS = 10.0
CONFIG_REL = f"{STATE_DIRNAME}/{CONFIG_NAME}"


def prefix_of(repo: git.Repo, root: Path) -> str:
    """The workspace folder relative to the repository root ("" or "lists/")."""
    top = Path(repo.working_tree_dir or root).resolve()
    rel = root.resolve().relative_to(top).as_posix()
    return "" if rel == "." else rel + "/"


def wanted_changes(
    repo: git.Repo, root: Path, path_filter: PathFilter, strict: bool = True
) -> list[str]:
    """Repository-relative paths of changed lists and `.papershelf/` files (what sync commits).

    `strict`: an unmerged path raises Busy (nothing may be committed); else it is listed too.
    """
    prefix = prefix_of(repo, root)
    out = []
    for change in gitrepo.status(repo):
        if strict and change.code in gitrepo.UNMERGED:
            raise Busy(f"{change.path} has an unresolved conflict; waiting until it is resolved")
        rel = change.path[len(prefix) :]
        if change.path.startswith(prefix) and path_filter.committable(rel):
            out.append(change.path)
    return sorted(set(out))


def pending_changes(repo: git.Repo, root: Path, path_filter: PathFilter) -> list[str]:
    """What sync would commit, unmerged paths included (the status's `pending`), as shown to
    a person (a name that is not UTF-8, or holds a newline, escaped: `shown_path`)."""
    return [shown_path(p) for p in wanted_changes(repo, root, path_filter, strict=False)]


@contextlib.contextmanager
def holding(top: Path, paths: list[str]) -> Iterator[None]:
    """Hold the write locks of `paths` (a bounded number of lock files, however many paths)."""
    held = contextlib.ExitStack()
    try:
        held.enter_context(
            locked_many([top / rel for rel in paths], timeout_seconds=LOCK_TIMEOUT_SECONDS)
        )
    except filelock.Timeout as exc:
        rel = os.path.relpath(str(exc.lock_file), top)
        raise Busy(f"{rel} is being written; committing when it is done") from None
    with held:
        yield


def _to_stage(repo: git.Repo, top: Path, paths: list[str]) -> list[str]:
    """`paths` but those already staged as deleted (`git mv`, `git rm`): git add fails on them."""
    if all(os.path.lexists(top / p) for p in paths):
        return paths
    gone = {c.path for c in gitrepo.status(repo) if c.code[0] == "D"}
    return [p for p in paths if p not in gone]


def _blob_at(commit: git.Commit, path: str) -> bytes | None:
    """The bytes of `path` in `commit` (None when it is not there)."""
    try:
        return (commit.tree / path).data_stream.read()
    except KeyError:
        return None


def message_of(
    repo: git.Repo, root: Path, path_filter: PathFilter, template: str, commit: git.Commit
) -> str | None:
    """The message papershelf gives `commit`'s change (None: not one papershelf commits)."""
    if len(commit.parents) != 1:
        return None
    parent = commit.parents[0]
    prefix = prefix_of(repo, root)
    paths = gitrepo.changed_between(repo, parent.hexsha, commit.hexsha)
    shown = [p[len(prefix) :] for p in paths if p.startswith(prefix)]
    if not paths or len(shown) != len(paths) or not all(path_filter.wanted(p) for p in shown):
        return None
    sides = [(p[len(prefix) :], _blob_at(parent, p), _blob_at(commit, p)) for p in paths]
    return build_message(describe_files(sides, path_filter.is_list), template)


def commit_pending(
    repo: git.Repo,
    root: Path,
    path_filter: PathFilter,
    template: str,
    *,
    only: set[str] | None = None,
    lock: bool = True,
    last_committed: dict[str, bytes] | None = None,
) -> CommitRecord | None:
    """Commit the changed lists (and `.papershelf/` files) with a message saying what changed.

    `last_committed` (path -> bytes) remembers what this process committed, so the old side of
    the next change is read from memory when HEAD still holds exactly those bytes.
    """
    paths = wanted_changes(repo, root, path_filter)
    if only is not None:
        paths = [p for p in paths if p in only]
    prefix = prefix_of(repo, root)
    if held_back(repo, root, paths) is not None:
        paths.remove(prefix + CONFIG_REL)  # never share a config papershelf cannot use
    if not paths:
        return None
    top = Path(repo.working_tree_dir or root)
    with holding(top, paths) if lock else contextlib.nullcontext():
        # git stages (hashes, compresses) the files while we read them and describe the change.
        stage = _to_stage(repo, top, paths)
        staging = start_staging(repo, stage) if stage else None  # never `git add -A --`
        try:
            sides = []
            for rel in paths:
                try:
                    new = (top / rel).read_bytes()
                except FileNotFoundError:
                    new = None
                known = last_committed.get(rel) if last_committed is not None else None
                old = gitrepo.head_blob(repo, rel, known)
                if last_committed is not None:
                    if new is None:
                        last_committed.pop(rel, None)
                    else:
                        last_committed[rel] = new  # checked against HEAD's blob id on use
                sides.append((rel[len(prefix) :], old, new))
            message = build_message(describe_files(sides, path_filter.is_list), template)
        finally:
            if staging is not None:
                staging.wait()  # never leave a git add running (or its index.lock) behind
        sha = gitrepo.commit(repo, paths, message, staged=True)
    log.info("committed %s: %s", sha[:10], message.splitlines()[0])
    files = [shown_path(p) for p in paths]
    return {"sha": sha, "message": message, "time": now_iso(), "files": files}


def held_back(repo: git.Repo, root: Path, paths: list[str]) -> str | None:
    """Why the changed config.toml among `paths` is not committed (papershelf cannot use it:
    every curator who pulled it would run on their last good config), or None."""
    if prefix_of(repo, root) + CONFIG_REL not in paths:
        return None
    problem = held_back_config(root)
    if problem is None:
        return None
    return (
        f"{problem}; it is not committed until papershelf can use it (lists are committed as usual)"
    )
