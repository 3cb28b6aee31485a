"""Commits replayed by a rebase: what the status and the messages say about them afterwards."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

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
from papershelf.sync.gitsync.status import CommitRecord

QUIET = QUIET_SECONDS


_start = partial(start_daemon, pull_interval_seconds=3600)  # only the pushes share: one rebase


def _add_at_once(*writes: tuple[Path, str, str]) -> None:
    writers = [threading.Thread(target=add_entry, args=w) for w in writes]
    for t in writers:
        t.start()
    for t in writers:
        t.join()


def _text(path: Path) -> str:
    """A file's text; "" while git is rewriting it (it unlinks, then writes)."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def _names_a_commit_of_its_branch(root: Path, last: Mapping[str, Any] | None) -> bool:
    """Whether the recorded last commit is a commit of the clone's branch, with its subject."""
    if not last:
        return False
    shas = git(root, "rev-list", "HEAD").split()
    if last["sha"] not in shas:
        return False
    subject = git(root, "log", "-1", "--format=%s", last["sha"]).strip()
    return last["message"].splitlines()[0] == subject


def _last_commit(root: Path) -> CommitRecord | None:
    """The last commit the daemon of the workspace at `root` recorded."""
    return load_status(workspace(root))["last_commit"]


def test_after_a_rebase_the_last_commit_is_the_replayed_one(tmp_path, remote, daemons) -> None:
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    da, db = _start(a, daemons), _start(b, daemons)
    wait_until(lambda: da.status()["last_pull"] and db.status()["last_pull"], what="first pulls")
    _add_at_once(
        (a / LIST_NAME, "- [Gamma", entry("Iota", "2410.00010")),
        (b / LIST_NAME, "- [Gamma", entry("Kappa", "2411.00011")),
    )

    def both_pushed() -> bool:
        text = remote_file(remote)
        return "[Iota]" in text and "[Kappa]" in text

    wait_until(both_pushed, what="both additions on the remote")
    main = git(remote, "rev-parse", "main").strip()

    def replayed_and_settled() -> Path | None:
        # The one that pushed second had its commit replayed onto the other's by a rebase.
        for root, daemon in ((a, da), (b, db)):
            status = daemon.status()
            if git(root, "rev-parse", "HEAD").strip() == main and status["ahead"] == 0:
                return root
        return None

    wait_until(replayed_and_settled, what="the rebased clone to settle")
    for root, daemon, title in ((a, da, "Iota"), (b, db, "Kappa")):
        last = daemon.status()["last_commit"]
        assert title in last["message"]
        assert _names_a_commit_of_its_branch(root, last), (root.name, last)
        shown = wait_until(partial(_last_commit, root), what="the persisted status")
        assert _names_a_commit_of_its_branch(root, shown), (root.name, shown)


EVAL = "# Eval\n\n## Benchmarks\n\n- [Eval Seed](https://arxiv.org/abs/2301.00001), Jan. 1 2023.\n"


def test_a_replayed_commit_that_now_adds_less_says_what_it_adds(tmp_path, daemons) -> None:
    # Both curators add Same Paper; b also adds Other Paper to eval.md in the same commit.
    remote = make_remote(tmp_path, {LIST_NAME: LIST, "eval.md": EVAL})
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    db = _start(b, daemons, quiet_seconds=3600)  # b's commits are made by run_once below
    wait_until(lambda: db.status()["last_pull"], what="the first pull")
    same = entry("Same Paper", "2406.00001")
    add_entry(a / LIST_NAME, "- [Gamma", same)
    assert SyncDaemon(workspace(a)).run_once().pushed
    by_hand = entry("By Hand", "2406.00003")
    add_entry(b / "eval.md", "- [Eval", by_hand)
    git(b, "commit", "-q", "-am", "A paper of my own")  # a curator's own message is kept
    add_entry(b / LIST_NAME, "- [Gamma", same)
    add_entry(b / "eval.md", "- [Eval", entry("Other Paper", "2406.00002"))
    assert db.run_once().pushed
    assert git(remote, "log", "-3", "--format=%s", "main").splitlines() == [
        'Add "Other Paper" to eval.md › Benchmarks',
        "A paper of my own",
        'Add "Same Paper" to training.md › Optimization',
    ]
    assert remote_file(remote).count("[Same Paper]") == 1
    last = db.status()["last_commit"]
    assert last["message"] == 'Add "Other Paper" to eval.md › Benchmarks'
    assert (
        last["sha"]
        == git(b, "rev-parse", "HEAD").strip()
        == git(remote, "rev-parse", "main").strip()
    )
    assert git(b, "status", "--porcelain").strip() == ""


def test_a_replayed_commit_the_remote_already_had_is_dropped_and_the_status_says_so(
    tmp_path, remote, daemons
) -> None:
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    db = _start(b, daemons)
    wait_until(lambda: db.status()["last_pull"], what="the first pull")
    same = entry("Same Paper", "2406.00001")
    add_entry(a / LIST_NAME, "- [Gamma", same)
    git(a, "commit", "-q", "-am", "Same paper, by hand")  # not b's very commit in the same second
    git(a, "push", "-q")
    theirs = git(remote, "rev-parse", "main").strip()
    add_entry(b / LIST_NAME, "- [Gamma", same)
    status = wait_until(
        lambda: (s := db.status())["notice"] and s,
        what="the notice of the dropped commit",
    )
    assert status["notice"] == (
        'the rebase dropped the commit "Add "Same Paper" to training.md › Optimization": '
        "the remote already had its change"
    )
    assert status["last_commit"] is None and status["ahead"] == 0
    assert git(b, "rev-parse", "HEAD").strip() == theirs == git(remote, "rev-parse", "main").strip()
    wait_until(
        lambda: load_status(workspace(b))["notice"] == status["notice"],
        what="the persisted status to say so",
    )


def test_a_force_push_removing_entries_is_undone_by_a_running_clone_a_commit_is_not(
    tmp_path, remote, daemons
) -> None:
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    unwanted = entry("Unwanted Paper", "2406.00001")
    add_entry(a / LIST_NAME, "- [Gamma", unwanted)
    assert SyncDaemon(workspace(a)).run_once().pushed
    db = _start(b, daemons, pull_interval_seconds=0.5)
    wait_until(lambda: "Unwanted Paper" in _text(b / LIST_NAME), what="b to pull it")
    # The maintainer rewrites history without the entry and force-pushes.
    git(a, "reset", "-q", "--hard", "HEAD~1")
    add_entry(a / LIST_NAME, "- [Delta", entry("Kept Paper", "2406.00002"))
    git(a, "commit", "-q", "-am", "History without the unwanted paper")
    git(a, "push", "-q", "--force", "origin", "main")
    assert "Unwanted Paper" not in remote_file(remote)
    # b's daemon replays its commits (the entry among them) onto the new history: it is back.
    wait_until(
        lambda: "Unwanted Paper" in remote_file(remote) and "Kept Paper" in remote_file(remote),
        what="the running clone to push the entry again",
    )
    assert db.status()["conflict"] is None
    # A commit that deletes the entry is a change like any other: every clone takes it.
    git(a, "pull", "-q", "--rebase")
    text = (a / LIST_NAME).read_text(encoding="utf-8")
    (a / LIST_NAME).write_text(text.replace(unwanted + "\n", ""), encoding="utf-8")
    assert SyncDaemon(workspace(a)).run_once().pushed
    assert messages(a)[0] == 'Remove "Unwanted Paper" from training.md › Optimization'
    wait_until(
        lambda: "Kept Paper" in (t := _text(b / LIST_NAME)) and "Unwanted Paper" not in t,
        what="b to take the deletion",
    )
    wait_until(lambda: db.status()["ahead"] == 0, what="b to settle")
    assert "Unwanted Paper" not in remote_file(remote) and "Kept Paper" in remote_file(remote)
    assert git(b, "status", "--porcelain").strip() == ""
