"""A real `papershelf serve` subprocess on 127.0.0.1: banner, signals, load, kill -9, queue, sync."""

from __future__ import annotations

import json
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from polling import wait_until
from server_support import (
    TOKEN_HEADER,
    ArxivFixtureServer,
    ServeProcess,
    make_workspace,
    run_cli,
    serving,
)

from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.listmodel import parse_list
from papershelf.sync.workspace import open_workspace

pytestmark = pytest.mark.slow


def clip_body(n: int, form: int = 0) -> dict:
    """Paper number `n` as the extension sends it from an abs page; `form` varies the identifier."""
    arxiv_id = f"2612.{n:05d}"
    ident = [
        {"arxiv_id": arxiv_id},
        {"arxiv_id": f"{arxiv_id}v2"},
        {"url": f"https://arxiv.org/abs/{arxiv_id}v1"},
        {"url": f"https://arxiv.org/pdf/{arxiv_id}"},
        {"url": f"https://arxiv.org/html/{arxiv_id}v3", "arxiv_id": f"{arxiv_id}v3"},
    ][form % 5]
    return {
        **ident,
        "title": f"Concurrent clip number {n} about careful writes",
        "authors": ["Ada Lovelace", "Grace Hopper"],
        "published": "2026-12-01",
        "list": "reading.md",
        "section": "Tools",
    }


_sessions = threading.local()


def post_clip(server: ServeProcess, body: dict, token: str) -> requests.Response:
    """POST a clip like the extension: one keep-alive connection per caller (thread)."""
    session = getattr(_sessions, "session", None)
    if session is None:
        session = _sessions.session = requests.Session()
        session.trust_env = False
    return session.post(
        f"{server.url}/api/papers",
        json=body,
        headers={TOKEN_HEADER: token, "Origin": "chrome-extension://abcdefghijklmnop"},
        timeout=30,
    )


def test_serve_prints_url_pairing_and_review_url_then_stops_on_sigterm(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    server = ServeProcess(workspace)
    try:
        banner = wait_until(lambda: "Press Ctrl+C" in server.stdout and server.stdout)
        token = server.token
        assert server.url in banner
        assert token in banner  # how to pair
        assert f"{server.url}/review/pair?code=" in banner  # a one-time code, never the token
        assert banner.count(token) == 1  # the line that says what to paste into the extension
        assert token not in server.stderr  # never in the logs
        ping = server.session.get(f"{server.url}/api/ping", timeout=5).json()
        assert ping == {"ok": True, "app": "papershelf", "version": ping["version"], "api": 1}
        # The bound port is enforced: a rebinding Host is refused even on the right socket.
        refused = server.session.get(f"{server.url}/api/ping", headers={"Host": "evil.example:80"})
        assert refused.status_code == 403 and refused.json()["ok"] is False
        status = server.request("GET", "/api/status").json()
        assert status["sync"]["state"] == "off" and status["feeds"]["state"] == "off"
        assert "server.json" in {p.name for p in Path(server.token_path).parent.iterdir()}
        seconds = server.stop(signal.SIGTERM)
        assert server.proc.returncode == 0, server.output()
        assert seconds < 5
        assert "stopped" in server.stdout
        assert not (Path(server.token_path).parent / "server.json").exists()
    finally:
        server.kill()


def test_sigint_stops_it_too(tmp_path: Path) -> None:
    with serving(make_workspace(tmp_path / "ws")) as server:
        assert server.stop(signal.SIGINT) < 5
        assert server.proc.returncode == 0, server.output()


def test_hundred_concurrent_clips_of_twenty_papers_are_written_exactly_once(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    bodies = [clip_body(n, form) for form in range(5) for n in range(20)]
    with serving(workspace) as server:
        token = server.token
        with ThreadPoolExecutor(max_workers=32) as pool:
            answers = list(pool.map(lambda body: post_clip(server, body, token), bodies))
    codes = [a.status_code for a in answers]
    assert sorted(set(codes)) == [200, 201], [a.json() for a in answers if a.status_code >= 300]
    assert codes.count(201) == 20 and codes.count(200) == 80
    added = {a.json()["entry"] for a in answers if a.status_code == 201}
    text = (workspace / "reading.md").read_text(encoding="utf-8")
    for n in range(20):
        assert text.count(f"2612.{n:05d}") == 1, n
    for entry in added:
        assert entry in text
    # Every answer for one paper names the same entry (its line moves as papers go in above it
    # when the list keeps its papers in date order).
    entries: dict[str, set[str]] = {}
    for body, answer in zip(bodies, answers, strict=True):
        key = (body.get("arxiv_id") or body["url"]).split("/")[-1][:10]
        entries.setdefault(key, set()).add(answer.json()["entry"])
    assert all(len(found) == 1 for found in entries.values())


def test_kill_9_mid_burst_leaves_lists_parseable_and_every_2xx_clip_present(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    server = ServeProcess(workspace)
    token = server.token
    acknowledged: list[dict] = []
    lock = threading.Lock()

    def one(n: int) -> None:
        try:
            answer = post_clip(server, clip_body(100 + n), token)
        except requests.RequestException:
            return  # the server died under this request: no promise was made
        if 200 <= answer.status_code < 300:
            with lock:
                acknowledged.append(answer.json())

    try:
        with ThreadPoolExecutor(max_workers=16) as pool:
            for n in range(400):
                pool.submit(one, n)
            wait_until(lambda: len(acknowledged) >= 40, timeout_seconds=60)
            server.kill()  # SIGKILL in the middle of the burst
    finally:
        server.kill()
    assert server.proc.returncode == -signal.SIGKILL
    assert 40 <= len(acknowledged) < 400
    data = (workspace / "reading.md").read_bytes()
    text = data.decode("utf-8")  # whole, valid UTF-8: never half a write
    assert parse_list(data).render() == data
    index = WorkspaceIndex.build(open_workspace(workspace))
    for answer in acknowledged:
        assert answer["entry"] in text
        assert index.lookup_title(answer["entry"].split("[", 1)[1].split("]", 1)[0])
    # A temp file a killed write may leave behind is never taken for a list.
    assert open_workspace(workspace).list_paths() == ["reading.md"]
    # A new server on the same workspace and data dir works: no stale lock blocks it.
    with serving(workspace) as again:
        again_answer = post_clip(again, clip_body(999), again.token)
        assert again_answer.status_code == 201, again_answer.text


def test_clip_queued_while_arxiv_is_down_is_added_after_a_restart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    with ArxivFixtureServer() as arxiv:
        monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", arxiv.url)
        arxiv.up = False
        args = ("--no-sync", "--no-feeds", "--clip-retry-seconds", "0.2")
        with serving(workspace, *args) as server:
            answer = post_clip(
                server,
                {
                    "url": "https://arxiv.org/pdf/2611.04417",
                    "list": "reading.md",
                    "section": "Tools",
                },
                server.token,
            )
            assert answer.status_code == 202, answer.text
            queue_id = answer.json()["queue_id"]
            status = server.request("GET", "/api/status").json()["clips"]
            assert status["queued"] == 1 and status["items"][0]["id"] == queue_id
            assert server.stop() < 5
        assert "2611.04417" not in (workspace / "reading.md").read_text()
        offline = run_cli("status", "--json", "--workspace", str(workspace))
        assert json.loads(offline.stdout)["clips"]["queued"] == 1

        arxiv.up = True
        with serving(workspace, *args) as server:
            wait_until(
                lambda: server.request("GET", "/api/status").json()["clips"]["queued"] == 0,
                timeout_seconds=30,
            )
            lookup = server.request("GET", "/api/lookup?id=2611.04417").json()
            assert lookup["listed"] is True
    assert "Shelving Papers by Hand" in (workspace / "reading.md").read_text()


def test_token_rotation_takes_effect_in_a_running_server(tmp_path: Path) -> None:
    with serving(make_workspace(tmp_path / "ws")) as server:
        old = server.token
        assert server.request("GET", "/api/lists").status_code == 200
        rotated = run_cli("token", "--rotate").stdout.strip()
        assert rotated != old and rotated == server.token
        stale = requests.get(f"{server.url}/api/lists", headers={TOKEN_HEADER: old}, timeout=5)
        assert stale.status_code == 401
        assert server.request("GET", "/api/lists").status_code == 200


def test_serve_with_sync_and_feeds_commits_a_clip(tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    (workspace / ".papershelf" / "config.toml").write_text(
        "[sync]\nquiet_seconds = 0.2\npush = false\n", encoding="utf-8"
    )
    git = ["git", "-C", str(workspace)]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "start"], check=True)
    # Sync and feeds both run in-process (no feeds configured: nothing is polled).
    with serving(workspace, "--threads", "4") as server:
        status = server.request("GET", "/api/status").json()
        assert status["sync"]["state"] == "running", status["sync"]
        assert status["feeds"]["state"] == "running", status["feeds"]
        assert post_clip(server, clip_body(7), server.token).status_code == 201

        def committed() -> bool:
            log = subprocess.run([*git, "log", "--format=%s"], capture_output=True, text=True)
            return "Concurrent clip number 7" in log.stdout

        wait_until(committed, timeout_seconds=20)
        assert server.stop() < 5, server.output()
        assert server.proc.returncode == 0


def test_serve_on_another_loopback_address_answers_the_url_it_prints(tmp_path: Path) -> None:
    # `--host 127.0.0.2` was taken as loopback, but the Host check then refused every request.
    workspace = make_workspace(tmp_path / "ws")
    server = ServeProcess(workspace, "--no-sync", "--no-feeds", host="127.0.0.2")
    try:
        banner = wait_until(lambda: "Press Ctrl+C" in server.stdout and server.stdout)
        assert f"http://127.0.0.2:{server.port}" in banner
        assert server.request("GET", "/api/lists").status_code == 200
        assert server.session.get(f"{server.url}/review", timeout=10).status_code == 200
    finally:
        server.kill()
    refused = run_cli("serve", "--host", "127.example.com")
    assert refused.returncode == 2, refused.stderr
    assert refused.stderr.startswith("papershelf: error: Refusing to listen on 127.example.com")
