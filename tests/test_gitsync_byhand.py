"""What curators do by hand beside a running daemon: a rebase or merge left unfinished, a list
renamed or deleted, a huge list regenerated."""

from __future__ import annotations

import logging
import os
import subprocess
from functools import partial
from pathlib import Path

import pytest
from gitsync_support import (
    LIST,
    LIST_NAME,
    QUIET_SECONDS,
    add_entry,
    clone,
    entry,
    git,
    make_remote,
    messages,
    remote_file,
    start_daemon,
    workspace,
)
from polling import wait_until

from papershelf.sync.gitsync.daemon import SyncDaemon, load_status

QUIET = QUIET_SECONDS
EVAL = "# Eval\n\n- [Eval Seed](https://arxiv.org/abs/2301.00001), Jan. 1 2023.\n"


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return make_remote(tmp_path, {LIST_NAME: LIST, "eval.md": EVAL})


_start = partial(start_daemon, pull_interval_seconds=3600)


def _git_may_fail(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_EDITOR": "true"}
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, env=env
    )


def _error(daemon: SyncDaemon) -> str:
    return daemon.status()["error"] or ""


def _waits(caplog) -> int:
    """How many cycles the daemon ended waiting (each logs its error)."""
    return sum("in progress (started by hand?)" in r.getMessage() for r in caplog.records)


def _conflicting_commits(tmp_path: Path, remote: Path) -> Path:
    """A clone with a local commit editing Beta, behind a remote that edited Beta otherwise."""
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    path_a, path_b = a / LIST_NAME, b / LIST_NAME
    path_a.write_text(path_a.read_text().replace("[Beta Paper", "[Beta One"), encoding="utf-8")
    git(a, "commit", "-q", "-am", "Beta one way")
    git(a, "push", "-q")
    path_b.write_text(path_b.read_text().replace("[Beta Paper", "[Beta Two"), encoding="utf-8")
    git(b, "commit", "-q", "-am", "Beta another way")
    git(b, "fetch", "-q")
    return b


def test_a_conflicted_rebase_left_by_hand_is_left_alone_and_sync_resumes_after_it(
    tmp_path, remote, daemons, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="papershelf.sync.gitsync.daemon")
    b = _conflicting_commits(tmp_path, remote)
    started = _git_may_fail(b, "rebase", "origin/main")
    assert started.returncode != 0 and (b / ".git" / "rebase-merge").exists()
    daemon = _start(b, daemons, pull_interval_seconds=0.3)  # it looks again and again
    wait_until(lambda: "a rebase is in progress" in _error(daemon), what="the daemon to wait")
    head = git(b, "rev-parse", "HEAD")
    seen = _waits(caplog)
    wait_until(lambda: _waits(caplog) >= seen + 3, what="the daemon to look again")
    error = _error(daemon)
    assert error == (
        "a rebase is in progress (started by hand?); papershelf commits and shares nothing "
        "until it is finished (git rebase --continue) or undone (git rebase --abort)"
    )
    assert "\n" not in error
    # Neither committed into, nor continued, nor aborted: the rebase is as the curator left it.
    assert git(b, "rev-parse", "HEAD") == head and (b / ".git" / "rebase-merge").exists()
    assert "UU training.md" in git(b, "status", "--porcelain")
    shown = load_status(workspace(b))  # what `papershelf status` shows, from another process
    assert shown["error"] == error and shown["pending"] == [LIST_NAME]
    # The curator finishes the rebase; the daemon pushes it by itself.
    resolved = remote_file(remote).replace("[Beta One", "[Beta One and Two")
    (b / LIST_NAME).write_text(resolved, encoding="utf-8")
    git(b, "add", LIST_NAME)
    done = _git_may_fail(b, "rebase", "--continue")
    assert done.returncode == 0, done.stdout + git(b, "status")
    wait_until(
        lambda: "[Beta One and Two" in remote_file(remote), what="the daemon to resume and push"
    )
    wait_until(lambda: daemon.status()["error"] is None, what="the error to clear")
    assert messages(b)[:2] == ["Beta another way", "Beta one way"]
    assert git(b, "status", "--porcelain").strip() == ""


@pytest.mark.parametrize("finish", ["commit", "abort"])
def test_a_merge_left_unfinished_by_hand_is_left_alone_and_sync_resumes_after_it(
    tmp_path, remote, daemons, caplog, finish
) -> None:
    caplog.set_level(logging.WARNING, logger="papershelf.sync.gitsync.daemon")
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    add_entry(a / LIST_NAME, "- [Delta", entry("Theirs Paper", "2406.00002"))
    git(a, "commit", "-q", "-am", "Theirs")
    git(a, "push", "-q")
    git(b, "fetch", "-q")
    merging = _git_may_fail(b, "merge", "--no-ff", "--no-commit", "origin/main")
    assert merging.returncode == 0 and (b / ".git" / "MERGE_HEAD").exists()
    daemon = _start(b, daemons)
    wait_until(lambda: "a merge is in progress" in _error(daemon), what="the daemon to wait")
    add_entry(b / "eval.md", "- [Eval", entry("Meanwhile Paper", "2406.00001"))
    seen = _waits(caplog)
    wait_until(lambda: _waits(caplog) >= seen + 2, what="the daemon to look again")
    assert _error(daemon) == (
        "a merge is in progress (started by hand?); papershelf commits and shares nothing "
        "until it is finished (git commit) or undone (git merge --abort)"
    )
    assert (b / ".git" / "MERGE_HEAD").exists() and messages(b)[0] == "Start the lists"
    if finish == "commit":
        git(b, "commit", "-q", "--no-edit")  # the merge; the eval.md edit stays unstaged
    else:
        aborted = _git_may_fail(b, "merge", "--abort")  # keeps the edit it did not merge
        assert aborted.returncode == 0, aborted.stderr
    wait_until(
        lambda: "Meanwhile Paper" in remote_file(remote, "eval.md"),
        what="the daemon to resume and push",
    )
    assert "Theirs Paper" in remote_file(remote)
    assert messages(b)[0] == 'Add "Meanwhile Paper" to eval.md'
    wait_until(lambda: daemon.status()["error"] is None, what="the error to clear")
    assert git(b, "status", "--porcelain").strip() == ""


def _files_on_remote(remote: Path) -> list[str]:
    return git(remote, "ls-tree", "--name-only", "main").split()


@pytest.mark.parametrize("how", ["git mv", "mv"])
def test_a_renamed_list_is_committed_as_a_rename_and_pushed(tmp_path, remote, daemons, how) -> None:
    work = clone(remote, tmp_path / "work")
    daemon = _start(work, daemons)
    wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
    if how == "git mv":
        git(work, "mv", LIST_NAME, "optimizers.md")
    else:
        os.rename(work / LIST_NAME, work / "optimizers.md")
    wait_until(lambda: "optimizers.md" in _files_on_remote(remote), what="the rename pushed")
    assert LIST_NAME not in _files_on_remote(remote)
    assert remote_file(remote, "optimizers.md") == LIST
    assert messages(work)[0] == "Rename training.md to optimizers.md"
    wait_until(lambda: (daemon.status()["last_push"] or {}).get("ok"), what="the status")
    assert git(work, "status", "--porcelain").strip() == ""


def test_a_list_renamed_and_edited_says_both(tmp_path, remote, daemons) -> None:
    work = clone(remote, tmp_path / "work")
    daemon = _start(work, daemons)
    wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
    text = LIST.replace("- [Delta", entry("Moved Along", "2406.00001") + "\n- [Delta")
    (work / "optimizers.md").write_text(text, encoding="utf-8")
    (work / LIST_NAME).unlink()
    wait_until(lambda: "optimizers.md" in _files_on_remote(remote), what="the rename pushed")
    assert messages(work)[0] == (
        'Rename training.md to optimizers.md; Add "Moved Along" to optimizers.md › Alignment'
    )


@pytest.mark.parametrize("how", ["git rm", "rm"])
def test_a_deleted_list_is_committed_as_a_deletion_and_pushed(
    tmp_path, remote, daemons, how
) -> None:
    work = clone(remote, tmp_path / "work")
    daemon = _start(work, daemons)
    wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
    (work / "notes.txt").write_text("not a list\n", encoding="utf-8")
    git(work, "add", "notes.txt")  # staged by the curator: not papershelf's to commit
    if how == "git rm":
        git(work, "rm", "-q", "eval.md")
    else:
        (work / "eval.md").unlink()
    wait_until(lambda: "eval.md" not in _files_on_remote(remote), what="the deletion pushed")
    assert messages(work)[0] == "Delete eval.md"
    assert _files_on_remote(remote) == [LIST_NAME]
    assert git(work, "status", "--porcelain") == "A  notes.txt\n"


def test_a_regenerated_50000_entry_list_is_one_commit_with_a_short_message(tmp_path) -> None:
    from benchmarks.listgen import generate_list

    before = generate_list("link_date", 50_000, seed=3)
    after = generate_list("link_date", 50_000, seed=4)  # every entry replaced
    remote = make_remote(tmp_path, {"big.md": before.decode("utf-8")})
    work = clone(remote, tmp_path / "work")
    daemon = SyncDaemon(workspace(work), quiet_seconds=QUIET, pull_interval_seconds=3600)
    try:
        daemon.start()
        wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
        from papershelf.sync.atomic import atomic_write_bytes

        atomic_write_bytes(work / "big.md", after)
        wait_until(
            lambda: len(messages(remote)) == 2,
            timeout_seconds=100,
            what="the regenerated list pushed",
        )
        wait_until(lambda: daemon.status()["ahead"] == 0, timeout_seconds=60, what="settled")
    finally:
        daemon.stop()
    assert len(messages(remote)) == 2 and messages(work) == messages(remote)
    assert git(remote, "cat-file", "-s", "main:big.md").strip() == str(len(after))
    message = git(work, "log", "-1", "--format=%B")
    assert message.splitlines()[0] == "Edit big.md"
    assert len(message.splitlines()) <= 25 and len(message) <= 4000, len(message)
    assert message.rstrip().splitlines()[-1].startswith("… and ")
