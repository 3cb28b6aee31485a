"""Waiting on a condition with a deadline (never a bare sleep) and a free port on 127.0.0.1."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Literal, TypeVar

T = TypeVar("T")


def wait_until(
    check: Callable[[], T | Literal[False] | None],
    timeout_seconds: float = 20.0,
    what: str = "condition",
    interval_seconds: float = 0.05,
) -> T:
    """Poll `check` until it returns something truthy, and return that (so never None or
    False: the type says so); fail naming `what` after `timeout_seconds`."""
    deadline = time.monotonic() + timeout_seconds
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_seconds} s waiting for {what}")
        time.sleep(interval_seconds)  # the poll interval of a condition wait


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
