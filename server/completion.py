"""Completing bare arXiv clips from the arXiv API, without letting arXiv hold the HTTP threads.

Every arXiv call runs on one background thread, one at a time (arXiv wants one polite caller).
A clip waits for its answer at most `live_wait_seconds`, and at most `live_waiters` clips wait at
once; any other clip, or one whose answer is late, is queued (202) at once. So an arXiv that
accepts connections but never answers holds no more than that many of the server's threads, for
no longer than that, while pings, lookups and the review page go on. A call a clip stopped
waiting for still finishes in the background and caches its answer for the queue.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol

import requests

from papershelf.feeds.arxiv_api import ArxivUnavailable
from papershelf.sync.errors import BadInput, NotFound
from papershelf.sync.identity import parse_arxiv_id
from papershelf.sync.paper import Paper

log = logging.getLogger(__name__)

_CACHE_SIZE = 1024
#: The longest a clip waits for arXiv before it is queued (the rate gate's 3 s included).
LIVE_WAIT_SECONDS = 8.0
#: How many clips may wait for arXiv at once; the others are queued at once.
LIVE_WAITERS = 2


class ArxivLookup(Protocol):
    """What clips need of `papershelf.feeds.arxiv_api.ArxivClient`."""

    def fetch_by_ids(self, ids: list[str]) -> dict[str, Paper]: ...


class CompletionUnavailable(Exception):
    """arXiv could not be asked or did not answer in time: queue and retry.

    `soon` says the queue may try at once (arXiv was only busy with other clips).
    """

    def __init__(self, message: str, *, soon: bool = False) -> None:
        super().__init__(message)
        self.soon = soon


#: The exceptions that mean "arXiv cannot be reached now".
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    requests.RequestException,
    TimeoutError,
    ArxivUnavailable,
)


def merge_given(found: Paper, given: Paper) -> Paper:
    """arXiv's record with what the clip gave on top (an arXiv URL of it keeps arXiv's abs URL)."""
    changes = {
        k: v for k, v in given.__dict__.items() if k != "extra" and v not in (None, (), [], {}, "")
    }
    if "url" in changes and parse_arxiv_id(changes["url"]) is not None and found.url:
        del changes["url"]
    return found.replace(**changes)


class ArxivCompleter:
    """Fills bare arXiv clips from the arXiv API: calls on one background thread, answers cached."""

    def __init__(
        self,
        client: ArxivLookup,
        *,
        live_wait_seconds: float = LIVE_WAIT_SECONDS,
        live_waiters: int = LIVE_WAITERS,
    ) -> None:
        """Ask `client`, a clip waiting at most `live_wait_seconds`, `live_waiters` at once."""
        self.client = client
        self.live_wait_seconds = live_wait_seconds
        self._live = threading.BoundedSemaphore(live_waiters)
        self._lock = threading.Lock()  # the cache
        self._cache: OrderedDict[str, Paper] = OrderedDict()
        self._calls: queue.SimpleQueue[tuple[Future, list[str]]] = queue.SimpleQueue()
        self._caller: threading.Thread | None = None
        #: time.monotonic() of the last "arXiv cannot be reached" (None: it answered since).
        self.unavailable_since: float | None = None

    def _cached(self, papers: list[Paper]) -> tuple[dict[str, Paper | None], list[str]]:
        """What the cache answers, by the paper's identity and by its arXiv key, and the arXiv
        ids it does not know."""
        out: dict[str, Paper | None] = {}
        missing = []
        with self._lock:
            for paper in papers:
                arxiv = parse_arxiv_id(paper.arxiv_id or paper.url or "")
                if arxiv is None:
                    continue
                if arxiv.key in self._cache:
                    out[arxiv.key] = out[paper.identity or arxiv.key] = self._cache[arxiv.key]
                elif str(arxiv) not in missing:
                    missing.append(str(arxiv))
        return out, missing

    def fetch(
        self, papers: list[Paper], *, live: bool = False, wait_seconds: float | None = None
    ) -> dict[str, Paper | None]:
        """arXiv's record for each paper's identity (None: arXiv has no such paper).

        `live`: a person is waiting (an HTTP request): wait at most `live_wait_seconds` (or
        `wait_seconds`), and not at all when `live_waiters` clips already wait;
        CompletionUnavailable then.
        """
        wait = self.live_wait_seconds if wait_seconds is None else wait_seconds
        out, missing = self._cached(papers)
        if not missing:
            return out
        if live and not self._live.acquire(blocking=False):
            raise CompletionUnavailable("arXiv is busy answering other clips", soon=True)
        try:
            future = self._call(missing)
            try:
                future.result(timeout=wait if live else None)
            except FutureTimeout:
                future.cancel()  # not started yet: never asked; started: it caches its answer
                raise CompletionUnavailable(f"arXiv did not answer within {wait:g} s") from None
        finally:
            if live:
                self._live.release()
        found, _ = self._cached(papers)
        for paper in papers:  # None: arXiv answered without it
            arxiv = parse_arxiv_id(paper.arxiv_id or paper.url or "")
            if arxiv is not None:
                out[arxiv.key] = out[paper.identity or arxiv.key] = found.get(arxiv.key)
        return out

    def _call(self, ids: list[str]) -> Future:
        """Queue one arXiv call for `ids` on the background thread."""
        future: Future = Future()
        self._calls.put((future, ids))
        with self._lock:
            if self._caller is None or not self._caller.is_alive():
                self._caller = threading.Thread(
                    target=self._run_calls, name="papershelf-arxiv", daemon=True
                )
                self._caller.start()
        return future

    def _run_calls(self) -> None:
        """The background thread: run queued calls one at a time, caching every answer."""
        while True:
            future, ids = self._calls.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                self._ask(ids)
            except BaseException as exc:  # handed to whoever waits on it
                future.set_exception(exc)
            else:
                future.set_result(None)

    def _ask(self, ids: list[str]) -> None:
        """Ask arXiv for `ids` (those not cached meanwhile) and cache what it has."""
        with self._lock:
            ids = [i for i in ids if (a := parse_arxiv_id(i)) is None or a.key not in self._cache]
        if not ids:
            return
        try:
            answer = self.client.fetch_by_ids(ids)
        except UNAVAILABLE_ERRORS as exc:
            self.unavailable_since = time.monotonic()
            raise CompletionUnavailable(f"arXiv unreachable: {exc}") from None
        self.unavailable_since = None
        with self._lock:
            for paper in answer.values():
                if paper.identity:
                    self._cache[paper.identity] = paper
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)

    def complete(self, paper: Paper) -> Paper:
        """The paper with arXiv's fields filled in (waiting as a live clip does); BadInput when
        arXiv has no such paper."""
        arxiv = parse_arxiv_id(paper.arxiv_id or paper.url or "")
        if arxiv is None:
            raise BadInput(
                "The paper has no title and is not on arXiv, so it cannot be looked up; give a title.",
                fields={"title": "missing"},
            )
        found = self.fetch([paper], live=True).get(arxiv.key)
        if found is None:
            raise NotFound(f"arXiv has no paper {arxiv}.", fields={"arxiv_id": "unknown"})
        return merge_given(found, paper)
