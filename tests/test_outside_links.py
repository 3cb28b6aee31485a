"""F7: a symlink to a file outside the workspace is never written through, read, or committed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gitsync_support import git
from review_harness import LIST_NAME, TOKEN, build_services, make_workspace
from test_review_pages import own_client, pair

from papershelf.server.app import create_app
from papershelf.server.review_auth import csrf_token
from papershelf.sync.check import fix_file
from papershelf.sync.errors import NotFound
from papershelf.sync.gitsync.daemon import SyncDaemon
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.workspace import open_workspace

MOJIBAKE = (
    "# Moji\n\n## Stuff\n\n- [CafÃ© Models](https://arxiv.org/abs/2101.00002), Jan. 2 2021.\n"
)
SECRET = "# Secret\n\n- [Private Notes](https://arxiv.org/abs/2101.99991), Jan. 1 2021.\n"


def _outside_links(root: Path) -> Path:
    """`moji.md` and `leak.md` in the workspace, linked to files in a folder beside it."""
    outside = root.parent / "outside"
    outside.mkdir()
    (outside / "moji.md").write_text(MOJIBAKE, encoding="utf-8")
    (outside / "secret.md").write_text(SECRET, encoding="utf-8")
    os.symlink("../outside/moji.md", root / "moji.md")
    os.symlink("../outside/secret.md", root / "leak.md")
    os.symlink(LIST_NAME, root / "alias.md")  # inside the workspace: a list like any other
    return outside


def test_review_apply_safe_fixes_refuses_a_link_to_an_outside_file(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    outside = _outside_links(root)
    services = build_services(root)
    client = own_client(create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN}))
    pair(client)
    answer = client.post("/review/lists/moji.md/fix", data={"csrf_token": csrf_token(TOKEN)})
    assert answer.status_code == 404
    assert (outside / "moji.md").read_text(encoding="utf-8") == MOJIBAKE
    assert os.readlink(root / "moji.md") == "../outside/moji.md"  # still the link, not a copy


def test_check_fix_refuses_it_with_the_clips_own_words(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    outside = _outside_links(root)
    with pytest.raises(NotFound, match="outside the workspace"):
        fix_file(open_workspace(root), "moji.md")
    assert (outside / "moji.md").read_text(encoding="utf-8") == MOJIBAKE


def test_the_index_and_the_lists_leave_outside_files_unread(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    _outside_links(root)
    workspace = open_workspace(root)
    assert "leak.md" not in workspace.list_paths() and "moji.md" not in workspace.list_paths()
    assert "alias.md" in workspace.list_paths()
    index = WorkspaceIndex.build(workspace)
    assert index.lookup("2101.99991") == []
    assert "leak.md" not in index.documents()


def test_the_daemon_does_not_commit_a_link_to_an_outside_file(tmp_path: Path) -> None:
    root = make_workspace(tmp_path / "ws")
    git(root, "init", "-q", "-b", "main")
    _outside_links(root)
    result = SyncDaemon(open_workspace(root)).run_once()
    assert result.ok, result
    tracked = git(root, "ls-files").split()
    assert LIST_NAME in tracked and "alias.md" in tracked
    assert "leak.md" not in tracked and "moji.md" not in tracked
