"""`.papershelf/config.toml`: an unknown key in a known table, or a known table that is not a
table, is one line naming the file, the table and the key; papershelf then runs on the last good
config (here: the defaults) instead of refusing to start, and never commits the broken one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES
from gitsync_support import LIST_NAME, clone, make_remote
from server_support import run_cli

WARNING = "WARNING papershelf.sync.lastgood: "
UNTIL_FIXED = "; papershelf runs with the default settings until it is fixed"


def _config(root: Path, text: str) -> Path:
    (root / ".papershelf").mkdir(parents=True, exist_ok=True)
    path = root / ".papershelf" / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _warning(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith(WARNING)]
    assert len(lines) == 1, stderr
    return lines[0].removeprefix(WARNING)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[sync]\nquiet_second = 1.0\n", "[sync] has an unknown key quiet_second"),
        ("[sync]\npussh = false\n", "[sync] has an unknown key pussh (did you mean push?)"),
        ("sync = 3\n", "sync must be a table ([sync]), not an integer"),
    ],
)
def test_sync_once_names_an_unknown_sync_key_and_does_not_commit_it(
    tmp_path: Path, text: str, expected: str
) -> None:
    work = clone(make_remote(tmp_path), tmp_path / "work")
    config = _config(work, text)
    done = run_cli("sync", "--once", "--workspace", str(work))
    assert done.returncode == 1, done.stderr
    warning = _warning(done.stderr)
    assert warning.startswith(f"{config}: ") and expected in warning
    assert warning.endswith(UNTIL_FIXED)
    if "quiet_second " in text:
        assert "(did you mean quiet_seconds?)" in warning
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"papershelf: error: {config}: ") and "not committed" in last


def test_an_unknown_lists_key_is_named_by_check(tmp_path: Path) -> None:
    work = clone(make_remote(tmp_path), tmp_path / "work")
    config = _config(work, '[lists]\nincludes = ["*.md"]\n')
    done = run_cli("check", LIST_NAME, "--workspace", str(work))
    assert done.returncode == 0, done.stderr
    assert _warning(done.stderr) == (
        f"{config}: [lists] has an unknown key includes (did you mean include?).{UNTIL_FIXED}"
    )


def test_an_unknown_poll_key_is_named_by_poll(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    shutil.copyfile(FEED_FIXTURES / "lists" / "training.md", root / "training.md")
    config = _config(root, '[lists]\ninclude = ["*.md"]\n[poll]\nmin_scor = 0.0\n')
    feed = FEED_FIXTURES / "rss" / "arxiv_cs.CL+cs.LG_mixed.xml"
    done = run_cli("poll", "--from-file", str(feed), "--workspace", str(root), "--json")
    assert done.returncode == 0, done.stderr
    warning = _warning(done.stderr)
    assert f"{config}: [poll] has an unknown key min_scor (did you mean min_score?)." in warning
