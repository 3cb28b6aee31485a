"""Connections against a real `papershelf serve` on 127.0.0.1: hundreds of slow connections
(slowloris) neither lock others out nor stay open for ever."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from pathlib import Path

import pytest
import requests
from polling import wait_until
from server_support import make_workspace, serving

from papershelf.server.serving import CONNECTION_LIMIT
from papershelf.server.waitress_server import CHECK_INTERVAL_SECONDS, REQUEST_RECEIVE_SECONDS

#: More slow connections than the server holds at once.
SLOW_CONNECTIONS = CONNECTION_LIMIT + 88
#: How long the attack runs while pings are timed.
ATTACK_SECONDS = 14.0
#: A ping answered within this is an answered ping, attack or not.
PING_BUDGET_SECONDS = 3.0


class Slowloris:
    """Connections that send a partial request and then one byte a second; each one the server
    closes is opened again, so the server is always as full as the attacker can make it."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.sockets = [self._open() for _ in range(count)]
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._trickle, daemon=True)

    def _open(self) -> socket.socket | None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
            sock.sendall(f"GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n".encode())
        except OSError:
            return None
        return sock

    def _trickle(self) -> None:
        while not self._stop.wait(1.0):
            for i, sock in enumerate(self.sockets):
                try:
                    if sock is None:
                        raise OSError("not open")
                    sock.send(b"X")
                except OSError:
                    if sock is not None:
                        sock.close()
                    self.sockets[i] = self._open()
                    self.reopened += 1

    def __enter__(self) -> Slowloris:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        for sock in self.sockets:
            if sock is not None:
                sock.close()


def _ping(port: int) -> float:
    """Seconds a ping on a fresh connection took; fails unless it answered 200 in the budget."""
    started = time.monotonic()
    with requests.Session() as session:
        session.trust_env = False
        answer = session.get(
            f"http://127.0.0.1:{port}/api/ping",
            headers={"Connection": "close"},
            timeout=PING_BUDGET_SECONDS,
        )
    assert answer.status_code == 200
    return time.monotonic() - started


def test_slow_connections_beyond_the_limit_do_not_lock_others_out(tmp_path: Path) -> None:
    with serving(make_workspace(tmp_path / "ws")) as server:
        with Slowloris(server.port, SLOW_CONNECTIONS) as attack:
            opened = sum(s is not None for s in attack.sockets)
            assert opened == SLOW_CONNECTIONS  # the kernel queues what the server has not taken
            pings = []
            deadline = time.monotonic() + ATTACK_SECONDS
            while time.monotonic() < deadline:
                pings.append(_ping(server.port))
                threading.Event().wait(0.5)  # pace the pings; not waiting for an event
            reopened = attack.reopened
        after = _ping(server.port)
    assert len(pings) >= 10 and max(pings) < PING_BUDGET_SECONDS, pings
    assert reopened >= SLOW_CONNECTIONS - CONNECTION_LIMIT, reopened  # the server closed them
    assert after < PING_BUDGET_SECONDS


def test_a_request_trickling_in_is_closed_at_its_deadline(tmp_path: Path) -> None:
    with serving(make_workspace(tmp_path / "ws")) as server:
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=2)
        sock.sendall(f"GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n".encode())
        sock.settimeout(None)  # MSG_DONTWAIT below answers at once instead of timing out
        started = time.monotonic()
        closed = threading.Event()

        def trickle() -> None:
            # One byte a second resets waitress's inactivity timeout (30 s) every time.
            while not closed.is_set():
                try:
                    sock.send(b"X")
                    if sock.recv(1, socket.MSG_DONTWAIT) == b"":
                        closed.set()
                except BlockingIOError:
                    pass
                except OSError:
                    closed.set()
                closed.wait(1.0)

        threading.Thread(target=trickle, daemon=True).start()
        try:
            wait_until(closed.is_set, timeout_seconds=REQUEST_RECEIVE_SECONDS + 10)
        finally:
            closed.set()
            with contextlib.suppress(OSError):
                sock.close()
        seconds = time.monotonic() - started
    assert (
        REQUEST_RECEIVE_SECONDS - 1
        <= seconds
        <= REQUEST_RECEIVE_SECONDS + 2 * (CHECK_INTERVAL_SECONDS + 1)
    ), seconds


class BlackHole:
    """An "arXiv" on 127.0.0.1 that accepts every connection and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.accepted: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/api/query"

    def _accept(self) -> None:
        self.listener.settimeout(0.2)
        while not self._stop.is_set():
            with contextlib.suppress(TimeoutError):
                self.accepted.append(self.listener.accept()[0])

    def __enter__(self) -> BlackHole:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        for sock in [*self.accepted, self.listener]:
            sock.close()


def test_an_arxiv_that_never_answers_holds_no_clip_long_and_never_stops_the_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papershelf.server.completion import LIVE_WAIT_SECONDS

    clips = 10  # more than the server's 8 threads
    with BlackHole() as arxiv:
        monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", arxiv.url)
        with serving(make_workspace(tmp_path / "ws")) as server:
            answers: dict[int, tuple[int, float]] = {}

            def clip(n: int) -> None:
                started = time.monotonic()
                body = {"arxiv_id": f"2603.{30000 + n}", "list": "reading.md", "section": "Tools"}
                answer = server.request("POST", "/api/papers", json=body, timeout=60)
                answers[n] = (answer.status_code, time.monotonic() - started)

            threads = [threading.Thread(target=clip, args=(n,)) for n in range(clips)]
            for thread in threads:
                thread.start()
            pings = []
            while any(t.is_alive() for t in threads):
                pings.append(_ping(server.port))
                threading.Event().wait(0.5)  # pace the pings; not waiting for an event
            for thread in threads:
                thread.join(5)
            status = server.request("GET", "/api/status").json()
            review = server.session.get(f"{server.url}/review", timeout=PING_BUDGET_SECONDS)
    assert sorted(code for code, _ in answers.values()) == [202] * clips, answers
    slowest = max(seconds for _, seconds in answers.values())
    assert slowest < LIVE_WAIT_SECONDS + 3, answers  # was 21 s a clip, one after another
    assert pings and max(pings) < PING_BUDGET_SECONDS, pings
    assert status["clips"]["queued"] == clips
    assert review.status_code == 200
