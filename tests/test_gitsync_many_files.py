"""A thousand changed lists at once, under a desktop's file limit: committed, server answering."""

from __future__ import annotations

import contextlib
import resource
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from gitsync_support import git
from polling import wait_until
from server_support import REPO_ROOT, make_workspace, serving

pytestmark = pytest.mark.slow

MANY = 1200


@contextlib.contextmanager
def file_limit(soft: int) -> Iterator[None]:
    """Processes started inside inherit a soft limit of `soft` open files (a desktop: 1024;
    macOS: 256)."""
    old_soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, hard), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (old_soft, hard))


def _repo_with_lists(root: Path) -> Path:
    make_workspace(root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def _write_many(root: Path, folder: str = "gen") -> None:
    (root / folder).mkdir()
    for n in range(MANY):
        (root / folder / f"l{n:04d}.md").write_text(f"# List {n}\n", encoding="utf-8")


def test_sync_once_commits_1200_new_lists_with_256_files_open_at_most(tmp_path: Path) -> None:
    root = _repo_with_lists(tmp_path / "ws")
    _write_many(root)
    with file_limit(256):
        done = subprocess.run(
            [sys.executable, "-m", "papershelf.server.cli", "sync", "--once", "--workspace", str(root)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert git(root, "status", "--porcelain") == ""
    assert len(git(root, "ls-files", "gen").splitlines()) == MANY


def test_serve_answers_and_commits_while_1200_lists_change(tmp_path: Path) -> None:
    root = _repo_with_lists(tmp_path / "ws")
    (root / ".papershelf" / "config.toml").write_text(
        "[sync]\nquiet_seconds = 0.5\npush = false\n", encoding="utf-8"
    )
    git(root, "add", "-A")
    git(root, "commit", "-qm", "config")
    with file_limit(1024), serving(root, "--no-feeds") as server:
        _write_many(root)
        pings = []

        def committed() -> bool:
            pings.append(server.request("GET", "/api/ping", timeout=5).status_code)
            return git(root, "status", "--porcelain") == ""

        wait_until(committed, timeout_seconds=90, what="the 1,200 lists committed")
        assert set(pings) == {200}
        # The daemon goes on committing: a clip made afterwards is committed too.
        clip = {
            "arxiv_id": "2612.00042",
            "title": "After the flood",
            "published": "2026-12-01",
            "list": "reading.md",
            "section": "Tools",
        }
        assert server.request("POST", "/api/papers", json=clip).status_code == 201
        wait_until(
            lambda: "After the flood" in git(root, "log", "-1", "--format=%s"),
            timeout_seconds=30,
            what="the clip's commit",
        )
        assert "Too many open files" not in server.stderr
    assert len(git(root, "ls-files", "gen").splitlines()) == MANY
