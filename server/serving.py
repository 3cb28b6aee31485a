"""Running the app under waitress: bind, serve until SIGINT/SIGTERM, then stop every part in time."""

from __future__ import annotations

import gc
import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from papershelf.sync.errors import BadInput, PapershelfError

from .security import MAX_BODY_BYTES, is_loopback_address
from .waitress_server import create_guarded_server

log = logging.getLogger(__name__)

#: Everything stops within this many seconds of SIGINT/SIGTERM.
STOP_BUDGET_SECONDS = 4.5
DEFAULT_THREADS = 8
#: Open connections waitress holds (its default, 100, is one busy client's worth); at the limit
#: the one that has waited longest without a complete request makes room for a new one.
CONNECTION_LIMIT = 512
#: An idle keep-alive connection is closed after this many seconds.
CHANNEL_TIMEOUT_SECONDS = 30
#: How long the socket loop waits in select(); bounds how fast it notices a stop. Waitress reads
#: this setting as an int: anything below 1 becomes 0, and the loop then spins on select() and
#: holds the GIL a fifth of the time (an idle server burned a core; clips waited on the GIL).
LOOP_TIMEOUT_SECONDS = 1


def is_loopback(host: str) -> bool:
    """Whether `host` is `localhost` or a loopback address (127.0.0.0/8, ::1): the same rule
    as the Host check, so every URL serve prints for it is answered."""
    return is_loopback_address(host)


def check_bind_host(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback bind unless explicitly allowed."""
    if not is_loopback(host) and not allow_remote:
        raise BadInput(
            f"Refusing to listen on {host}: anyone who can reach it could try the API. "
            "Use 127.0.0.1, or add --allow-remote if you really mean it.",
            fields={"host": host},
        )


def url_host(host: str) -> str:
    """`host` as written in a URL (IPv6 in brackets; 0.0.0.0 shown as 127.0.0.1)."""
    if host in ("0.0.0.0", "", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class RunningServer:
    """A waitress server serving in a background thread."""

    server: Any
    thread: threading.Thread
    port: int

    def stop(self, timeout_seconds: float = 2.0) -> None:
        """Finish in-flight requests (up to `timeout_seconds`), then close every socket."""
        from waitress import wasyncore

        self.server.task_dispatcher.shutdown(cancel_pending=True, timeout=timeout_seconds)
        self.server.close()
        wasyncore.close_all(self.server._map)
        self.thread.join(timeout_seconds)


def settle_heap() -> None:
    """Move what start-up built (the index of every list) out of the cyclic GC's full passes.

    The index of a 50,000-entry workspace is a few hundred thousand long-lived objects; a full
    collection walks them all (about 0.3 s here) every few clips, which is the p99 of a clip.
    Frozen objects are still freed by reference counting when the index drops them.
    """
    gc.collect()
    gc.freeze()


#: glibc mallopt parameters (malloc.h) and the values serve sets.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_ARENA_MAX = -1, -3, -8
#: Buffers up to this size come from the heap and are reused (a list file is read, compared and
#: rewritten whole on every clip: 7 MB for 50,000 entries).
MMAP_THRESHOLD_BYTES = 64 << 20
#: Free heap kept for reuse before any is given back to the system.
TRIM_THRESHOLD_BYTES = 256 << 20


def keep_big_buffers() -> bool:
    """Let glibc reuse freed multi-megabyte buffers instead of mapping fresh pages each time.

    By default glibc serves a large allocation from its own mmap and unmaps it on free, so each
    clip on a big list page-faults (and the kernel zeroes) tens of megabytes: it doubled a
    clip's time in the threaded server. Only glibc is tuned; elsewhere this does nothing.
    Returns whether the settings were applied.
    """
    import ctypes
    import platform

    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return False
    try:
        libc = ctypes.CDLL(None)
        applied = libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
        applied = libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1 and applied
        applied = libc.mallopt(_M_ARENA_MAX, 1) == 1 and applied
    except (OSError, AttributeError) as exc:
        log.debug("mallopt unavailable: %s", exc)
        return False
    return applied


def start_server(
    app: Any,
    host: str,
    port: int,
    threads: int = DEFAULT_THREADS,
    before_serving: dict[str, Any] | None = None,
) -> RunningServer:
    """Bind `app` with waitress on host:port (0: any free port) and serve from a thread.

    `before_serving` (the app's config) gets PAPERSHELF_PORT, the bound port, before the first
    request can arrive, so the Host check knows it.
    """
    try:
        server = create_guarded_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="papershelf",
            clear_untrusted_proxy_headers=True,
            max_request_body_size=2 * MAX_BODY_BYTES,
            connection_limit=CONNECTION_LIMIT,
            channel_timeout=CHANNEL_TIMEOUT_SECONDS,
            asyncore_loop_timeout=LOOP_TIMEOUT_SECONDS,
        )
    except OSError as exc:
        raise PapershelfError(
            f"Cannot listen on {host}:{port}: {exc.strerror or exc}"
            + (" (is papershelf already running? try --port)" if exc.errno == 98 else "")
        ) from None
    if before_serving is not None:
        before_serving["PAPERSHELF_PORT"] = int(server.effective_port)
    # Waitress warns on every queued request; under a burst of clips that is noise, not news.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    thread = threading.Thread(target=server.run, name="papershelf-http", daemon=True)
    thread.start()
    return RunningServer(server=server, thread=thread, port=int(server.effective_port))


def wait_for_signal(
    on_ready: Callable[[], None] | None = None, stop_event: threading.Event | None = None
) -> str:
    """Block until SIGINT or SIGTERM (or `stop_event`); return the signal's name."""
    event = stop_event or threading.Event()
    received: list[str] = []

    def handler(signum: int, _frame: Any) -> None:
        received.append(signal.Signals(signum).name)
        event.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        if on_ready is not None:
            on_ready()
        while not event.wait(0.5):
            pass
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
    return received[0] if received else "stop"


def shutdown(running: RunningServer, stop_parts: Callable[[float], None]) -> float:
    """Stop HTTP first (no new clips), then the parts; return the seconds it took."""
    started = time.monotonic()
    running.stop(timeout_seconds=1.5)
    stop_parts(max(0.5, STOP_BUDGET_SECONDS - (time.monotonic() - started)))
    return time.monotonic() - started
