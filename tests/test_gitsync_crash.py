"""F11, F24: papershelf killed (SIGKILL, as a power cut or an OOM kill) at chosen points of its
own git work; the next run recognises what it left, finishes the job, and loses no clip."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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
    workspace,
)
from polling import wait_until
from server_support import REPO_ROOT, run_cli

from papershelf.sync.gitsync import recovery
from papershelf.sync.gitsync.daemon import load_status
from papershelf.sync.gitsync.merge import MergeResult

pytestmark = pytest.mark.slow

#: A git hook that, while `flag` exists, says it started and waits (up to 60 s): it holds git,
#: and so papershelf, at a chosen point.
HOLD = """#!/bin/sh
if [ -e "{flag}" ]; then
  touch "{inside}"
  n=0
  while [ -e "{flag}" ] && [ $n -lt 600 ]; do sleep 0.1; n=$((n+1)); done
fi
"""


def hold_in_hook(work: Path, hook: str, tmp_path: Path) -> tuple[Path, Path]:
    """Install `hook`, which holds git while the returned flag exists; (flag, inside)."""
    flag, inside = tmp_path / f"{hook}.flag", tmp_path / f"{hook}.inside"
    path = work / ".git" / "hooks" / hook
    path.write_text(HOLD.format(flag=flag, inside=inside), encoding="utf-8")
    path.chmod(0o755)
    flag.touch()
    return flag, inside


def killed_when(inside: Path, args: list[str]) -> None:
    """Run `papershelf ARGS` in a process group of its own; SIGKILL the whole group (git and
    its hook with it, as a power cut would) once the hook has started."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "papershelf.server.cli", *args],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until(inside.exists, timeout_seconds=60, what="git to reach the hook")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)


def diverged(tmp_path: Path, mine_title: str) -> tuple[Path, Path]:
    """(the remote, my clone): another clone pushed "Theirs Paper", mine added `mine_title`."""
    remote = make_remote(tmp_path)
    mine, theirs = clone(remote, tmp_path / "mine"), clone(remote, tmp_path / "theirs")
    add_entry(theirs / LIST_NAME, "- [Delta", entry("Theirs Paper", "2509.10001"), before=True)
    assert run_cli("sync", "--once", "--workspace", str(theirs)).returncode == 0
    add_entry(mine / LIST_NAME, "- [Gamma", entry(mine_title, "2509.10002"), before=True)
    return remote, mine


def test_a_rebase_killed_half_way_is_undone_and_done_again(tmp_path: Path) -> None:
    # Mine commits a clip, its push is refused, it fetches and rebases: killed in the rebase.
    remote, mine = diverged(tmp_path, "Acknowledged Clip")
    flag, inside = hold_in_hook(mine, "post-checkout", tmp_path)
    killed_when(inside, ["sync", "--once", "--workspace", str(mine)])
    assert (mine / ".git" / "rebase-merge").is_dir()
    assert (mine / ".git" / "papershelf-rebase.json").is_file()
    assert "Acknowledged Clip" not in (mine / LIST_NAME).read_text(encoding="utf-8")
    # A clip lands in the half-rebased tree before papershelf runs again.
    added = run_cli(
        "add", "2509.10003", "--title", "Clip While Down", "--published", "2025-09-03",
        "--list", LIST_NAME, "--section", "Optimization", "--workspace", str(mine),
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    flag.unlink()
    again = run_cli("sync", "--once", "--workspace", str(mine))
    assert again.returncode == 0, again.stderr
    assert "started by hand" not in again.stderr
    assert not (mine / ".git" / "rebase-merge").exists()
    assert not (mine / ".git" / "papershelf-rebase.json").exists()
    text = (mine / LIST_NAME).read_text(encoding="utf-8")
    shared = remote_file(remote)
    for title in ("Theirs Paper", "Acknowledged Clip", "Clip While Down"):
        assert text.count(f"[{title}]") == 1 and shared.count(f"[{title}]") == 1, title
    notice = load_status(workspace(mine))["notice"] or ""
    assert "papershelf's own rebase" in notice and "was interrupted" in notice
    assert git(mine, "status", "--porcelain") == ""


def test_a_rebase_a_person_left_half_way_is_still_theirs(tmp_path: Path) -> None:
    _remote, mine = diverged(tmp_path, "My Paper")
    git(mine, "commit", "-qam", "mine")
    git(mine, "fetch", "-q")
    stopped = ["git", "rebase", "-q", "--exec", "false", "origin/main"]  # stops after a pick
    assert subprocess.run(stopped, cwd=mine, capture_output=True).returncode != 0
    assert (mine / ".git" / "rebase-merge").is_dir()
    done = run_cli("sync", "--once", "--workspace", str(mine))
    assert done.returncode == 1 and "started by hand?" in done.stderr
    assert (mine / ".git" / "rebase-merge").is_dir()  # left for them to finish


def test_a_commit_killed_half_way_leaves_no_lock_for_good(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    mine = clone(remote, tmp_path / "mine")
    workspace(mine, "[sync]\nstale_lock_seconds = 0\n")  # the killed git's index.lock: at once
    add_entry(mine / LIST_NAME, "- [Gamma", entry("Committed Later", "2509.10004"), before=True)
    flag, inside = hold_in_hook(mine, "pre-commit", tmp_path)
    killed_when(inside, ["sync", "--once", "--workspace", str(mine)])
    assert list((mine / ".git").glob("next-index-*.lock"))
    flag.unlink()
    done = run_cli("sync", "--once", "--workspace", str(mine))
    assert done.returncode == 0, done.stderr
    assert not list((mine / ".git").glob("next-index-*.lock"))
    assert not (mine / ".git" / "index.lock").exists()
    assert "Committed Later" in remote_file(remote)


def test_an_edit_carried_over_is_merged_with_a_save_made_meanwhile_not_written_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Undoing the interrupted rebase puts a clip saved into the half-rebased tree back through
    the one list edit: a person saving while it merges is merged with, not overwritten."""
    base = b"# L\n\n## A\n\n- [One](https://arxiv.org/abs/2401.00001)\n"
    restored = base + b"- [Two](https://arxiv.org/abs/2401.00002)\n"  # the local commits
    edited = base + b"- [Clip](https://arxiv.org/abs/2401.00003)\n"  # saved half-rebased
    person = restored + b"\n## B\n\n- [Hand](https://example.org/hand)\n"
    path = tmp_path / "papers.md"
    path.write_bytes(restored)
    merge = recovery.merge_lists
    merged_into: list[bytes] = []

    def merge_while_a_person_saves(*sides: bytes) -> MergeResult:
        merged_into.append(sides[1])
        if len(merged_into) == 1:
            path.write_bytes(person)  # in place, between papershelf's read and its write
        return merge(*sides)

    monkeypatch.setattr(recovery, "merge_lists", merge_while_a_person_saves)
    note = recovery._carry_over(tmp_path, {"papers.md": (base, edited)})
    assert "were kept" in note
    assert merged_into == [restored, person]  # merged again with the person's save
    text = path.read_bytes()
    for title in (b"[Two]", b"[Hand]", b"[Clip]"):
        assert text.count(title) == 1, text
