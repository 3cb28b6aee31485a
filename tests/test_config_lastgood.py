"""F2, F9: a config.toml papershelf cannot use (broken, or a link to /dev/zero) is never read
whole, never committed, and never stops papershelf: it runs with the last good config and says
so. Real processes (`papershelf sync --once`, `status`, `serve`, `check`) on real clones."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

from gitsync_support import LIST_NAME, add_entry, clone, entry, git, make_remote, remote_file
from server_support import REPO_ROOT, run_cli, serving

from papershelf.sync.workspace import open_workspace

GOOD = "[sync]\nquiet_seconds = 0.2\npull_interval_seconds = 7.0\n"
BROKEN = "[poll]\nmin_score = 0.0\n[sync\n"


def capped(*args: str) -> subprocess.CompletedProcess:
    """`papershelf ARGS` with 1.5 GB of address space: reading /dev/zero would exhaust it in
    seconds."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))

    return subprocess.run(
        [sys.executable, "-m", "papershelf.server.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
    )


def _remote_with_good_config(tmp_path: Path) -> Path:
    from gitsync_support import LIST

    return make_remote(tmp_path, {LIST_NAME: LIST, ".papershelf/config.toml": GOOD})


def test_a_broken_config_is_not_committed_while_the_lists_are(tmp_path: Path) -> None:
    remote = _remote_with_good_config(tmp_path)
    work = clone(remote, tmp_path / "work")
    (work / ".papershelf" / "config.toml").write_text(BROKEN, encoding="utf-8")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Kept Paper", "2406.00001"))
    done = run_cli("sync", "--once", "--workspace", str(work))
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert "config.toml: not valid TOML" in last and "not committed" in last
    assert "Kept Paper" in remote_file(remote)
    assert remote_file(remote, ".papershelf/config.toml") == GOOD
    assert git(work, "status", "--porcelain").strip() == "M .papershelf/config.toml"


def test_a_broken_config_pulled_from_the_remote_stops_nothing(tmp_path: Path) -> None:
    remote = _remote_with_good_config(tmp_path)
    mine = clone(remote, tmp_path / "mine")
    assert run_cli("sync", "--once", "--workspace", str(mine)).returncode == 0
    # A curator without papershelf pushes a config nobody's papershelf can read.
    other = clone(remote, tmp_path / "other")
    (other / ".papershelf" / "config.toml").write_text(BROKEN, encoding="utf-8")
    git(other, "commit", "-qam", "Tune the poll")
    git(other, "push", "-q")
    pulled = run_cli("sync", "--once", "--workspace", str(mine))
    assert pulled.returncode == 0, pulled.stderr
    assert (mine / ".papershelf" / "config.toml").read_text(encoding="utf-8") == BROKEN
    # Every command starts, on the last config it could use, and says so.
    for args in (("status",), ("sync", "--once"), ("check", LIST_NAME)):
        done = run_cli(*args, "--workspace", str(mine))
        assert done.returncode == 0, (args, done.stderr)
        assert "not valid TOML" in done.stderr and "runs with the last config" in done.stderr
    workspace = open_workspace(mine)
    assert workspace.setting("sync.pull_interval_seconds") == 7.0  # the good one's value
    with serving(mine, "--no-feeds") as server:
        status = server.request("GET", "/api/status").json()
        assert status["sync"]["state"] == "running", status["sync"]
    # The fix arrives the same way.
    (other / ".papershelf" / "config.toml").write_text(GOOD, encoding="utf-8")
    git(other, "commit", "-qam", "Fix the config")
    git(other, "push", "-q")
    fixed = run_cli("sync", "--once", "--workspace", str(mine))
    assert fixed.returncode == 0, fixed.stderr  # it started on the broken one, and pulled
    assert (mine / ".papershelf" / "config.toml").read_text(encoding="utf-8") == GOOD
    after = run_cli("status", "--workspace", str(mine))
    assert after.returncode == 0 and "TOML" not in after.stderr, after.stderr


def test_a_fresh_clone_of_a_broken_config_runs_with_its_last_good_commit(tmp_path: Path) -> None:
    remote = _remote_with_good_config(tmp_path)
    other = clone(remote, tmp_path / "other")
    (other / ".papershelf" / "config.toml").write_text(BROKEN, encoding="utf-8")
    git(other, "commit", "-qam", "Break it")
    git(other, "push", "-q")
    fresh = clone(remote, tmp_path / "fresh")
    workspace = open_workspace(fresh)
    assert workspace.setting("sync.pull_interval_seconds") == 7.0
    assert workspace.config_notice is not None
    assert "runs with the config of commit" in workspace.config_notice


def test_a_config_linked_to_dev_zero_is_refused_not_read(tmp_path: Path) -> None:
    remote = _remote_with_good_config(tmp_path)
    work = clone(remote, tmp_path / "work")
    config = work / ".papershelf" / "config.toml"
    config.unlink()
    os.symlink("/dev/zero", config)
    done = capped("check", LIST_NAME, "--workspace", str(work))
    assert done.returncode == 0, done.stderr
    assert "config.toml: cannot read (not a regular file)" in done.stderr
    assert "MemoryError" not in done.stderr
    # A link out of the workspace is never committed (see test_outside_links.py).
    assert run_cli("sync", "--once", "--workspace", str(work)).returncode == 0
    assert git(work, "show", "HEAD:.papershelf/config.toml") == GOOD


def test_a_machine_toml_linked_to_dev_zero_is_one_line(tmp_path: Path) -> None:
    data = Path(os.environ["PAPERSHELF_DATA_DIR"])
    os.symlink("/dev/zero", data / "machine.toml")
    done = capped("status")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"papershelf: error: {data / 'machine.toml'}: cannot read (not a regular file)"
    )


def test_a_rejected_list_linked_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    from papershelf.feeds.decisions import add_rejected, load_rejected

    root = tmp_path / "ws"
    (root / ".papershelf").mkdir(parents=True)
    os.symlink("/dev/zero", root / ".papershelf" / "rejected.txt")
    workspace = open_workspace(root)
    assert load_rejected(workspace) == set()
    add_rejected(workspace, "arxiv:2401.00001")  # the link is replaced by a real file
    assert load_rejected(workspace) == {"arxiv:2401.00001"}
