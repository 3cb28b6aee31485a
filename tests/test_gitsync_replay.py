"""Commits replayed by a rebase: what the status and the messages say about them afterwards."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from gitsync_support import (
    LIST_NAME,
    add_entry,
    clone,
    entry,
    git,
    make_remote,
    remote_file,
    wait_for,
    workspace,
)

from sync.gitsync import SyncDaemon, load_status

QUIET = 0.3


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return make_remote(tmp_path)


@pytest.fixture
def daemons():
    started: list[SyncDaemon] = []
    yield started
    for daemon in started:
        daemon.stop()


def _start(root: Path, daemons: list, **kwargs) -> SyncDaemon:
    kwargs.setdefault("pull_interval_seconds", 3600)  # only the pushes share: one rebase
    daemon = SyncDaemon(workspace(root), quiet_seconds=QUIET, **kwargs)
    daemons.append(daemon)
    daemon.start()
    return daemon


def _add_at_once(*writes: tuple[Path, str, str]) -> None:
    writers = [threading.Thread(target=add_entry, args=w) for w in writes]
    for t in writers:
        t.start()
    for t in writers:
        t.join()


def _names_a_commit_of_its_branch(root: Path, last: dict | None) -> bool:
    """Whether the recorded last commit is a commit of the clone's branch, with its subject."""
    if not last:
        return False
    shas = git(root, "rev-list", "HEAD").split()
    if last["sha"] not in shas:
        return False
    subject = git(root, "log", "-1", "--format=%s", last["sha"]).strip()
    return last["message"].splitlines()[0] == subject


def test_after_a_rebase_the_last_commit_is_the_replayed_one(tmp_path, remote, daemons) -> None:
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    da, db = _start(a, daemons), _start(b, daemons)
    wait_for(lambda: da.status()["last_pull"] and db.status()["last_pull"], what="first pulls")
    _add_at_once(
        (a / LIST_NAME, "- [Gamma", entry("Iota", "2410.00010")),
        (b / LIST_NAME, "- [Gamma", entry("Kappa", "2411.00011")),
    )

    def both_pushed() -> bool:
        text = remote_file(remote)
        return "[Iota]" in text and "[Kappa]" in text

    wait_for(both_pushed, what="both additions on the remote")
    main = git(remote, "rev-parse", "main").strip()

    def replayed_and_settled() -> Path | None:
        # The one that pushed second had its commit replayed onto the other's by a rebase.
        for root, daemon in ((a, da), (b, db)):
            status = daemon.status()
            if git(root, "rev-parse", "HEAD").strip() == main and status["ahead"] == 0:
                return root
        return None

    wait_for(replayed_and_settled, what="the rebased clone to settle")
    for root, daemon, title in ((a, da, "Iota"), (b, db, "Kappa")):
        last = daemon.status()["last_commit"]
        assert title in last["message"]
        assert _names_a_commit_of_its_branch(root, last), (root.name, last)
        shown = wait_for(
            lambda r=root: load_status(workspace(r))["last_commit"], what="the persisted status"
        )
        assert _names_a_commit_of_its_branch(root, shown), (root.name, shown)
