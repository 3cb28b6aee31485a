"""Local commits replayed by a rebase: which new commit each one became (or none, if dropped).

A rebase gives every replayed commit a new sha and keeps its author, author date and message;
git drops a commit whose change the other side already has. `local_commits` notes the commits
before the rebase, `replayed` pairs them with the commits after it.
"""

from __future__ import annotations

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
