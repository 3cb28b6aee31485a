"""`papershelf token`, `papershelf status` and serve's refusals, through the real CLI entry point."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path

import pytest
from server_support import make_workspace

from server.cli import main
from server.clipqueue import ClipQueue
from server.serving import check_bind_host, is_loopback, url_host
from server.token import token_path
from sync.errors import BadInput
from sync.paper import Paper


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
    assert "server: off" in out
    assert "clips: 1 queued, 1 failed" in out
    assert "2611.04417 -> reading.md › Tools" in out and "arXiv down" in out
    assert "no section 'Gone'" in out
    code, out, _ = run(capsys, "status", "--json", "--workspace", str(workspace))
    body = json.loads(out)
    assert body["server"] == {"state": "off"}
    assert body["clips"]["queued"] == 1 and body["clips"]["failed"] == 1
    assert body["sync"]["state"] in {"recorded", "unavailable", "error"}
    assert body["feeds"]["state"] in {"recorded", "unavailable", "error"}


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
    for host in ("0.0.0.0", "192.168.1.5", "::"):
        assert not is_loopback(host)
        with pytest.raises(BadInput):
            check_bind_host(host, allow_remote=False)
        check_bind_host(host, allow_remote=True)
    assert url_host("0.0.0.0") == "127.0.0.1" and url_host("::1") == "[::1]"
