"""Several papershelf processes on one workspace: one daemon, and cycles that never overlap."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from pathlib import Path

from gitsync_support import (
    LIST,
    LIST_NAME,
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

from papershelf.server.cli import main
from papershelf.sync.gitsync import cyclelock
from papershelf.sync.gitsync.daemon import SyncDaemon, load_status

SYNC = [sys.executable, "-m", "papershelf.server.cli", "sync"]
EVAL = "# Eval\n\n- [Eval Seed](https://arxiv.org/abs/2301.00001), Jan. 1 2023.\n"

HOLD_LOCK = """
import sys, filelock
lock = filelock.FileLock(sys.argv[1])
lock.acquire(timeout=30)
print("held", flush=True)
sys.stdin.readline()
"""


class Proc:
    """A subprocess whose stderr lines are collected as they come."""

    def __init__(self, args: list[str]) -> None:
        self.proc = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.err: list[str] = []
        stderr = self.proc.stderr
        assert stderr is not None
        self._reader = threading.Thread(target=lambda: self.err.extend(stderr))
        self._reader.start()

    def said(self, words: str) -> bool:
        return any(words in line for line in list(self.err))

    def finish(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(10)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.finish()


def hold_cycle_lock(work: Path) -> subprocess.Popen:
    """Another process holding the workspace's cycle lock until its stdin is closed."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(work / ".git" / cyclelock.CYCLE_LOCK)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def release(proc: subprocess.Popen) -> None:
    if proc.stdin is not None and not proc.stdin.closed:
        proc.stdin.close()
    proc.wait(timeout=30)


def started(ws) -> bool:
    status = load_status(ws)
    return bool(status["running"] and status["last_pull"])


def test_a_second_daemon_on_the_workspace_refuses_in_one_line(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    ws = workspace(work)
    first = Proc([*SYNC, "--workspace", str(work)])
    try:
        wait_until(lambda: started(ws), what="the first daemon")
        second = Proc([*SYNC, "--workspace", str(work)])
        assert second.finish() == 1
        assert len(second.err) == 1, second.err
        line = second.err[0]
        assert line.startswith(f"papershelf: error: {work} is already synced by papershelf sync")
        assert f"pid {first.proc.pid}" in line and "Traceback" not in line
        # The refused one left the first one's status alone, and the first one still syncs.
        status = load_status(ws)
        assert status["running"] is True and status["pid"] == first.proc.pid
        add_entry(work / LIST_NAME, "- [Gamma", entry("Still Synced", "2406.00001"))
        wait_until(lambda: "Still Synced" in remote_file(remote), what="the first daemon's push")
        first.proc.send_signal(signal.SIGTERM)
        assert first.finish() == 0, first.err
        # Once it stopped, a daemon starts again on the workspace.
        again = Proc([*SYNC, "--workspace", str(work)])
        wait_until(lambda: load_status(ws)["pid"] == again.proc.pid and started(ws), what="restart")
        again.proc.send_signal(signal.SIGTERM)
        assert again.finish() == 0, again.err
    finally:
        first.kill()


def test_sync_once_waits_for_the_daemons_cycle_and_git_never_interleaves(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, {LIST_NAME: LIST, "eval.md": EVAL})
    work = clone(remote, tmp_path / "work")
    ws = workspace(work)
    # A pre-commit hook logs every commit's start and end; the first one waits for the test.
    log, go = tmp_path / "hook.log", tmp_path / "go"
    hook = work / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        f"echo start >> '{log}'\n"
        "n=0\n"
        f"while [ ! -e '{go}' ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done\n"
        f"echo end >> '{log}'\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    daemon = Proc([*SYNC, "--workspace", str(work), "--quiet-seconds", "0.2"])
    once = None
    try:
        wait_until(lambda: started(ws), what="the daemon")
        add_entry(work / LIST_NAME, "- [Gamma", entry("Daemon Paper", "2406.00001"))
        wait_until(lambda: log.exists(), what="the daemon's commit to start")
        add_entry(work / "eval.md", "- [Eval", entry("Once Paper", "2406.00002"))
        once = Proc([*SYNC, "--once", "--workspace", str(work)])
        wait_until(lambda: once.said("waiting for it"), what="sync --once to wait")
        assert once.proc.poll() is None
        assert f"its daemon: papershelf sync, pid {daemon.proc.pid}" in once.err[0]
        go.touch()
        assert once.finish() == 0, once.err
        wait_until(
            lambda: (
                "Once Paper" in remote_file(remote, "eval.md")
                and "Daemon Paper" in remote_file(remote)
            ),
            what="both edits on the remote",
        )
        daemon.proc.send_signal(signal.SIGTERM)
        assert daemon.finish() == 0, daemon.err
    finally:
        go.touch()
        daemon.kill()
        if once is not None:
            once.kill()
    # Each commit ran alone: never two at once.
    marks = log.read_text(encoding="utf-8").split()
    assert marks == ["start", "end"] * (len(marks) // 2) and len(marks) >= 4
    assert not any("Traceback" in line for line in daemon.err + once.err)
    assert git(work, "status", "--porcelain").strip() == ""
    assert not (work / ".git" / "rebase-merge").exists()
    assert git(work, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")


def test_sync_once_gives_up_after_its_wait_with_one_line(tmp_path, capsys, monkeypatch) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Waiting Paper", "2406.00001"))
    before = messages(work)
    holder = hold_cycle_lock(work)
    monkeypatch.setattr(cyclelock, "ONCE_WAIT_SECONDS", 0.5)
    try:
        assert main(["sync", "--once", "--workspace", str(work)]) == 1
    finally:
        release(holder)
    captured = capsys.readouterr()
    assert captured.out == ""
    errors = captured.err.strip().splitlines()
    assert errors[0].startswith("papershelf sync: another papershelf is syncing this repository")
    assert errors[1:] == [
        "papershelf: error: another papershelf is syncing this repository and did not finish "
        "within 0.5 s; nothing was done, try again later"
    ]
    assert messages(work) == before  # nothing committed behind the other process's back
    assert main(["sync", "--once", "--workspace", str(work)]) == 0  # free again: it goes through
    assert "Waiting Paper" in remote_file(remote)


def test_a_daemon_skips_cycles_while_another_process_syncs_and_catches_up(tmp_path, caplog) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    ws = workspace(work, "[sync]\nstale_lock_seconds = 0.1\n")
    git(work, "add", ".papershelf/config.toml")
    git(work, "commit", "-q", "-m", "config")
    git(work, "push", "-q")
    head = git(work, "rev-parse", "HEAD")
    holder = hold_cycle_lock(work)
    # An index.lock old enough to look stale: the other process's git may be using it.
    index_lock = work / ".git" / "index.lock"
    index_lock.write_bytes(b"")
    daemon = SyncDaemon(ws, quiet_seconds=0.2)
    caplog.set_level(logging.INFO, logger="papershelf.sync.gitsync.daemon")
    try:
        daemon.start()
        add_entry(work / LIST_NAME, "- [Gamma", entry("Later Paper", "2406.00001"))

        def skipped() -> int:
            return sum("another papershelf is syncing" in r.getMessage() for r in caplog.records)

        wait_until(lambda: skipped() >= 3, what="the daemon to skip (and retry) its cycles")
        assert index_lock.exists() and git(work, "rev-parse", "HEAD") == head
        assert daemon.status()["error"] is None  # a busy neighbour is no error
        release(holder)
        wait_until(lambda: "Later Paper" in remote_file(remote), what="the daemon to catch up")
        assert "removed a stale index.lock" in (daemon.status()["notice"] or "")
    finally:
        release(holder)
        daemon.stop()


def test_serve_beside_a_running_sync_daemon_says_why_its_sync_is_off(tmp_path: Path) -> None:
    from papershelf.server.services import ERROR, start_part

    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    ws = workspace(work)
    first = Proc([*SYNC, "--workspace", str(work)])
    try:
        wait_until(lambda: started(ws), what="the daemon")
        part = start_part("sync", lambda: SyncDaemon(ws))
        assert part.state == ERROR and part.part is None
        assert part.reason == (
            f"did not start: {work} is already synced by papershelf sync, pid {first.proc.pid}; "
            "it commits and shares every change, so this one does not start (stop that one "
            "first to sync from here)"
        )
        assert load_status(ws)["pid"] == first.proc.pid
        first.proc.send_signal(signal.SIGTERM)
        assert first.finish() == 0, first.err
    finally:
        first.kill()


def test_serve_stopped_while_another_process_syncs_leaves_the_edit_says_so_and_restart_commits(
    tmp_path: Path,
) -> None:
    # The stopping daemon waited 10 s for the cycle lock but serve gave it ~2.2 s: the edit was
    # not committed, the log only said the cycle "did not finish", and the lock was let go.
    from server_support import ServeProcess

    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    ws = workspace(work)
    server = ServeProcess(work, "--no-feeds")
    holder = None
    try:
        wait_until(lambda: started(ws), what="serve's sync daemon")
        holder = hold_cycle_lock(work)
        add_entry(work / LIST_NAME, "- [Gamma", entry("Stopping Paper", "2406.00001"))
        seconds = server.stop(signal.SIGTERM)
    finally:
        if holder is not None:
            release(holder)
        server.kill()
    assert server.proc.returncode == 0, server.output()
    assert seconds < 5, server.output()
    said = [line for line in server.stderr.splitlines() if "uncommitted" in line]
    assert len(said) == 1, server.output()
    assert f"a change to {LIST_NAME} was left uncommitted" in said[0]
    assert "another papershelf was syncing this repository" in said[0]
    assert "the next start commits it" in said[0]
    assert "did not finish" not in server.stderr and "Traceback" not in server.stderr
    assert git(work, "status", "--porcelain").strip() == f"M {LIST_NAME}"
    assert load_status(ws)["running"] is False
    # The next start commits (and shares) it.
    again = Proc([*SYNC, "--workspace", str(work)])
    try:
        wait_until(lambda: "Stopping Paper" in remote_file(remote), what="the next start's commit")
        again.proc.send_signal(signal.SIGTERM)
        assert again.finish() == 0, again.err
    finally:
        again.kill()
    assert git(work, "status", "--porcelain").strip() == ""


def test_a_daemon_stopped_mid_commit_keeps_its_lock_until_its_thread_is_done(
    tmp_path: Path,
) -> None:
    # stop() released the daemon lock while its thread still ran git: a second daemon could
    # start and run git beside it.
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    ws = workspace(work)
    started_mark, go = tmp_path / "commit-started", tmp_path / "go"
    hook = work / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        f"touch '{started_mark}'\n"
        "n=0\n"
        f"while [ ! -e '{go}' ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    daemon = SyncDaemon(ws, quiet_seconds=0.2)
    second = again = None
    try:
        daemon.start()
        add_entry(work / LIST_NAME, "- [Gamma", entry("Slow Paper", "2406.00001"))
        wait_until(started_mark.exists, what="the daemon's commit to start")
        daemon.stop(timeout_seconds=0.3)  # its thread is still in `git commit`
        second = Proc([*SYNC, "--workspace", str(work)])
        assert second.finish(timeout=20) == 1, second.err
        assert "is already synced by" in second.err[0]
        go.touch()
        wait_until(lambda: "Slow Paper" in remote_file(remote), what="the commit in flight")
        # Once its thread is done, the lock is free: another daemon starts.
        again = Proc([*SYNC, "--workspace", str(work)])
        wait_until(lambda: load_status(ws)["pid"] == again.proc.pid, what="the next daemon")
        again.proc.send_signal(signal.SIGTERM)
        assert again.finish() == 0, again.err
    finally:
        go.touch()
        for proc in (second, again):
            if proc is not None:
                proc.kill()
