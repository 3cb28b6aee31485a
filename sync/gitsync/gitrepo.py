"""The git side of sync (GitPython, real git): state checks, commit, fetch, rebase, push.

Thin wrappers that turn git's failures into one readable line (`GitFailed`, `RemoteUnreachable`,
`Busy`) and never leave a repository mid-rebase.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

import git

from ..errors import PapershelfError

log = logging.getLogger(__name__)

#: Seconds a network git command (fetch, push) may run before it is killed.
NETWORK_TIMEOUT_SECONDS = 60
_UNREACHABLE_HINTS = (
    "could not read from remote",
    "unable to access",
    "does not appear to be a git repository",
    "connection refused",
    "could not resolve host",
    "timed out",
    "network is unreachable",
    "no such file or directory",
    "repository not found",
    "connection reset",
    "killed",
)
_REJECTED_HINTS = ("[rejected]", "non-fast-forward", "fetch first", "failed to push some refs")


class GitFailed(PapershelfError):
    """A git command failed; the message is git's own last line with what we were doing."""


class RemoteUnreachable(GitFailed):
    """The remote could not be reached (network, path, auth); commits stay local and retry later."""


class PushRejected(GitFailed):
    """The remote moved between our pull and our push; pull again and retry."""


class Busy(PapershelfError):
    """The repository is in use (a live git process, a merge or rebase in progress); try later."""


def one_line(exc: BaseException) -> str:
    """One readable line for an error (the sync status's `error`)."""
    if isinstance(exc, PapershelfError):
        return exc.message
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    return str(exc)


def _last_line(exc: git.GitCommandError) -> str:
    """git's own last word (its last `fatal:` or `error:` line) from a failed command."""
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr or "")
    # GitPython wraps stderr as "\n  stderr: '<text>'": unwrap it whole, quotes included.
    text = text.strip()
    if text.startswith("stderr:"):
        text = text.removeprefix("stderr:").strip()
        if len(text) >= 2 and text[0] == text[-1] == "'":
            text = text[1:-1]
    return last_word(text, str(exc.status))


def last_word(text: str, fallback: str) -> str:
    """The last `fatal:` or `error:` line of git's stderr `text`, else its last line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if line.lower().startswith(("fatal", "error"))]
    return (useful or lines or [fallback])[-1]


def run(repo: git.Repo, doing: str, *args: str, network: bool = False, **kwargs) -> str:
    """Run `git args...`; a failure raises GitFailed (or RemoteUnreachable / PushRejected)."""
    if network:
        kwargs.setdefault("kill_after_timeout", NETWORK_TIMEOUT_SECONDS)
    try:
        return repo.git.execute(["git", *args], **kwargs)
    except git.GitCommandError as exc:
        line = _last_line(exc)
        lowered = str(exc.stderr or "").lower()
        message = f"{doing} failed: {line}"
        if network and any(h in lowered for h in _REJECTED_HINTS):
            raise PushRejected(message) from None
        if network and any(h in lowered for h in _UNREACHABLE_HINTS):
            raise RemoteUnreachable(f"remote unreachable ({doing}): {line}") from None
        raise GitFailed(message) from None


class NotOwnRepository(GitFailed):
    """The workspace is a folder inside a repository it was not told to sync (a dotfiles repo)."""


def open_repo(root: Path, repository: str = "") -> git.Repo:
    """The repository of the workspace at `root`, with an environment that never prompts.

    Only a repository whose top folder is `root`, or the one `repository` names (its top folder,
    relative to `root`: `sync.repository`): a workspace that is merely a folder inside some other
    repository (a dotfiles repo at ~) must not be committed to it and pushed to its remote.
    """
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitFailed(f"{root} is not in a git repository") from None
    top = Path(repo.working_tree_dir or repo.git_dir).resolve()
    here = root.resolve()
    named = (here / repository).resolve() if repository else here
    if top != named:
        repo.close()
        if repository:
            raise NotOwnRepository(
                f"sync.repository is {repository!r} ({named}), but the repository holding {root} "
                f"is {top}; nothing is committed until they agree"
            )
        up = os.path.relpath(top, here).replace(os.sep, "/")
        raise NotOwnRepository(
            f"{root} is a folder inside the git repository {top}, which papershelf does not "
            f'commit to or push unless told: set sync.repository = "{up}" in '
            f".papershelf/config.toml to sync that repository, or run `git init` in {root}"
        )
    repo.git.update_environment(
        GIT_TERMINAL_PROMPT="0",
        GIT_LITERAL_PATHSPECS="1",
        GIT_SSH_COMMAND=os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
        GIT_EDITOR="true",
        GIT_OPTIONAL_LOCKS="0",
    )
    return repo


def in_progress(repo: git.Repo, unmerged: bool = True) -> str | None:
    """The operation a repository is in the middle of (rebase, merge...), if any.

    With `unmerged=False` only git's state files are looked at (no process); callers then
    check `git status` codes for unmerged paths themselves (see `UNMERGED`).
    """
    gitdir = Path(repo.git_dir)
    for name, what in (
        ("rebase-merge", "a rebase"),
        ("rebase-apply", "a rebase"),
        ("MERGE_HEAD", "a merge"),
        ("CHERRY_PICK_HEAD", "a cherry-pick"),
        ("REVERT_HEAD", "a revert"),
    ):
        if (gitdir / name).exists():
            return what
    if unmerged and run(repo, "checking for unmerged paths", "ls-files", "--unmerged").strip():
        return "a conflict (unmerged paths)"
    return None


@dataclass(frozen=True)
class Change:
    """One path `git status` reports, relative to the repository root."""

    code: str  # two-letter porcelain status
    path: str
    orig: str | None = None  # the old path of a rename


def status(repo: git.Repo) -> list[Change]:
    """Changed, deleted and untracked (not ignored) paths, from `git status --porcelain -z`."""
    out = run(
        repo,
        "git status",
        "status",
        "--porcelain=v1",
        "-z",
        "--untracked-files=all",
        "--no-renames",
        strip_newline_in_stdout=False,
    )
    parts = out.split("\0")
    changes = []
    for part in parts:
        if len(part) > 3:
            changes.append(Change(part[:2], part[3:]))
    return changes


def blob_id(data: bytes, hex_length: int = 40) -> str:
    """The object id git gives a blob of `data` (SHA-1, or SHA-256 in a repository using it)."""
    digest = hashlib.sha256() if hex_length == 64 else hashlib.sha1()  # noqa: S324 (git's id)
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def head_blob(repo: git.Repo, path: str, known: bytes | None = None) -> bytes | None:
    """The bytes of `path` in HEAD (None when it is not there or there is no commit yet).

    `known`: bytes the caller believes HEAD holds (what it committed last); used when their
    blob id is the one in HEAD, which costs a hash instead of reading the blob out of git.
    """
    try:
        blob = repo.head.commit.tree / path
        if known is not None and blob_id(known, len(blob.hexsha)) == blob.hexsha:
            return known
        return blob.data_stream.read()
    except (KeyError, ValueError, TypeError):
        return None


#: A conflicted path's three versions (base, ours, theirs; None: absent on that side), by path.
Stages = dict[str, tuple[bytes | None, bytes | None, bytes | None]]

#: Porcelain status codes of unmerged paths.
UNMERGED = frozenset({"DD", "AU", "UD", "UA", "DU", "AA", "UU"})
_NO_IDENTITY_HINTS = (
    "tell me who you are",
    "unable to auto-detect",
    "empty ident",
    "auto-detection is disabled",  # user.useConfigOnly with no identity configured
)
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "papershelf",
    "GIT_AUTHOR_EMAIL": "papershelf@localhost",
    "GIT_COMMITTER_NAME": "papershelf",
    "GIT_COMMITTER_EMAIL": "papershelf@localhost",
}


def commit(repo: git.Repo, paths: list[str], message: str, *, staged: bool = False) -> str:
    """Stage `paths` (unless `staged`: see `start_staging`) and commit only them; the new sha.

    The author is whoever git config (or GIT_AUTHOR_*) says; a machine with no identity at all
    commits as "papershelf <papershelf@localhost>" rather than not at all.
    """
    if not staged:
        run(repo, "git add", "add", "-A", "--", *paths)
    args = ["commit", "--quiet", "--cleanup=verbatim", "-m", message, "--", *paths]
    try:
        run(repo, "git commit", *args)
    except GitFailed as exc:
        if not any(h in exc.message.lower() for h in _NO_IDENTITY_HINTS):
            raise
        with repo.git.custom_environment(**_FALLBACK_IDENTITY):
            run(repo, "git commit", *args)
    return repo.head.commit.hexsha


def counts(repo: git.Repo, upstream_ref: str) -> tuple[int, int]:
    """(behind, ahead): commits only the upstream has, commits only HEAD has."""
    out = run(
        repo,
        "comparing with the remote",
        "rev-list",
        "--left-right",
        "--count",
        f"{upstream_ref}...HEAD",
    )
    behind, ahead_n = out.split()
    return int(behind), int(ahead_n)


@dataclass(frozen=True)
class Upstream:
    """Where to share: a remote name and the branch on it."""

    remote: str
    branch: str

    @property
    def ref(self) -> str:
        """The remote-tracking ref (`refs/remotes/<remote>/<branch>`)."""
        return f"refs/remotes/{self.remote}/{self.branch}"

    def __str__(self) -> str:
        return f"{self.remote}/{self.branch}"


def upstream(repo: git.Repo, configured_remote: str = "") -> Upstream | None:
    """The configured remote, else the branch's upstream, else the only remote; None: local only."""
    if repo.head.is_detached:
        raise GitFailed("HEAD is detached; check out a branch to share the lists")
    branch = repo.active_branch.name
    reader = repo.config_reader()
    tracked_remote = reader.get_value(f'branch "{branch}"', "remote", default="")
    merge = str(reader.get_value(f'branch "{branch}"', "merge", default=""))
    remote_branch = merge.removeprefix("refs/heads/") or branch
    remotes = [r.name for r in repo.remotes]
    if configured_remote:
        if configured_remote not in remotes:
            raise GitFailed(
                f"sync.remote is {configured_remote!r}, but the repository has no such remote"
            )
        same = configured_remote == tracked_remote
        return Upstream(configured_remote, remote_branch if same else branch)
    if tracked_remote and tracked_remote != ".":
        return Upstream(str(tracked_remote), remote_branch)
    if len(remotes) == 1:
        return Upstream(remotes[0], branch)
    return None


def fetch(repo: git.Repo, up: Upstream) -> bool:
    """Fetch the upstream branch into its tracking ref; False when the remote has no such branch."""
    try:
        run(
            repo,
            "git fetch",
            "fetch",
            "--quiet",
            up.remote,
            f"+refs/heads/{up.branch}:{up.ref}",
            network=True,
        )
    except RemoteUnreachable:
        raise
    except GitFailed as exc:
        if "couldn't find remote ref" in exc.message.lower():
            return False
        raise
    return True


def rev(repo: git.Repo, ref: str) -> str | None:
    """The sha `ref` points at, or None."""
    try:
        return repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}")
    except git.GitCommandError:
        return None


def ref_sha(repo: git.Repo, ref: str) -> str | None:
    """The commit sha of `ref`, read from git's files by GitPython (no process); None if absent."""
    try:
        return repo.commit(ref).hexsha
    except (ValueError, git.BadName, git.BadObject, IndexError, KeyError, OSError):
        return rev(repo, ref)


def is_ancestor(repo: git.Repo, older: str, newer: str) -> bool:
    """Whether commit `older` is contained in `newer`."""
    try:
        repo.git.merge_base("--is-ancestor", older, newer)
        return True
    except git.GitCommandError:
        return False


def changed_between(repo: git.Repo, a: str, b: str) -> list[str]:
    """Paths that differ between two commits."""
    out = run(repo, "git diff", "diff", "--name-only", "-z", a, b, strip_newline_in_stdout=False)
    return [p for p in out.split("\0") if p]


def ahead(repo: git.Repo, up_ref: str | None) -> int:
    """Commits on HEAD that the upstream does not have (all of them when it has none)."""
    head = ref_sha(repo, "HEAD")
    if head is None:
        return 0
    theirs = ref_sha(repo, up_ref) if up_ref else None
    if theirs == head:
        return 0
    spec = f"{up_ref}..HEAD" if theirs else "HEAD"
    return int(run(repo, "counting commits", "rev-list", "--count", spec).strip() or 0)


def push(repo: git.Repo, up: Upstream) -> None:
    """Push HEAD to the upstream branch and update the tracking ref."""
    run(
        repo, "git push", "push", "--quiet", up.remote, f"HEAD:refs/heads/{up.branch}", network=True
    )
    head = ref_sha(repo, "HEAD")
    if head and ref_sha(repo, up.ref) != head:  # git push updates it itself for usual remotes
        with contextlib.suppress(git.GitCommandError):
            repo.git.update_ref(up.ref, head)


def _stage(repo: git.Repo, n: int, path: str) -> bytes | None:
    try:
        return repo.git.cat_file("blob", f":{n}:{path}", stdout_as_string=False)
    except git.GitCommandError:
        return None


def rebase(repo: git.Repo, onto: str, autostash: bool = False) -> Stages | None:
    """Rebase HEAD onto `onto`. On a conflict, abort back to where we were and return, by path,
    the (base, ours, theirs) bytes git could not merge; None when the rebase succeeded.
    """
    before = rev(repo, "HEAD")
    args = ["rebase", "--quiet", *(["--autostash"] if autostash else []), onto]
    try:
        run(repo, "git rebase", *args)
        return None
    except GitFailed as exc:
        failure = exc
    unmerged = run(
        repo, "listing conflicts", "ls-files", "--unmerged", "-z", strip_newline_in_stdout=False
    )
    paths = sorted({item.split("\t", 1)[1] for item in unmerged.split("\0") if "\t" in item})
    stages = {p: (_stage(repo, 1, p), _stage(repo, 2, p), _stage(repo, 3, p)) for p in paths}
    if in_progress(repo) is not None or paths:
        run(repo, "git rebase --abort", "rebase", "--abort")
    if rev(repo, "HEAD") != before or in_progress(repo) is not None:
        raise GitFailed(
            f"rebase could not be undone cleanly (HEAD was {before}); check the repository"
        )
    if not paths:
        raise failure
    return stages
