"""HTTP plumbing the feeds share: User-Agent, a process-wide rate gate, retries with backoff."""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from papershelf import __version__
from papershelf.sync.errors import PapershelfError

log = logging.getLogger(__name__)

USER_AGENT = f"papershelf/{__version__} (markdown paper-list curation; python-requests)"
#: Answers that mean "try again later": rate-limited or temporarily down.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class FetchFailed(PapershelfError):
    """A feed or API could not be fetched (unreachable, timed out, kept refusing)."""

    http_status = 503


class RateGate:
    """Spaces calls that share a key by at least an interval; thread-safe, never holds its lock asleep."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """A gate with no calls yet."""
        self._lock = threading.Lock()
        self._next_at: dict[str, float] = {}
        self._clock = clock
        self._sleep = sleep

    def wait(self, key: str, min_interval_seconds: float) -> float:
        """Block until a call under `key` is allowed; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_at.get(key, now))
            self._next_at[key] = slot + max(0.0, min_interval_seconds)
        delay_seconds = slot - now
        if delay_seconds > 0:
            self._sleep(delay_seconds)
        return delay_seconds


#: One gate per process: every ArxivClient shares it, so arXiv sees one polite caller.
GATE = RateGate()


def retry_after_seconds(headers: Mapping[str, str], now_epoch: float | None = None) -> float | None:
    """Seconds a `Retry-After` header asks for (delta or HTTP date), or None when absent/invalid."""
    value = (headers.get("Retry-After") or "").strip()
    if not value:
        return None
    if value.isdecimal():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    now = time.time() if now_epoch is None else now_epoch
    return max(0.0, when.timestamp() - now)


def backoff_seconds(attempt: int, base_seconds: float, cap_seconds: float) -> float:
    """Exponential backoff for retry number `attempt` (0-based): base, 2*base, 4*base... capped."""
    return min(cap_seconds, base_seconds * (2**attempt))


def get_with_retries(
    session: requests.Session,
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
    timeout_seconds: float,
    max_retries: int,
    backoff_base_seconds: float,
    max_wait_seconds: float,
    gate_key: str | None = None,
    min_interval_seconds: float = 0.0,
    error: type[FetchFailed] = FetchFailed,
    what: str = "the feed",
    ok_statuses: frozenset[int] = frozenset(),
) -> requests.Response:
    """GET with timeouts, the rate gate and retries on 429/5xx and network errors.

    Returns the last response whose status is not a retry status (or is in `ok_statuses`); raises
    `error` when every attempt failed or the server asks to wait longer than `max_wait_seconds`.
    """
    all_headers = {"User-Agent": USER_AGENT, **(headers or {})}
    last_problem = "no attempt made"
    for attempt in range(max_retries + 1):
        if gate_key is not None:
            GATE.wait(gate_key, min_interval_seconds)
        try:
            response = session.get(url, params=params, headers=all_headers, timeout=timeout_seconds)
        except requests.Timeout:
            last_problem = f"timed out after {timeout_seconds:g} s"
            delay_seconds = backoff_seconds(attempt, backoff_base_seconds, max_wait_seconds)
        except requests.RequestException as exc:
            last_problem = f"cannot connect ({type(exc).__name__})"
            delay_seconds = backoff_seconds(attempt, backoff_base_seconds, max_wait_seconds)
        else:
            if response.status_code not in RETRY_STATUSES or response.status_code in ok_statuses:
                return response
            last_problem = f"HTTP {response.status_code}"
            asked = retry_after_seconds(response.headers)
            if asked is not None and asked > max_wait_seconds:
                raise error(
                    f"{what} is unavailable: HTTP {response.status_code}, asked to retry in "
                    f"{asked:g} s.",
                    fields={"retry_after_seconds": asked, "status": response.status_code},
                )
            delay_seconds = (
                asked
                if asked is not None
                else backoff_seconds(attempt, backoff_base_seconds, max_wait_seconds)
            )
        if attempt == max_retries:
            break
        log.info("%s: %s; retry %d in %.1f s", what, last_problem, attempt + 1, delay_seconds)
        time.sleep(delay_seconds)
    raise error(
        f"{what} is unavailable: {last_problem} ({max_retries + 1} attempts).",
        fields={"problem": last_problem},
    )


def new_session() -> requests.Session:
    """A requests session that ignores proxy settings for loopback and sends our User-Agent."""
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session
