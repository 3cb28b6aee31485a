"""The waitress server papershelf runs: its own errors in the JSON error shape, and connections
that can neither wedge it nor lock others out.

Waitress answers some requests before the app sees them (a body over its limit, headers over
256 KB, a request line it cannot parse) in plain text; here they get the one error shape. And
slow connections are bounded three ways, so a local process holding hundreds of them
(slowloris) cannot keep anyone else out:

- a request must arrive whole within REQUEST_RECEIVE_SECONDS of its first byte, however it
  trickles (waitress's own timeout is for inactivity, which one byte every few seconds resets);
- a connection idle between requests is closed after its channel timeout (waitress's rule);
- at the connection limit, the connection that has waited longest without a complete request
  is closed to make room, instead of no longer accepting anyone (waitress's rule).

The socket loop uses poll(), not select(): select() cannot watch a descriptor above 1023 and
killed the HTTP thread for good when many files were open.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from .errors import MAX_FIELD_CHARS
from .security import MAX_BODY_BYTES, origin_kind

log = logging.getLogger(__name__)

#: A request (request line, headers and body) must arrive within this many seconds of its
#: first byte. Local clients send a clip in milliseconds.
REQUEST_RECEIVE_SECONDS = 10
#: How often (seconds) connections are checked against their deadlines.
CHECK_INTERVAL_SECONDS = 1
#: Request headers larger than this are refused (431), as waitress's default.
MAX_HEADER_BYTES = 256 * 1024
#: Eviction is logged at most this often (a flood of them is one line a minute, not thousands).
_EVICTION_LOG_SECONDS = 60.0

_MESSAGES = {
    400: "The request is malformed",
    413: f"The request body is too large (the limit is {MAX_BODY_BYTES // 1024} KB).",
    431: f"The request headers are too large (the limit is {MAX_HEADER_BYTES // 1024} KB).",
    500: "Internal error; the server log has the details.",
    501: "The request uses an HTTP feature papershelf does not implement",
}


def error_body(code: int, detail: str) -> bytes:
    """The JSON error shape for an error waitress found in the request itself."""
    message = _MESSAGES.get(code, "The request cannot be answered")
    if not message.endswith("."):
        message = f"{message}: {detail[:MAX_FIELD_CHARS]}." if detail else f"{message}."
    return json.dumps({"ok": False, "error": message, "fields": {"request": "refused"}}).encode()


class JsonErrorTask(ErrorTask):
    """Waitress's error answer (400, 413, 431, 500, 501) in the one JSON error shape."""

    def execute(self) -> None:
        """Write the error as JSON, with CORS for an extension so it can read why."""
        error = self.request.error
        body = error_body(error.code, str(error.body or ""))
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend(
            [
                ("Content-Type", "application/json"),
                ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"),
            ]
        )
        origin = self.request.headers.get("ORIGIN")
        if origin and origin_kind(origin, "") == "extension":
            self.response_headers.extend(
                [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
            )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):
    """A connection that knows since when its current request has been arriving."""

    error_task_class = JsonErrorTask

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As waitress's channel; no request has started arriving yet."""
        self.request_started_at: float | None = None
        super().__init__(*args, **kwargs)

    def received(self, data: bytes) -> bool:
        """Parse `data` as waitress does, noting when a new request starts arriving."""
        partial = self.request
        done = super().received(data)
        if self.request is None:
            self.request_started_at = None
        elif self.request is not partial or self.request_started_at is None:
            self.request_started_at = time.time()
        return done

    def waiting_since(self) -> float:
        """Since when this connection has waited for a complete request."""
        return self.request_started_at or self.last_activity


class GuardedServer(TcpWSGIServer):
    """Waitress's TCP server with request deadlines and eviction at the connection limit."""

    channel_class = GuardedChannel
    next_channel_cleanup: float  # waitress's own, set in its __init__
    _last_eviction_log = 0.0

    def maintenance(self, now: float) -> None:
        """Close idle connections (waitress) and those whose request is arriving too slowly."""
        super().maintenance(now)
        cutoff = now - REQUEST_RECEIVE_SECONDS
        for channel in list(self.active_channels.values()):
            started = getattr(channel, "request_started_at", None)
            if not channel.requests and started is not None and started < cutoff:
                channel.will_close = True

    def _oldest_waiting(self) -> Any | None:
        """The connection without a complete request that has waited longest, if any."""
        waiting = [c for c in self.active_channels.values() if not c.requests]
        return min(waiting, key=lambda c: c.waiting_since(), default=None)

    def readable(self) -> bool:
        """Accept while under the limit, or while some connection can make room."""
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        if not self.accepting:
            return False
        return len(self._map) < self.adj.connection_limit or self._oldest_waiting() is not None

    def handle_accept(self) -> None:
        """At the limit, close the longest-waiting connection first, then accept."""
        if len(self._map) >= self.adj.connection_limit:
            oldest = self._oldest_waiting()
            if oldest is not None:
                now = time.time()
                if now - self._last_eviction_log > _EVICTION_LOG_SECONDS:
                    self._last_eviction_log = now
                    log.warning(
                        "%d connections open: closing those that sent no complete request "
                        "for longest to let new ones in",
                        len(self.active_channels),
                    )
                oldest.handle_close()
        super().handle_accept()


def create_guarded_server(app: Any, **settings: Any) -> GuardedServer:
    """A GuardedServer for `app` listening on settings' one host and port (waitress Adjustments)."""
    adj = Adjustments(
        **{
            "cleanup_interval": CHECK_INTERVAL_SECONDS,
            "max_request_header_size": MAX_HEADER_BYTES,
            "asyncore_use_poll": True,
            **settings,
        }
    )
    if len(adj.listen) != 1:
        raise OSError(f"{settings.get('host')} names {len(adj.listen)} addresses; give one")
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    return GuardedServer(app, {}, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])
