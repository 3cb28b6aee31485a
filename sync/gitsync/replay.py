"""Local commits replayed by a rebase: which new commit each one became (or none, if dropped).

A rebase gives every replayed commit a new sha and keeps its author, author date and message;
git drops a commit whose change the other side already has. `local_commits` notes the commits
before the rebase, `replayed` pairs them with the commits after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Local:
    """A local commit, and what a rebase keeps of it (author, author date, message)."""

    sha: str
    key: tuple


def _key(commit: Any) -> tuple:
    return (commit.author.name, commit.author.email, commit.authored_date, commit.message)


def local_commits(repo: Any, since: str) -> list[Local]:
    """The commits of HEAD that `since` does not have, oldest first."""
    commits = list(repo.iter_commits(f"{since}..HEAD", reverse=True))
    return [Local(c.hexsha, _key(c)) for c in commits]


def replayed(repo: Any, before: list[Local], onto: str) -> dict[str, str | None]:
    """Old sha -> the sha it has after a rebase onto `onto` (None: git dropped it as empty)."""
    after: dict[tuple, list[str]] = {}
    for commit in repo.iter_commits(f"{onto}..HEAD", reverse=True):
        after.setdefault(_key(commit), []).append(commit.hexsha)
    out: dict[str, str | None] = {}
    for old in before:
        same = after.get(old.key)
        out[old.sha] = same.pop(0) if same else None
    return out


def _commit_tree(repo: Any, commit: Any, parent: str, message: str) -> str:
    """A copy of `commit` on `parent` with `message`: same tree, author, committer and dates."""
    raw = repo.git.show(
        "-s", "--date=raw", "--format=%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd", commit.hexsha
    )
    an, ae, ad, cn, ce, cd = raw.split("\0")
    env = {
        "GIT_AUTHOR_NAME": an,
        "GIT_AUTHOR_EMAIL": ae,
        "GIT_AUTHOR_DATE": ad,
        "GIT_COMMITTER_NAME": cn,
        "GIT_COMMITTER_EMAIL": ce,
        "GIT_COMMITTER_DATE": cd,
    }
    with repo.git.custom_environment(**env):
        return repo.git.commit_tree(commit.tree.hexsha, "-p", parent, "-m", message).strip()


def reword(
    repo: Any,
    onto: str,
    rewritten: dict[str, str | None],
    message_of: Callable[[Any], str | None],
) -> int:
    """Give each replayed commit whose change is no longer the one its message was built from
    the message of the change it now makes; how many were reworded.

    `message_of(commit)` builds the message papershelf gives the commit's change (None: not a
    change papershelf commits). A commit is reworded only when its message is exactly the one
    built from its original change (a curator's own message is kept) and the replayed change
    builds another. Only the local commits just replayed are rewritten, with the same trees:
    the working tree and the index do not change, and HEAD moves only if nobody moved it.
    """
    commits = list(repo.iter_commits(f"{onto}..HEAD", reverse=True))
    if not commits or any(len(c.parents) != 1 for c in commits):
        return 0
    old_of = {new: old for old, new in rewritten.items() if new}
    parent = commits[0].parents[0].hexsha
    renamed: dict[str, str] = {}
    count = 0
    for commit in commits:
        message = commit.message
        old = old_of.get(commit.hexsha)
        if old is not None:
            was = message_of(repo.commit(old))
            if was is not None and was == commit.message.rstrip("\n"):
                now = message_of(commit)
                if now is not None and now != was:
                    message, count = now, count + 1
        if count:
            renamed[commit.hexsha] = _commit_tree(repo, commit, parent, message)
        else:
            renamed[commit.hexsha] = commit.hexsha
        parent = renamed[commit.hexsha]
    if not count:
        return 0
    head = commits[-1].hexsha
    repo.git.update_ref("-m", "papershelf: messages of replayed commits", "HEAD", parent, head)
    for old, new in rewritten.items():
        if new:
            rewritten[old] = renamed.get(new, new)
    return count
