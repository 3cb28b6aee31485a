"""F8: a workspace that is a folder inside another repository (a dotfiles repo) is never
committed to it nor pushed to its remote, unless the user names that repository."""

from __future__ import annotations

import os
from pathlib import Path

from gitsync_support import LIST, LIST_NAME, clone, git, make_remote
from server_support import run_cli, serving


def _dotfiles(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A dotfiles repo (with its remote) holding a folder of lists and a note with a secret."""
    remote = make_remote(tmp_path, {"README.md": "dotfiles\n"})
    home = clone(remote, tmp_path / "home")
    lists = home / "lists"
    lists.mkdir()
    (lists / LIST_NAME).write_text(LIST, encoding="utf-8")
    (lists / "notes.md").write_text("secret-token=abc\n", encoding="utf-8")
    return remote, home, lists


def test_sync_refuses_to_commit_a_workspace_into_the_repository_around_it(tmp_path: Path) -> None:
    remote, home, lists = _dotfiles(tmp_path)
    head = git(remote, "rev-parse", "main")
    done = run_cli("sync", "--once", "--workspace", str(lists))
    assert done.returncode != 0
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith(f"papershelf: error: {lists} is a folder inside the git repository")
    assert str(home) in line and 'sync.repository = ".."' in line
    assert git(remote, "rev-parse", "main") == head  # nothing pushed
    assert git(home, "log", "--format=%s") == "Start the lists\n"  # nothing committed
    with serving(lists, "--no-feeds") as server:
        sync = server.request("GET", "/api/status").json()["sync"]
        assert "is a folder inside the git repository" in str(sync), sync
    assert git(home, "log", "--format=%s") == "Start the lists\n"


def test_a_named_enclosing_repository_is_synced(tmp_path: Path) -> None:
    remote, home, lists = _dotfiles(tmp_path)
    (lists / "notes.md").unlink()
    (lists / ".papershelf").mkdir()
    (lists / ".papershelf" / "config.toml").write_text(
        '[sync]\nrepository = ".."\n', encoding="utf-8"
    )
    done = run_cli("sync", "--once", "--workspace", str(lists))
    assert done.returncode == 0, done.stderr
    pushed = git(remote, "show", "--stat", "--format=%s", "main")
    assert "lists/training.md" in pushed and "lists/.papershelf/config.toml" in pushed


def test_the_default_workspace_gets_a_repository_of_its_own(tmp_path: Path) -> None:
    remote, home, _lists = _dotfiles(tmp_path)
    data = home / ".local" / "share" / "papershelf"
    env = {**os.environ, "PAPERSHELF_DATA_DIR": str(data)}
    done = run_cli("sync", "--once", env=env)
    assert done.returncode == 0, done.stderr
    workspace = data / "workspace"
    assert (workspace / ".git").is_dir()
    assert git(workspace, "log", "--format=%s") == "Start the papershelf workspace\n"
    assert git(home, "log", "--format=%s") == "Start the lists\n"
    assert git(remote, "log", "--format=%s", "main") == "Start the lists\n"
