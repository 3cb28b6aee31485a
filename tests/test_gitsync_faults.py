"""Sync under faults: unreachable remote, conflicts it cannot resolve, stale locks, disk errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gitsync_support import (
    LIST_NAME,
    QUIET_SECONDS,
    add_entry,
    clone,
    entry,
    git,
    make_remote,
    messages,
    remote_file,
    workspace,
)
from polling import wait_until

from papershelf.sync.gitsync.daemon import SyncDaemon, load_status
from papershelf.sync.gitsync.setup import ensure_repo_setup
from papershelf.sync.workspace import open_workspace

QUIET = QUIET_SECONDS
FAST_RETRY = "[sync]\nretry_seconds = 0.2\nretry_max_seconds = 0.5\n"


def test_unreachable_remote_keeps_commits_reports_and_pushes_later(tmp_path, remote) -> None:
    work = clone(remote, tmp_path / "work")
    git(work, "remote", "set-url", "origin", str(tmp_path / "gone.git"))
    ws = workspace(work, FAST_RETRY)
    git(work, "add", ".papershelf")
    git(work, "commit", "-q", "-m", "Retry fast")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Offline One", "2406.00001"))
    daemon = SyncDaemon(ws, quiet_seconds=QUIET)
    result = daemon.run_once()
    assert result.ok is False and result.committed
    assert (result.error or "").startswith("remote unreachable")
    assert "\n" not in (result.error or "")
    assert messages(work)[0] == 'Add "Offline One" to training.md › Optimization'
    status = daemon.status()
    assert status["last_push"]["ok"] is False and status["ahead"] == 2
    assert "Offline One" not in remote_file(remote)
    # The running daemon keeps committing locally and retries with backoff until it works.
    daemon.start()
    try:
        add_entry(work / LIST_NAME, "- [Gamma", entry("Offline Two", "2406.00002"))
        wait_until(lambda: daemon.status()["ahead"] == 3, what="the second local commit")
        assert "unreachable" in (daemon.status()["error"] or "")
        git(work, "remote", "set-url", "origin", str(remote))
        wait_until(lambda: "Offline Two" in remote_file(remote), what="the push after recovery")
        wait_until(lambda: daemon.status()["error"] is None, what="the error to clear")
    finally:
        daemon.stop()
    assert "Offline One" in remote_file(remote)
    assert daemon.status()["last_push"]["ok"] is True


def test_a_fetch_that_failed_while_offline_is_not_left_as_a_failed_push(tmp_path, remote) -> None:
    # A clone with nothing to push: only its fetches fail while the remote is away. Once the
    # remote answers again, the status said "last push failed (remote unreachable)" for ever.
    work = clone(remote, tmp_path / "work")
    ws = workspace(work, FAST_RETRY)
    daemon = SyncDaemon(ws, quiet_seconds=QUIET, pull_interval_seconds=0.3)
    daemon.start()
    try:
        wait_until(lambda: (daemon.status()["last_push"] or {}).get("ok"), what="the first push")
        pushed = daemon.status()["last_push"]
        away = remote.with_name("away.git")
        remote.rename(away)
        wait_until(lambda: daemon.status()["error"], what="the remote to be missed")
        assert daemon.status()["last_push"]["ok"] is False
        away.rename(remote)
        status = wait_until(
            lambda: (s := daemon.status())["error"] is None and s["last_pull"]["ok"] and s,
            what="the remote to answer again",
        )
        assert status["ahead"] == 0 and status["last_push"] == pushed
    finally:
        daemon.stop()


def test_an_entry_edited_two_ways_pauses_sharing_and_loses_nothing(tmp_path, remote) -> None:
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    path_a, path_b = a / LIST_NAME, b / LIST_NAME
    path_a.write_text(path_a.read_text().replace("[Beta Paper", "[Beta One"), encoding="utf-8")
    assert SyncDaemon(workspace(a)).run_once().pushed
    path_b.write_text(path_b.read_text().replace("[Beta Paper", "[Beta Two"), encoding="utf-8")
    db = SyncDaemon(workspace(b))
    result = db.run_once()
    assert result.ok is False and result.pushed is False
    conflict = result.conflict
    assert conflict is not None
    assert conflict["files"] == [LIST_NAME]
    assert conflict["details"] == [
        "training.md: Optimization: - [Beta Paper on Schedules](https://arxiv.org/abs/2402.00002), Feb. 2 2024."
    ]
    # Rebase aborted: clean tree, no rebase in progress, the local commit and edit kept.
    assert git(b, "status", "--porcelain").strip() == ""
    assert not (b / ".git" / "rebase-merge").exists() and not (b / ".git" / "rebase-apply").exists()
    assert messages(b)[0] == "Edit training.md" and "[Beta Two" in path_b.read_text()
    assert "<<<<<<<" not in path_b.read_text()
    assert "[Beta One" in remote_file(remote) and "[Beta Two" not in remote_file(remote)
    status = load_status(workspace(b))
    assert status["paused"] is True and status["conflict"]["files"] == [LIST_NAME]
    # Paused: a later cycle with nothing new on either side does not try again or push.
    again = SyncDaemon(workspace(b))
    assert again.status()["paused"] is True
    # The curator resolves by hand with a merge; during it papershelf commits nothing.
    done = subprocess.run(["git", "merge", "origin/main"], cwd=b, capture_output=True, text=True)
    assert done.returncode != 0
    during = again.run_once()
    assert "a merge is in progress" in (during.error or "") and during.committed is None
    path_b.write_text(
        path_b.read_text().replace("[Beta Two", "[Beta One and Two"), encoding="utf-8"
    )
    git(b, "add", LIST_NAME)
    git(b, "commit", "-q", "--no-edit")
    after = again.run_once()
    assert after.ok is True and after.pushed is True and after.conflict is None
    assert "[Beta One and Two" in remote_file(remote)
    assert again.status()["paused"] is False


def test_a_stale_index_lock_is_removed_and_a_live_one_is_respected(tmp_path, remote) -> None:
    work = clone(remote, tmp_path / "work")
    lock = work / ".git" / "index.lock"
    add_entry(work / LIST_NAME, "- [Gamma", entry("Locked Out", "2406.00001"))
    # A live git process in the repository: the lock may be its own, so wait.
    holder = subprocess.Popen(
        ["git", "hash-object", "--stdin"], cwd=work, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        lock.write_bytes(b"")
        old = time.time() - 120
        os.utime(lock, (old, old))
        daemon = SyncDaemon(workspace(work))
        waiting = daemon.run_once()
        assert waiting.committed is None and "git is running" in (waiting.error or "")
        assert lock.exists()
    finally:
        holder.communicate(b"x", timeout=30)
    result = daemon.run_once()
    assert result.committed and result.ok, result
    assert not lock.exists()
    assert "removed a stale index.lock" in daemon.status()["notice"]
    # A fresh lock with no process is given time before it counts as stale.
    lock.write_bytes(b"")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Fresh Lock", "2406.00002"))
    assert "waiting to see" in (daemon.run_once().error or "")
    lock.unlink()


def test_never_commits_mid_rebase(tmp_path, remote) -> None:
    work = clone(remote, tmp_path / "work")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Mid Rebase", "2406.00001"))
    (work / ".git" / "rebase-merge").mkdir()
    daemon = SyncDaemon(workspace(work))
    result = daemon.run_once()
    assert result.committed is None and "a rebase is in progress" in (result.error or "")
    (work / ".git" / "rebase-merge").rmdir()
    assert daemon.run_once().committed


def test_never_commits_with_unmerged_paths(tmp_path, remote) -> None:
    # A conflicted `git stash pop` leaves unmerged paths and no MERGE_HEAD.
    work = clone(remote, tmp_path / "work")
    path = work / LIST_NAME
    path.write_text(path.read_text().replace("[Alpha Paper", "[Alpha Stashed"), encoding="utf-8")
    git(work, "stash", "-q")
    path.write_text(path.read_text().replace("[Alpha Paper", "[Alpha Committed"), encoding="utf-8")
    git(work, "commit", "-q", "-am", "Alpha edited")
    popped = subprocess.run(["git", "stash", "pop"], cwd=work, capture_output=True, text=True)
    assert popped.returncode != 0 and "UU training.md" in git(work, "status", "--porcelain")
    assert not (work / ".git" / "MERGE_HEAD").exists()
    daemon = SyncDaemon(workspace(work))
    result = daemon.run_once()
    assert result.committed is None and "unresolved conflict" in (result.error or "")
    assert messages(work)[0] == "Alpha edited" and "UU training.md" in git(
        work, "status", "--porcelain"
    )
    git(work, "checkout", "-q", "HEAD", "--", LIST_NAME)  # resolved: take the committed side
    git(work, "stash", "drop", "-q")
    assert daemon.run_once().pushed and "Alpha Committed" in remote_file(remote)


def test_a_disk_error_is_reported_and_the_loop_lives_on(tmp_path, remote) -> None:
    work = clone(remote, tmp_path / "work")
    path = work / LIST_NAME
    daemon = SyncDaemon(workspace(work), quiet_seconds=QUIET)
    daemon.start()
    try:
        wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
        text = path.read_text() + entry("Disk Full", "2406.00001") + "\n"
        done = subprocess.run(
            ["git", "hash-object", "--stdin"], cwd=work, input=text, capture_output=True, text=True
        )
        sha = done.stdout.strip()
        folder = work / ".git" / "objects" / sha[:2]
        aside = folder.with_name(sha[:2] + ".aside")
        if folder.exists():
            folder.rename(aside)
        folder.write_bytes(b"not a folder")  # git cannot store the object: a real write error
        path.write_text(text, encoding="utf-8")
        wait_until(lambda: daemon.status()["error"], what="the error")
        assert "git add failed" in daemon.status()["error"]
        assert daemon.status()["pending"] == [LIST_NAME]
        folder.unlink()
        if aside.exists():
            aside.rename(folder)
        add_entry(path, "- [Delta", entry("After The Fault", "2406.00002"))
        wait_until(lambda: "After The Fault" in remote_file(remote), what="the loop to recover")
        assert "Disk Full" in remote_file(remote)
    finally:
        daemon.stop()


def test_a_workspace_outside_git_is_one_line_and_the_default_is_initialised(tmp_path) -> None:
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "a.md").write_text("# A\n", encoding="utf-8")
    result = SyncDaemon(workspace(loose)).run_once()
    assert result.ok is False and "not a git repository" in (result.error or "")
    default = open_workspace(None)  # created in the test's data dir, with a sample list
    ensure_repo_setup(default)
    assert messages(default.root) == ["Start the papershelf workspace"]
    assert "merge: papershelf" in git(default.root, "check-attr", "merge", "--", "papers.md")
    assert "mergedriver" in git(default.root, "config", "merge.papershelf.driver")
    assert git(default.root, "status", "--porcelain").strip() == ""
    assert shutil.which("git")


def test_the_running_daemon_retries_until_a_fresh_stale_lock_ages_out(tmp_path, remote) -> None:
    work = clone(remote, tmp_path / "work")
    daemon = SyncDaemon(workspace(work), quiet_seconds=QUIET)
    daemon.start()
    try:
        wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
        lock = work / ".git" / "index.lock"
        lock.write_bytes(b"")  # left by a git that crashed just now: no process owns it
        add_entry(work / LIST_NAME, "- [Gamma", entry("Behind A Lock", "2406.00001"))
        wait_until(lambda: "Behind A Lock" in remote_file(remote), 40, "the commit after the lock")
        assert not lock.exists()
        assert "removed a stale index.lock" in daemon.status()["notice"]
    finally:
        daemon.stop()


def test_while_paused_the_daemon_commits_locally_pushes_nothing_and_says_so(
    tmp_path, remote, capsys
) -> None:
    import json

    from papershelf.server.app import create_app
    from papershelf.server.cli import main
    from papershelf.server.services import Services

    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    path_a, path_b = a / LIST_NAME, b / LIST_NAME
    path_a.write_text(path_a.read_text().replace("[Beta Paper", "[Beta One"), encoding="utf-8")
    assert SyncDaemon(workspace(a)).run_once().pushed
    # b: fast settings for the daemon `papershelf serve` runs, then the same entry edited.
    workspace(b, "[sync]\nquiet_seconds = 0.3\n")
    git(b, "add", ".papershelf")
    git(b, "commit", "-q", "-m", "Quick sync")
    path_b.write_text(path_b.read_text().replace("[Beta Paper", "[Beta Two"), encoding="utf-8")
    remote_before = git(remote, "rev-parse", "main").strip()
    services = Services.build(workspace(b))
    services.start(sync=True, feeds=False, clip_worker=False)
    try:
        daemon = services.sync.part
        assert daemon is not None, services.sync.status()
        wait_until(lambda: daemon.status()["paused"], what="the conflict to pause sharing")
        first = daemon.status()["conflict"]
        # A new clip in another section: committed locally, not pushed, still paused.
        add_entry(path_b, "- [Delta", entry("Paused Paper", "2406.00009"))
        wait_until(
            lambda: daemon.status()["last_commit"]["message"].startswith('Add "Paused Paper"'),
            what="the local commit while paused",
        )
        # It tried the rebase again (its branch changed), met the same conflict, stayed paused.
        status = wait_until(
            lambda: (s := daemon.status())["conflict"]["head"] != first["head"] and s,
            what="the retried rebase",
        )
        status = wait_until(
            lambda: (s := daemon.status())["ahead"] == 3 and not s["pending"] and s,
            what="the status after the cycle",
        )
        assert status["paused"] is True and status["conflict"]["files"] == [LIST_NAME]
        assert git(remote, "rev-parse", "main").strip() == remote_before
        assert "Paused Paper" not in remote_file(remote)
        assert git(b, "status", "--porcelain").strip() == ""
        assert not (b / ".git" / "rebase-merge").exists()
        assert not (b / ".git" / "rebase-apply").exists()
        assert messages(b)[:2] == [
            'Add "Paused Paper" to training.md › Alignment',
            "Edit training.md",
        ]
        beta = "training.md: Optimization: - [Beta Paper on Schedules]"
        # GET /api/status (the running server's view) shows it...
        token = "status-test-token-0123456789abcdef"
        app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": token})
        body = app.test_client().get("/api/status", headers={"X-Papershelf-Token": token})
        sync = body.get_json()["sync"]
        assert sync["state"] == "running" and sync["paused"] is True
        assert sync["conflict"]["files"] == [LIST_NAME]
        assert sync["conflict"]["details"][0].startswith(beta)
        assert sync["last_push"] is None  # b has not pushed anything since it started
        # ...and so does `papershelf status`, from another process's point of view.
        capsys.readouterr()
        assert main(["status", "--json", "--workspace", str(b)]) == 0
        shown = json.loads(capsys.readouterr().out)["sync"]
        assert shown["paused"] is True and shown["conflict"]["details"][0].startswith(beta)
        assert main(["status", "--workspace", str(b)]) == 0
        text = capsys.readouterr().out
        assert "sharing paused" in text and "Beta Paper on Schedules" in text
    finally:
        services.stop()
    assert "Paused Paper" not in remote_file(remote)


def test_the_running_daemon_sees_a_conflict_resolved_by_hand_without_waiting_for_a_pull(
    tmp_path, remote
) -> None:
    from papershelf.server.cli import main

    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    path_a, path_b = a / LIST_NAME, b / LIST_NAME
    path_a.write_text(path_a.read_text().replace("[Beta Paper", "[Beta One"), encoding="utf-8")
    assert SyncDaemon(workspace(a)).run_once().pushed
    path_b.write_text(path_b.read_text().replace("[Beta Paper", "[Beta Two"), encoding="utf-8")
    # The next pull is an hour away: only noticing the resolution can clear the status.
    daemon = SyncDaemon(workspace(b), quiet_seconds=QUIET, pull_interval_seconds=3600)
    daemon.start()
    try:
        wait_until(lambda: daemon.status()["paused"], what="the conflict to pause sharing")
        # Resolved as docs/sync.md says: merge, write the entry, commit, sync --once.
        pulled = subprocess.run(
            ["git", "pull", "--no-rebase"], cwd=b, capture_output=True, text=True, timeout=60
        )
        assert pulled.returncode != 0 and (b / ".git" / "MERGE_HEAD").exists()
        path_b.write_text(
            path_b.read_text().replace("[Beta Two", "[Beta One and Two"), encoding="utf-8"
        )
        wait_until(
            lambda: "a merge is in progress" in (daemon.status()["error"] or ""),
            what="the daemon to wait for the merge",
        )
        git(b, "add", LIST_NAME)
        git(b, "commit", "-q", "--no-edit")
        assert main(["sync", "--once", "--workspace", str(b)]) == 0
        assert "[Beta One and Two" in remote_file(remote)
        # The cycle that clears the conflict ends by clearing the error: wait for both.
        wait_until(
            lambda: (
                (s := daemon.status())["paused"] is False
                and s["conflict"] is None
                and s["error"] is None
            ),
            timeout_seconds=10,
            what="the running daemon to see the conflict resolved",
        )
        shown = wait_until(
            lambda: (
                (s := load_status(workspace(b)))["paused"] is False and s["error"] is None and s
            ),
            timeout_seconds=10,
            what="the persisted status to say so",
        )
        assert shown["conflict"] is None and shown["running"]
    finally:
        daemon.stop()
    assert load_status(workspace(b))["paused"] is False


def test_an_edit_on_a_detached_head_is_not_committed_where_a_checkout_would_lose_it(
    tmp_path, remote
) -> None:
    # It was committed on the detached HEAD; `git checkout main` then left that commit behind
    # (only the reflog had it) and the status still named it as the last commit.
    work = clone(remote, tmp_path / "work")
    git(work, "checkout", "-q", "--detach", "HEAD")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Detached Paper", "2406.00001"))
    result = SyncDaemon(workspace(work), quiet_seconds=QUIET).run_once()
    assert result.ok is False and result.committed is None
    assert result.error == "HEAD is detached; check out a branch to share the lists"
    git(work, "checkout", "-q", "main")  # the uncommitted edit comes along
    assert SyncDaemon(workspace(work), quiet_seconds=QUIET).run_once().ok is True
    assert "Detached Paper" in remote_file(remote)


def test_a_full_disk_is_named_in_the_sync_error(tmp_path: Path) -> None:
    """F20: git's own reason ("No space left on device") reaches the status, not an empty line.
    The clone lives on a 3 MB tmpfs in a private mount namespace, filled between two runs."""
    from fs_support import can_mount_tmpfs

    if not can_mount_tmpfs(tmp_path):
        pytest.skip("needs `unshare -rm` and mount (a private tmpfs for the clone)")
    remote = make_remote(tmp_path)
    disk = tmp_path / "disk"
    disk.mkdir()
    work = disk / "work"
    once = f"{sys.executable} -m papershelf.server.cli sync --once --workspace {work}"
    script = f"""
mount -t tmpfs -o size=3m tmpfs "{disk}" || exit 99
git clone -q "{remote}" "{work}" || exit 98
{once} > /dev/null 2>&1 || exit 97
sed -i 's/^- \\[Gamma/- [Waits For Space](https:\\/\\/arxiv.org\\/abs\\/2509.20001), Jun. 6 2024.\\n&/' "{work}/{LIST_NAME}"
dd if=/dev/zero of="{disk}/filler" bs=64k 2> /dev/null
{once}; echo "full exit $?"
rm "{disk}/filler"
{once} > /dev/null; echo "freed exit $?"
"""
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "full exit 1" in done.stdout and "freed exit 0" in done.stdout, done
    error = done.stderr.strip().splitlines()[-1]
    assert error.startswith("papershelf: error: git add failed: fatal: "), done.stderr
    assert "No space left on device" in error
    assert "Waits For Space" in remote_file(remote)


@pytest.mark.parametrize(
    ("stderr", "said"),
    [
        (
            "fatal: unable to write loose object file: No space left on device\n",
            "fatal: unable to write loose object file: No space left on device",
        ),
        ("error: insufficient space\nfatal: Out of diskspace\n", "fatal: Out of diskspace"),
        ("fatal: 'x' quoted\n", "fatal: 'x' quoted"),
    ],
)
def test_gits_last_word_is_kept_whatever_its_line_ending(stderr: str, said: str) -> None:
    import git as gitpython

    from papershelf.sync.gitsync.gitrepo import _last_line

    assert _last_line(gitpython.GitCommandError(["git", "add"], 128, stderr)) == said
