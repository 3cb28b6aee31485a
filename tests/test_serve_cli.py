"""`papershelf token`, `papershelf status` and serve's refusals, through the real CLI entry point."""

from __future__ import annotations

import json
import socket
import stat
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from polling import free_port
from server_support import make_workspace

from papershelf.server.cli import main
from papershelf.server.clipqueue import ClipQueue
from papershelf.server.services import clear_server_state, write_server_state
from papershelf.server.serving import (
    check_bind_host,
    is_loopback,
    keep_big_buffers,
    start_server,
    url_host,
)
from papershelf.server.token import token_path
from papershelf.sync.errors import BadInput
from papershelf.sync.gitsync.status import empty_status
from papershelf.sync.gitsync.status import save as save_sync_status
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import open_workspace


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_token_prints_the_same_token_until_rotated(capsys) -> None:
    code, first, _ = run(capsys, "token")
    assert code == 0 and len(first.strip()) >= 40
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600
    assert run(capsys, "token")[1] == first
    code, rotated, _ = run(capsys, "token", "--rotate")
    assert code == 0 and rotated != first
    code, out, _ = run(capsys, "token", "--json")
    body = json.loads(out)
    assert body["token"] == rotated.strip() and body["path"] == str(token_path())


def test_status_without_a_server_reads_persisted_state(capsys, tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    queue = ClipQueue()
    queue.put(
        str(workspace.resolve()),
        Paper(arxiv_id="2611.04417"),
        "reading.md",
        "Tools",
        error="arXiv down",
    )
    failed = queue.put(str(workspace.resolve()), Paper(arxiv_id="2611.05123"), "reading.md", "Gone")
    queue.mark_failed(failed.id, "no section 'Gone' in this list")
    code, out, err = run(capsys, "status", "--workspace", str(workspace))
    assert code == 0, err
    assert "server: not running (papershelf serve starts it)" in out
    assert "clips: 1 queued, 1 failed" in out
    assert "2611.04417 -> reading.md › Tools" in out and "arXiv down" in out
    assert "no section 'Gone'" in out
    code, out, _ = run(capsys, "status", "--json", "--workspace", str(workspace))
    body = json.loads(out)
    assert body["server"] == {"state": "off"}
    assert body["clips"]["queued"] == 1 and body["clips"]["failed"] == 1
    assert body["sync"]["state"] in {"recorded", "error"}
    assert body["feeds"]["state"] in {"recorded", "error"}


def test_status_of_another_workspace_does_not_claim_its_server(capsys, tmp_path: Path) -> None:
    served = make_workspace(tmp_path / "served")
    other = make_workspace(tmp_path / "other")
    write_server_state(f"http://127.0.0.1:{free_port()}", open_workspace(served))
    try:
        code, out, err = run(capsys, "status", "--workspace", str(other))
        assert code == 0, err
        assert "server: not running" in out
        code, out, _ = run(capsys, "status", "--json", "--workspace", str(other))
        assert json.loads(out)["server"] == {"state": "off"}
        _, out, _ = run(capsys, "status", "--json", "--workspace", str(served))
        assert json.loads(out)["server"]["state"] == "running"
    finally:
        clear_server_state()


def test_status_text_reads_as_sentences_not_python_dicts(capsys, tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    recorded = empty_status(ws)
    recorded.update(
        last_commit={
            "sha": "d34b44e2c731eba28900d1b727b960939462d1d9",
            "message": "Edit reading.md\n\nEdited reading.md: Tools",
            "time": "2026-11-29T17:45:20+00:00",
        },
        last_push={"time": "2026-11-29T17:44:54+00:00", "ok": False, "error": "remote unreachable"},
        conflict={
            "files": ["reading.md"],
            "details": ["reading.md: Tools: - [A paper](https://arxiv.org/abs/2611.04417)"],
            "time": "2026-11-29T17:45:21+00:00",
            "head": "d34b44e",
            "upstream": "d8cd6e6",
        },
        paused=True,
    )
    save_sync_status(ws, recorded)
    code, out, err = run(capsys, "status", "--workspace", str(ws))
    assert code == 0, err
    assert "{" not in out and "\\n" not in out and "True" not in out and "None" not in out
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("sync:")))
    assert lines[start : start + 3] == [
        'sync: not running; last commit d34b44e "Edit reading.md" at 2026-11-29 17:45 UTC',
        "  last push failed at 2026-11-29 17:44 UTC: remote unreachable",
        "  conflict in reading.md, sharing paused: reading.md: Tools: - [A paper]"
        "(https://arxiv.org/abs/2611.04417) (docs/sync.md says how to resolve it)",
    ]


def test_serve_refuses_a_public_host_without_allow_remote(capsys, tmp_path: Path) -> None:
    code, out, err = run(
        capsys, "serve", "--host", "0.0.0.0", "--workspace", str(make_workspace(tmp_path / "ws"))
    )
    assert code == 2
    assert err.count("\n") == 1 and "--allow-remote" in err and "Traceback" not in err


def test_serve_on_a_busy_port_is_one_line(capsys, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err = run(
            capsys,
            "serve",
            "--port",
            str(port),
            "--no-sync",
            "--no-feeds",
            "--workspace",
            str(make_workspace(tmp_path / "ws")),
        )
    assert code == 1
    assert err.startswith("papershelf: error: Cannot listen on 127.0.0.1:") and err.count("\n") == 1


def test_bind_host_rules() -> None:
    for host in ("127.0.0.1", "localhost", "::1", "127.0.0.2"):
        assert is_loopback(host)
        check_bind_host(host, allow_remote=False)
    for host in ("0.0.0.0", "192.168.1.5", "::", "127.example.com", "127.1", "localhost.evil"):
        assert not is_loopback(host)
        with pytest.raises(BadInput):
            check_bind_host(host, allow_remote=False)
        check_bind_host(host, allow_remote=True)
    assert url_host("0.0.0.0") == "127.0.0.1" and url_host("::1") == "[::1]"


def _plain_app(environ: dict, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def test_an_idle_server_waits_in_select_instead_of_spinning() -> None:
    """Waitress reads its loop timeout as an int: 0.25 became 0 and the idle loop burned a core.

    CPU time is the process's over a one-second window in which nobody calls the server: a
    spinning loop spends most of it, a waiting one almost none.
    """
    running = start_server(_plain_app, "127.0.0.1", 0)
    try:
        assert running.server.adj.asyncore_loop_timeout >= 1
        with requests.Session() as session:
            session.trust_env = False
            assert session.get(f"http://127.0.0.1:{running.port}/", timeout=5).text == "ok"
        cpu_before, wall_before = time.process_time(), time.monotonic()
        threading.Event().wait(1.0)  # the measured window itself, not a wait for something
        cpu_seconds = time.process_time() - cpu_before
        wall_seconds = time.monotonic() - wall_before
        assert cpu_seconds < 0.25 * wall_seconds, f"{cpu_seconds:.2f} s CPU in {wall_seconds:.2f} s"
    finally:
        running.stop()


def test_the_http_loop_survives_a_socket_numbered_above_1023() -> None:
    """select() cannot watch a descriptor above 1023: with many files open (a thousand changed
    lists being committed) the HTTP thread died for good. The loop uses poll()."""
    import os
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 1200:
        if hard != resource.RLIM_INFINITY and hard < 1200:
            pytest.skip(f"the descriptor limit ({hard}) is too low to open 1,100 files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (1200, hard))
    running = start_server(_plain_app, "127.0.0.1", 0)
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]  # the next sockets: > 1023
    try:
        with requests.Session() as session:
            session.trust_env = False
            for _ in range(3):
                assert session.get(f"http://127.0.0.1:{running.port}/", timeout=5).text == "ok"
        assert running.thread.is_alive()
    finally:
        for fd in held:
            os.close(fd)
        running.stop()
        if soft < 1200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_serve_keeps_big_buffers_on_glibc() -> None:
    """On glibc the multi-megabyte buffers of a big list's clips come from a reused heap."""
    import platform

    applied = keep_big_buffers()
    expected = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"
    assert applied is expected
