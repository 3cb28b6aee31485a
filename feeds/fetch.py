"""Conditional GET of a feed: ETag / Last-Modified validators, 304, timeouts, backoff."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from .net import FetchFailed, get_with_retries, new_session

log = logging.getLogger(__name__)

#: arXiv asks robots for at most one request every three seconds, feeds included.
ARXIV_MIN_INTERVAL_SECONDS = 3.0
#: A feed larger than this is refused (a 2,000-item arXiv day is about 5 MB).
MAX_FEED_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    """A fetch's outcome: the bytes (empty when not modified) and the validators to send next."""

    not_modified: bool
    content: bytes
    etag: str | None
    last_modified: str | None
    status_code: int


def _gate_for(url: str) -> tuple[str | None, float]:
    """The rate-gate key and interval for a URL (arXiv hosts are spaced; others are not)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "arxiv.org" or host.endswith(".arxiv.org"):
        return "arxiv-feeds", ARXIV_MIN_INTERVAL_SECONDS
    return None, 0.0


def fetch_feed(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    session: requests.Session | None = None,
    timeout_seconds: float = 20.0,
    max_retries: int = 2,
    backoff_base_seconds: float = 3.0,
    max_wait_seconds: float = 60.0,
) -> Fetched:
    """GET `url` with the validators of the last fetch; FetchFailed when it cannot be had."""
    headers = {
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    gate_key, interval_seconds = _gate_for(url)
    response = get_with_retries(
        session or new_session(),
        url,
        headers=headers,
        timeout_seconds=timeout_seconds,
        max_retries=max_retries,
        backoff_base_seconds=backoff_base_seconds,
        max_wait_seconds=max_wait_seconds,
        gate_key=gate_key,
        min_interval_seconds=interval_seconds,
        what=f"feed {url}",
    )
    if response.status_code == 304:
        return Fetched(True, b"", etag, last_modified, 304)
    if response.status_code != 200:
        raise FetchFailed(
            f"feed {url} answered HTTP {response.status_code}.",
            fields={"status": response.status_code, "url": url},
        )
    content = response.content
    if len(content) > MAX_FEED_BYTES:
        raise FetchFailed(f"feed {url} is larger than {MAX_FEED_BYTES // 1_048_576} MB.")
    return Fetched(
        False,
        content,
        response.headers.get("ETag") or etag,
        response.headers.get("Last-Modified") or last_modified,
        200,
    )
