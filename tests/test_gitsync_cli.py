"""`papershelf sync [--once]` and the hidden merge-driver command."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
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
from papershelf.sync.gitsync.daemon import load_status


def test_sync_once_commits_pulls_pushes_and_prints_json(tmp_path: Path, capsys) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Once Paper", "2406.00001"))
    assert main(["sync", "--once", "--json", "--workspace", str(work)]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True and out["pushed"] is True and out["remote"] == "origin/main"
    assert out["committed"]["message"] == 'Add "Once Paper" to training.md › Optimization'
    assert "Once Paper" in remote_file(remote)
    assert main(["sync", "--once", "--workspace", str(work)]) == 0
    assert "nothing to commit" in capsys.readouterr().out


def test_sync_once_failure_is_one_line_and_exit_1(tmp_path: Path, capsys) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    git(work, "remote", "set-url", "origin", str(tmp_path / "nowhere.git"))
    add_entry(work / LIST_NAME, "- [Gamma", entry("Stuck Paper", "2406.00001"))
    assert main(["sync", "--once", "--workspace", str(work)]) == 1
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert len(errors) == 1 and errors[0].startswith("papershelf: error: remote unreachable")
    assert "Traceback" not in captured.err
    assert messages(work)[0] == 'Add "Stuck Paper" to training.md › Optimization'


def test_sync_runs_until_sigterm_and_commits_what_is_pending(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "papershelf.server.cli",
            "sync",
            "--workspace",
            str(work),
            "--quiet-seconds",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ws = workspace(work)
        wait_until(
            lambda: load_status(ws)["running"] and load_status(ws)["last_pull"], what="start"
        )
        add_entry(work / LIST_NAME, "- [Gamma", entry("Before Stop", "2406.00001"))
        wait_until(lambda: LIST_NAME in load_status(ws)["pending"], what="the change to be seen")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert messages(work)[0] == 'Add "Before Stop" to training.md › Optimization'
    assert load_status(workspace(work))["running"] is False


def test_sync_once_beside_a_running_daemon_keeps_it_shown_as_running(
    tmp_path: Path, capsys
) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    proc = subprocess.Popen(
        [sys.executable, "-m", "papershelf.server.cli", "sync", "--workspace", str(work)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ws = workspace(work)
        wait_until(
            lambda: load_status(ws)["running"] and load_status(ws)["last_pull"], what="start"
        )
        assert main(["sync", "--once", "--workspace", str(work)]) == 0
        status = load_status(ws)
        assert status["running"] is True and status["pid"] == proc.pid
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert load_status(workspace(work))["running"] is False


@pytest.mark.parametrize(
    "line",
    ["pull_interval_seconds = 0", "pull_interval_seconds = nan", "quiet_seconds = -1"]
    + ["quiet_seconds = inf", "retry_seconds = -5"]
    # Huge but finite: pull_interval_seconds = 1e12 killed the daemon's thread with an
    # OverflowError in Condition.wait while its status still said running.
    + ["pull_interval_seconds = 1e12", "quiet_seconds = 86401", "retry_seconds = 1e300"]
    + ["retry_max_seconds = 1e12", "stale_lock_seconds = 1e12"],
)
def test_a_sync_setting_out_of_range_is_named_and_never_committed(
    tmp_path: Path, capsys, line: str
) -> None:
    # pull_interval_seconds = 0 (or nan) made the daemon fetch from the remote in a tight loop.
    # Such a config is not used (the last good one, here the defaults, runs) nor committed.
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    (work / ".papershelf").mkdir(exist_ok=True)
    (work / ".papershelf" / "config.toml").write_text(f"[sync]\n{line}\n", encoding="utf-8")
    assert main(["sync", "--once", "--workspace", str(work)]) == 1
    err = capsys.readouterr().err
    key = "sync." + line.split(" ")[0]
    assert err.count("\n") == 1 and err.startswith("papershelf: error:") and key in err
    assert "not committed" in err
    assert git(work, "status", "--porcelain").strip() == "?? .papershelf/"


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "1e12"])
def test_a_quiet_seconds_flag_out_of_range_is_one_line_exit_2(
    tmp_path: Path, capsys, value: str
) -> None:
    # The flag bypassed the config's range check: inf or 1e12 never committed anything.
    work = clone(make_remote(tmp_path), tmp_path / "work")
    assert main(["sync", "--once", "--quiet-seconds", value, "--workspace", str(work)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("papershelf: error:")
    assert "--quiet-seconds" in err and "from 0 to 86400" in err


def test_a_huge_pull_interval_is_named_and_the_daemon_runs_on_the_defaults(
    tmp_path: Path,
) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    (work / ".papershelf").mkdir(exist_ok=True)
    (work / ".papershelf" / "config.toml").write_text(
        "[sync]\npull_interval_seconds = 1e12\n", encoding="utf-8"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "papershelf.server.cli", "sync", "--workspace", str(work)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ws = workspace(work)
        wait_until(lambda: load_status(ws)["running"], what="the daemon")
        wait_until(lambda: load_status(ws)["last_pull"], what="its first pull")
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 0, err
    assert "sync.pull_interval_seconds" in err and "86400" in err
    assert "runs with the default settings until it is fixed" in err


def test_hidden_merge_driver_command(tmp_path: Path) -> None:
    base = LIST.encode()
    ours = base.replace(
        b"- [Gamma", (entry("A", "2410.00001", "Oct. 1 2024") + "\n- [Gamma").encode()
    )
    theirs = base.replace(
        b"- [Gamma", (entry("B", "2411.00001", "Nov. 1 2024") + "\n- [Gamma").encode()
    )
    paths = [tmp_path / n for n in ("o", "a", "b")]
    for path, data in zip(paths, (base, ours, theirs), strict=True):
        path.write_bytes(data)
    assert main(["merge-driver", *map(str, paths), LIST_NAME]) == 0
    merged = paths[1].read_text(encoding="utf-8")
    assert merged.index("[B]") < merged.index("[A]") < merged.index("[Gamma")


def test_sigterm_during_a_commit_lets_that_cycle_finish_then_exits_0(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    work = clone(remote, tmp_path / "work")
    # A pre-commit hook holds the daemon's commit in flight until the test releases it.
    started, release = tmp_path / "commit-started", tmp_path / "release"
    hook = work / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        f"touch '{started}'\n"
        "n=0\n"
        f"while [ ! -e '{release}' ] && [ $n -lt 1200 ]; do sleep 0.05; n=$((n+1)); done\n",
        encoding="utf-8",
    )
    hook.chmod(0o755)
    command = [sys.executable, "-m", "papershelf.server.cli", "sync", "--workspace", str(work)]
    proc = subprocess.Popen(
        [*command, "--quiet-seconds", "0.2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err_lines: list[str] = []
    stderr = proc.stderr
    assert stderr is not None
    reader = threading.Thread(target=lambda: err_lines.extend(stderr), daemon=True)
    reader.start()
    try:
        ws = workspace(work)
        wait_until(
            lambda: load_status(ws)["running"] and load_status(ws)["last_pull"], what="start"
        )
        add_entry(work / LIST_NAME, "- [Gamma", entry("In Flight", "2406.00001"))
        wait_until(started.exists, what="the commit to start")
        proc.send_signal(signal.SIGTERM)
        wait_until(lambda: any("stopping" in line for line in err_lines), what="the signal")
        assert proc.poll() is None  # still in the commit
        release.touch()
        proc.wait(timeout=60)
        reader.join(10)
    finally:
        release.touch()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, "".join(err_lines)
    assert not any("Traceback" in line for line in err_lines)
    # The cycle in flight finished: committed, pushed, and the status says so.
    subject = 'Add "In Flight" to training.md › Optimization'
    assert messages(work)[0] == subject and "In Flight" in remote_file(remote)
    status = load_status(workspace(work))
    assert status["running"] is False and status["last_commit"]["message"] == subject
    assert status["last_commit"]["sha"] == git(work, "rev-parse", "HEAD").strip()
    assert status["last_push"]["ok"] is True and status["pending"] == []
    assert not (work / ".git" / "index.lock").exists()
