"""The SQLite stores in the data dir (clip queue, candidate store) against a real `papershelf
serve` and CLI: a damaged file or a full disk is a 409 or one line naming the file, never a 500,
and serve still starts and says which part is degraded. The data dir and the stores are private."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from fs_support import can_mount_tmpfs, fill
from polling import wait_until
from server_support import REPO_ROOT, ServeProcess, make_workspace, run_cli, serving

from papershelf.feeds.store import CandidateStore
from papershelf.server.clipqueue import ClipQueue
from papershelf.sync.paths import data_dir

#: What a damaged store looks like to SQLite: bytes that are no database header.
GARBAGE = b"this is not a SQLite database, whatever its name says " * 8
UNTITLED = {"arxiv_id": "2101.00001", "list": "reading.md", "section": "Tools"}
TITLED = {**UNTITLED, "arxiv_id": "2101.00002", "title": "A Paper With a Title"}
#: Nothing listens here: every arXiv call is refused at once (the clip is then queued).
NO_ARXIV = "http://127.0.0.1:9/api/query"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- damaged stores ----------------------------------------------------------------------------


def test_damaged_stores_leave_serve_up_and_every_answer_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", NO_ARXIV)
    data = data_dir()
    queue_file, store_file = data / "clipqueue.sqlite3", data / "candidates.sqlite3"
    queue_file.write_bytes(GARBAGE)
    store_file.write_bytes(GARBAGE)
    workspace = make_workspace(tmp_path / "ws")
    with serving(workspace, "--no-sync") as server:  # feeds on: they need the candidate store
        banner = wait_until(lambda: "Press Ctrl+C" in server.stdout and server.stdout)
        status = server.request("GET", "/api/status")
        titled = server.request("POST", "/api/papers", json=TITLED)
        untitled = server.request("POST", "/api/papers", json=UNTITLED)
        lookup = server.request("GET", "/api/lookup?id=2001.00001")
        candidates = server.request("GET", "/api/candidates")
        reject = server.request("POST", "/api/candidates/1/reject", json={})
        offline = run_cli("status", "--workspace", str(workspace))
        listed = run_cli("candidates", "--workspace", str(workspace))
        queue_file.rename(data / "clipqueue.sqlite3.damaged")  # what the message says to do
        queued = server.request("POST", "/api/papers", json=UNTITLED)
    assert f"clip queue: error (The clip queue {queue_file} is damaged" in banner, banner
    assert f"feeds: error (The candidate store {store_file} is damaged" in banner, banner
    assert status.status_code == 200
    assert status.json()["clips"]["state"] == "error"
    assert str(queue_file) in status.json()["clips"]["error"]
    assert titled.status_code == 201  # a clip that needs no queue is not stopped by it
    assert untitled.status_code == 409 and str(queue_file) in untitled.json()["error"]
    assert "Nothing was saved" in untitled.json()["error"]
    assert lookup.status_code == 200 and lookup.json()["listed"] is True
    for answer in (candidates, reject):
        assert answer.status_code == 409, answer.text
        assert answer.json()["error"].startswith(f"The candidate store {store_file} is damaged")
    assert offline.returncode == 0, offline.stderr
    assert f"clips: error (The clip queue {queue_file} is damaged" in offline.stdout
    assert listed.returncode == 1 and listed.stdout == ""
    assert listed.stderr.startswith(f"papershelf: error: The candidate store {store_file} is")
    assert listed.stderr.count("\n") == 1 and "Traceback" not in listed.stderr
    assert queued.status_code == 202  # a new queue, made once the damaged one was moved aside


# -- a full data disk ------------------------------------------------------------------------


def test_a_full_data_disk_is_a_409_or_a_degraded_status_never_a_500(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not can_mount_tmpfs(tmp_path):
        pytest.skip("needs `unshare -rm` and mount (a private tmpfs for the data dir)")
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", NO_ARXIV)
    data = data_dir()
    mount = f'mount -t tmpfs -o size=4m tmpfs "{data}" && exec "$@"'
    server = ServeProcess(
        make_workspace(tmp_path / "ws"), prefix=("unshare", "-rm", "sh", "-c", mount, "sh")
    )
    try:
        inside = Path(f"/proc/{server.proc.pid}/root") / str(data).lstrip("/")  # its tmpfs
        token = (inside / "token").read_text().strip()
        headers = {"X-Papershelf-Token": token}

        def call(method: str, path: str, **kwargs: Any) -> requests.Response:
            return server.session.request(
                method, f"{server.url}{path}", headers=headers, timeout=30, **kwargs
            )

        fill(inside)
        answers = {
            "status": call("GET", "/api/status"),
            "lookup": call("GET", "/api/lookup?id=2601.20002"),
            "untitled": call("POST", "/api/papers", json=UNTITLED),
            "titled": call("POST", "/api/papers", json=TITLED),
            "candidates": call("GET", "/api/candidates"),
        }
        (inside / "filler").unlink()  # space again: everything works again, no restart
        recovered = call("POST", "/api/papers", json=UNTITLED)
    finally:
        server.kill()
    assert all(a.status_code < 500 for a in answers.values()), {
        k: (a.status_code, a.text[:200]) for k, a in answers.items()
    }
    assert answers["status"].status_code == 200 and answers["lookup"].status_code == 200
    assert answers["titled"].status_code == 201  # the workspace is on another disk
    untitled = answers["untitled"]
    assert untitled.status_code == 409, untitled.text
    assert f"The clip queue {data}/clipqueue.sqlite3 cannot be written" in untitled.json()["error"]
    assert "is the disk full?" in untitled.json()["error"]
    clips = answers["status"].json()["clips"]
    assert clips["state"] == "error" and "clipqueue.sqlite3" in clips["error"], clips
    if answers["candidates"].status_code != 200:
        assert answers["candidates"].status_code == 409
        assert "candidates.sqlite3" in answers["candidates"].json()["error"]
    assert recovered.status_code == 202, recovered.text


def test_the_cli_on_a_full_data_disk_says_one_line_naming_the_file(
    tmp_path: Path,
) -> None:
    if not can_mount_tmpfs(tmp_path):
        pytest.skip("needs `unshare -rm` and mount (a private tmpfs for the data dir)")
    data = data_dir()
    workspace = make_workspace(tmp_path / "ws")
    cli = f"{sys.executable} -m papershelf.server.cli"
    script = f"""
mount -t tmpfs -o size=1m tmpfs "{data}" || exit 99
{cli} token > /dev/null || exit 98
dd if=/dev/zero of="{data}/filler" bs=64k 2> /dev/null
{cli} token --rotate; echo "rotate exit $?"
{cli} status --workspace "{workspace}"; echo "status exit $?"
"""
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PAPERSHELF_ARXIV_API_URL": NO_ARXIV},
    )
    assert "rotate exit 1" in done.stdout, done.stdout + done.stderr
    assert (
        f"papershelf: error: Cannot write the token file {data}/token: No space left on device"
        in done.stderr
    )
    assert "status exit 0" in done.stdout, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "unexpected" not in done.stderr, done.stderr


# -- private files -----------------------------------------------------------------------------


def test_the_data_dir_is_made_0700_and_the_stores_0600(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", NO_ARXIV)
    data = tmp_path / "fresh" / "papershelf"  # not there yet: serve makes it
    monkeypatch.setenv("PAPERSHELF_DATA_DIR", str(data))
    with serving(make_workspace(tmp_path / "ws")) as server:
        assert server.request("POST", "/api/papers", json=UNTITLED).status_code == 202
        files = sorted(p.name for p in data.iterdir())
        modes = _store_modes(data)
    assert _mode(data) == 0o700, oct(_mode(data))
    assert {"clipqueue.sqlite3", "candidates.sqlite3"} <= set(modes), files
    assert set(modes.values()) == {0o600}, {k: oct(v) for k, v in modes.items()}
    assert _mode(data / "token") == 0o600


def _store_modes(folder: Path) -> dict[str, int]:
    """The modes of the SQLite files in `folder`; a -wal or -shm file SQLite removes between the
    listing and the stat (a connection closing) is simply not there."""
    modes = {}
    for path in folder.iterdir():
        if path.name.endswith(("sqlite3", "-wal", "-shm")):
            try:
                modes[path.name] = _mode(path)
            except FileNotFoundError:
                continue
    return modes


def test_stores_left_readable_by_others_are_made_private(tmp_path: Path) -> None:
    queue_file, store_file = tmp_path / "q.sqlite3", tmp_path / "c.sqlite3"
    ClipQueue(queue_file)
    CandidateStore(store_file)
    for path in (queue_file, store_file):
        os.chmod(path, 0o644)  # as papershelf left them before
    ClipQueue(queue_file)
    CandidateStore(store_file)
    assert _mode(queue_file) == 0o600 and _mode(store_file) == 0o600


def test_the_platform_data_dir_is_closed_to_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PAPERSHELF_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    made = data_dir()
    assert made == tmp_path / "xdg" / "papershelf" and _mode(made) == 0o700
    os.chmod(made, 0o755)  # as an older papershelf made it
    assert _mode(data_dir()) == 0o700
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    monkeypatch.setenv("PAPERSHELF_DATA_DIR", str(shared))  # a folder the user named keeps its mode
    assert data_dir() == shared and _mode(shared) == 0o755
