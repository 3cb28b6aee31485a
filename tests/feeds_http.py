"""A scripted HTTP server on 127.0.0.1 for the feeds tests: fixtures, 304s, 429/503 and stalls."""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FEED_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "feeds"


@dataclass
class Reply:
    """One scripted answer: status, headers, body, and an optional stall before answering."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    stall_seconds: float = 0.0


@dataclass
class Seen:
    """One request the server received."""

    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float


def fixture_bytes(relative: str) -> bytes:
    """The bytes of tests/fixtures/feeds/<relative>."""
    return (FEED_FIXTURES / relative).read_bytes()


class FeedServer:
    """Serves scripted replies per path; a list of replies is consumed in order, the last repeats."""

    def __init__(self) -> None:
        """Start on a free loopback port."""
        self.routes: dict[str, list[Reply] | Callable[[Seen], Reply]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                seen = Seen(parts.path, parse_qs(parts.query), dict(self.headers), time.monotonic())
                reply = owner._reply_for(seen)
                if reply.stall_seconds:
                    owner._stop.wait(reply.stall_seconds)
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if reply.status != 304:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        """The full URL of `path`."""
        return self.base + path

    def _reply_for(self, seen: Seen) -> Reply:
        with self._lock:
            self.seen.append(seen)
            route = self.routes.get(seen.path)
            if route is None:
                return Reply(404, b"not found")
            if callable(route):
                return route(seen)
            return route.pop(0) if len(route) > 1 else route[0]

    def requests_to(self, path: str) -> list[Seen]:
        """The requests received for `path`, in order."""
        with self._lock:
            return [s for s in self.seen if s.path == path]

    def close(self) -> None:
        """Stop serving (stalled replies are released)."""
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def conditional(body: bytes, etag: str, modified_epoch: float, content_type: str) -> Callable:
    """A route that honours If-None-Match / If-Modified-Since with 304 and sends validators."""
    last_modified = email.utils.formatdate(modified_epoch, usegmt=True)

    def route(seen: Seen) -> Reply:
        headers = {"ETag": etag, "Last-Modified": last_modified, "Content-Type": content_type}
        if seen.headers.get("If-None-Match") == etag or (
            "If-None-Match" not in seen.headers
            and seen.headers.get("If-Modified-Since") == last_modified
        ):
            return Reply(304, b"", headers)
        return Reply(200, body, headers)

    return route
