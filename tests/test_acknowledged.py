"""A clip that an editor's stale buffer overwrites before it is committed is the editor's doing;
papershelf keeps the editor's save, notices that its acknowledged entry vanished, and says so."""

from __future__ import annotations

from pathlib import Path

from gitsync_support import git
from polling import wait_until
from server_support import make_workspace, serving

from papershelf.sync.gitsync.daemon import SyncDaemon, load_status
from papershelf.sync.insert import add_paper
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import open_workspace

LIST = "reading.md"


def _repo(root: Path, quiet: float = 1.0) -> Path:
    make_workspace(root)
    (root / ".papershelf" / "config.toml").write_text(
        f"[sync]\nquiet_seconds = {quiet}\npush = false\n", encoding="utf-8"
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def _clip(n: int, title: str) -> dict:
    return {
        "arxiv_id": f"2612.{n:05d}",
        "title": title,
        "published": "2026-12-01",
        "list": LIST,
        "section": "Tools",
    }


def test_a_clip_a_stale_editor_buffer_overwrote_is_named_in_the_status(tmp_path: Path) -> None:
    root = _repo(tmp_path / "ws")
    path = root / LIST
    with serving(root, "--no-feeds") as server:
        stale = path.read_bytes()  # an editor has the list open
        answer = server.request("POST", "/api/papers", json=_clip(1, "Overwritten By A Buffer"))
        assert answer.status_code == 201
        path.write_bytes(stale)  # ... and saves its buffer, without the clip

        def said() -> str:
            return server.request("GET", "/api/status").json()["sync"].get("notice") or ""

        notice = wait_until(said, timeout_seconds=30, what="the notice")
        assert 'the clip "Overwritten By A Buffer" (reading.md, acknowledged' in notice
        assert "removed from the list before it was committed" in notice
    assert path.read_bytes() == stale  # the editor's save is kept


def test_a_committed_clip_removed_later_or_one_moved_by_a_person_is_no_news(
    tmp_path: Path,
) -> None:
    root = _repo(tmp_path / "ws")
    ws = open_workspace(root)
    (root / "other.md").write_text("# Other\n\n## Moved here\n\n", encoding="utf-8")
    paper = Paper(arxiv_id="2612.00002", title="Committed Then Removed", published="2026-12-01")
    add_paper(ws, paper, LIST, "Tools")
    daemon = SyncDaemon(open_workspace(root))
    assert daemon.run_once().ok
    before = (root / LIST).read_text(encoding="utf-8")
    moved = Paper(arxiv_id="2612.00003", title="Moved By A Person", published="2026-12-01")
    add_paper(ws, moved, LIST, "Tools")
    line = next(
        x for x in (root / LIST).read_text(encoding="utf-8").splitlines() if "Moved By" in x
    )
    (root / LIST).write_text(
        before.replace("- [Committed Then Removed", "- [x"), encoding="utf-8"
    )  # the committed one edited away, the new one cut...
    with open(root / "other.md", "a", encoding="utf-8") as fh:
        fh.write(line + "\n")  # ... and pasted into another list
    assert daemon.run_once().ok
    assert load_status(ws)["notice"] is None
