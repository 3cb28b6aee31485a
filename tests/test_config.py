"""`.papershelf/config.toml`: an unknown key in a known table, or a known table that is not a
table, is one config line naming the file, the table and the key (exit 2 on the CLI)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES
from gitsync_support import LIST_NAME, clone, make_remote

from server.cli import main


def _config(root: Path, text: str) -> Path:
    (root / ".papershelf").mkdir(parents=True, exist_ok=True)
    path = root / ".papershelf" / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _one_line(capsys: pytest.CaptureFixture) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("papershelf: error:"), err
    return err.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[sync]\nquiet_second = 1.0\n", "[sync] has an unknown key quiet_second"),
        ("[sync]\npussh = false\n", "[sync] has an unknown key pussh (did you mean push?)"),
        ("sync = 3\n", "sync must be a table ([sync]), not an integer"),
    ],
)
def test_sync_once_refuses_an_unknown_sync_key_or_a_sync_that_is_no_table(
    tmp_path: Path, capsys, text: str, expected: str
) -> None:
    work = clone(make_remote(tmp_path), tmp_path / "work")
    config = _config(work, text)
    assert main(["sync", "--once", "--workspace", str(work)]) == 2
    line = _one_line(capsys)
    assert str(config) in line and expected in line
    if "quiet_second " in text:
        assert line.endswith("(did you mean quiet_seconds?).")


def test_an_unknown_lists_key_is_refused_by_check(tmp_path: Path, capsys) -> None:
    work = clone(make_remote(tmp_path), tmp_path / "work")
    config = _config(work, '[lists]\nincludes = ["*.md"]\n')
    assert main(["check", LIST_NAME, "--workspace", str(work)]) == 2
    line = _one_line(capsys)
    assert line == (
        f"papershelf: error: {config}: [lists] has an unknown key includes (did you mean include?)."
    )


def test_an_unknown_poll_key_is_refused_by_poll(tmp_path: Path, capsys) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copyfile(FEED_FIXTURES / "lists" / "training.md", root / "training.md")
    config = _config(root, '[lists]\ninclude = ["*.md"]\n[poll]\nmin_scor = 0.0\n')
    feed = FEED_FIXTURES / "rss" / "arxiv_cs.CL+cs.LG_mixed.xml"
    args = ["poll", "--from-file", str(feed), "--workspace", str(root), "--json"]
    assert main(args) == 2
    line = _one_line(capsys)
    assert f"{config}: [poll] has an unknown key min_scor (did you mean min_score?)." in line
