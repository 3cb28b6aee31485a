"""Clip handling: validate the target, complete bare arXiv clips, insert once, or queue for later."""

from __future__ import annotations

import logging
import threading
import time
import zlib
from dataclasses import dataclass
from typing import Any

from papershelf.sync.errors import BadInput, ListChanged, PapershelfError, StoreUnavailable
from papershelf.sync.identity import parse_arxiv_id
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.insert import AddResult, add_paper, read_list, target_section
from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import Workspace

from .clipqueue import ClipQueue, QueuedClip
from .completion import ArxivCompleter, CompletionUnavailable, merge_given

log = logging.getLogger(__name__)

_LOCK_STRIPES = 64
#: A clip with a title but no authors or date (a PDF's, an html page of a later version) waits
#: at most this long for arXiv to fill them in; then it is written as it came.
FILL_WAIT_SECONDS = 3.0
#: After arXiv failed to answer, clips with a title do not wait for it for this long.
FILL_SKIP_SECONDS = 60.0


@dataclass(frozen=True)
class ClipOutcome:
    """What a clip came to: an AddResult (added/exists) or a queued clip."""

    result: AddResult | None = None
    queued: QueuedClip | None = None

    @property
    def http_status(self) -> int:
        """201 added, 200 exists, 202 queued."""
        if self.queued is not None:
            return 202
        assert self.result is not None
        return 201 if self.result.status == "added" else 200

    def to_dict(self) -> dict[str, Any]:
        """The JSON body of the answer."""
        if self.queued is not None:
            return {
                "ok": True,
                "status": "queued",
                "queue_id": self.queued.id,
                "list": self.queued.list,
                "section": self.queued.section,
                "message": "arXiv cannot be reached now; the clip is queued and will be added "
                "when arXiv answers (see /api/status).",
            }
        assert self.result is not None
        return {"ok": True, **self.result.to_dict()}


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff of queued clips: base * 2**attempts seconds, at most `max_delay_seconds`."""

    base_delay_seconds: float = 30.0
    max_delay_seconds: float = 3600.0

    def delay_seconds(self, attempts: int) -> float:
        """The wait before the next attempt after `attempts` failed ones."""
        return min(self.base_delay_seconds * (2 ** min(attempts, 30)), self.max_delay_seconds)


class ClipService:
    """Every clip goes through here: one paper at a time per identity, into `papershelf.sync.insert.add_paper`."""

    def __init__(
        self,
        workspace: Workspace,
        index: WorkspaceIndex,
        completer: ArxivCompleter,
        queue: ClipQueue,
        retry: RetryPolicy | None = None,
    ) -> None:
        """Clips into `workspace`, completed by `completer`, queued in `queue`."""
        self.workspace = workspace
        self.index = index
        self.completer = completer
        self.queue = queue
        self.retry = retry or RetryPolicy()
        self.key = str(workspace.root)
        self._locks = [threading.Lock() for _ in range(_LOCK_STRIPES)]
        self.on_queued: list[Any] = []

    def _lock_for(self, identity: str) -> threading.Lock:
        return self._locks[zlib.crc32(identity.encode("utf-8")) % _LOCK_STRIPES]

    def check_target(self, list_path: str, section: str) -> str:
        """The list's workspace-relative path; NotFound/BadInput unless it has `section`."""
        path = self.workspace.resolve_list(list_path)
        rel = self.workspace.relpath(path)
        doc = self.index.document(rel)
        if doc is None:
            doc = parse_list(read_list(path, rel))  # gone: 404; a FIFO, unreadable: 409
        target_section(doc, section, rel)
        return rel

    def listed(self, paper: Paper, in_list: str | None = None) -> AddResult | None:
        """Where the paper already is, if any list has it (or the list `in_list`, when given)."""
        if not paper.identity:
            return None
        self.index.refresh()
        hits = [h for h in self.index.lookup(paper.identity) if in_list in (None, h.list)]
        if not hits:
            return None
        hit = hits[0]
        return AddResult("exists", hit.list, hit.section, hit.line, hit.entry)

    def submit(
        self, paper: Paper, list_path: str, section: str, *, also: bool = False
    ) -> ClipOutcome:
        """Add a clip now, or queue it (202) when it needs arXiv and arXiv cannot be reached.

        With `also` it is added even when another list has the paper (never twice to one list).
        """
        identity = paper.identity
        if identity is None:
            raise BadInput("The paper has no usable identifier (url or arxiv_id).")
        with self._lock_for(identity):
            if paper.title:
                existing = None if also else self.listed(paper)
                if existing is not None:  # already listed: no need to ask arXiv anything
                    return ClipOutcome(result=existing)
                return ClipOutcome(
                    result=add_paper(
                        self.workspace,
                        self.filled(paper),
                        list_path,
                        section,
                        index=self.index,
                        also=also,
                    )
                )
            if not also:
                existing = self.listed(paper)
                if existing is not None:
                    return ClipOutcome(result=existing)
            rel = self.check_target(list_path, section)
            if also:
                existing = self.listed(paper, in_list=rel)
                if existing is not None:
                    return ClipOutcome(result=existing)
            queued = self.queued_for(identity)
            if queued is not None:
                return ClipOutcome(queued=queued)
            try:
                complete = self.completer.complete(paper)
            except CompletionUnavailable as exc:
                log.warning("queueing a clip of %s: %s", identity, exc)
                try:
                    queued = self.queue.put(
                        self.key,
                        paper,
                        rel if also else list_path,  # an also-clip is checked against this path
                        section,
                        first_attempt_in_seconds=0.0 if exc.soon else self.retry.delay_seconds(0),
                        error=str(exc),
                        also=also,
                    )
                except StoreUnavailable as problem:
                    raise StoreUnavailable(
                        "The clip needs arXiv, which cannot be reached now, and it could not be "
                        f"queued: {problem.message} Nothing was saved: give a title, or clip it "
                        "again later.",
                        fields={**problem.fields, "arxiv": str(exc)},
                    ) from None
                for callback in self.on_queued:
                    callback()
                return ClipOutcome(queued=queued)
            result = add_paper(
                self.workspace, complete, list_path, section, index=self.index, also=also
            )
            return ClipOutcome(result=result)

    def queued_for(self, identity: str) -> QueuedClip | None:
        """The queued clip of this paper; None also when the queue cannot be read (the clip
        then goes on without it: a damaged queue must not stop clips that need no queue)."""
        try:
            return self.queue.queued_for(self.key, identity)
        except StoreUnavailable as exc:  # said at start and in the status already
            log.debug("%s", exc.message)
            return None

    def filled(self, paper: Paper) -> Paper:
        """The clip with the authors and date it lacks filled in from arXiv (what it gave wins);
        as it came when it is not an arXiv paper, or arXiv does not answer within
        `FILL_WAIT_SECONDS` (a clip with a title is never queued for this)."""
        if (paper.authors and paper.published) or parse_arxiv_id(
            paper.arxiv_id or paper.url or ""
        ) is None:
            return paper
        down = self.completer.unavailable_since
        if down is not None and time.monotonic() - down < FILL_SKIP_SECONDS:
            return paper  # arXiv did not answer a moment ago: do not make this clip wait too
        try:
            found = self.completer.fetch([paper], live=True, wait_seconds=FILL_WAIT_SECONDS)
        except (CompletionUnavailable, PapershelfError) as exc:
            log.info("clip of %s written without arXiv's fields: %s", paper.identity, exc)
            return paper
        record = found.get(paper.identity or "")
        return paper if record is None else merge_given(record, paper)

    def process_queue(self, limit: int = 20) -> int:
        """Try the due queued clips once (one arXiv call for all); return how many were settled."""
        due = self.queue.due(self.key, limit=limit)
        if not due:
            return 0
        pending = []
        settled = 0
        for clip in due:
            existing = self.listed(clip.paper, in_list=clip.list if clip.also else None)
            if existing is not None:
                self.queue.mark_done(clip.id, existing.to_dict())
                settled += 1
            else:
                pending.append(clip)
        if not pending:
            return settled
        try:
            found = self.completer.fetch([c.paper for c in pending])
        except CompletionUnavailable as exc:
            for clip in pending:
                self.queue.mark_retry(clip.id, str(exc), self.retry.delay_seconds(clip.attempts))
            return settled
        except PapershelfError as exc:  # arXiv refused the query: ask for each clip alone
            if len(pending) == 1:
                self.queue.mark_failed(pending[0].id, exc.message)
                return settled + 1
            return settled + sum(self._retry_alone(clip) for clip in pending)
        for clip in pending:
            settled += self._settle(clip, found.get(clip.identity))
        return settled

    def _retry_alone(self, clip: QueuedClip) -> int:
        """Complete one queued clip with its own arXiv call (after a batch was refused)."""
        try:
            found = self.completer.fetch([clip.paper]).get(clip.identity)
        except CompletionUnavailable as exc:
            self.queue.mark_retry(clip.id, str(exc), self.retry.delay_seconds(clip.attempts))
            return 0
        except PapershelfError as exc:
            self.queue.mark_failed(clip.id, exc.message)
            return 1
        return self._settle(clip, found)

    def _settle(self, clip: QueuedClip, found: Paper | None) -> int:
        """Insert one queued clip now that arXiv answered; 1 when it is settled, 0 to retry."""
        if found is None:
            self.queue.mark_failed(
                clip.id, f"arXiv has no paper {clip.paper.arxiv_id or clip.paper.url}."
            )
            return 1
        try:
            with self._lock_for(clip.identity):
                result = add_paper(
                    self.workspace,
                    merge_given(found, clip.paper),
                    clip.list,
                    clip.section,
                    index=self.index,
                    also=clip.also,
                )
        except ListChanged as exc:
            self.queue.mark_retry(clip.id, exc.message, self.retry.delay_seconds(clip.attempts))
            return 0
        except PapershelfError as exc:
            self.queue.mark_failed(clip.id, exc.message)
            return 1
        log.info("queued clip %s %s: %s › %s", clip.id, result.status, result.list, result.section)
        self.queue.mark_done(clip.id, result.to_dict())
        return 1


class ClipWorker:
    """A background thread that retries queued clips when they are due, until stopped."""

    def __init__(self, service: ClipService, idle_seconds: float = 60.0) -> None:
        """Work `service`'s queue; check at least every `idle_seconds`."""
        self.service = service
        self.idle_seconds = idle_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_error: str | None = None
        service.on_queued.append(self.wake)

    def start(self) -> None:
        """Start the thread (daemon, so it never keeps the process alive)."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name="papershelf-clip-queue", daemon=True
            )
            self._thread.start()

    def wake(self) -> None:
        """Look at the queue now."""
        self._wake.set()

    def stop(self, timeout_seconds: float = 5.0) -> None:
        """Stop the thread and wait for it up to `timeout_seconds`."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_seconds)

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def _seconds_until_due(self) -> float:
        next_at = self.service.queue.next_due_at(self.service.key)
        if next_at is None:
            return self.idle_seconds
        return max(0.0, min(self.idle_seconds, next_at - time.time()))

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                while not self._stop.is_set() and self.service.process_queue():
                    pass
                wait_seconds = self._seconds_until_due()
                self.last_error = None
            except StoreUnavailable as exc:  # said in status; retried, no traceback each time
                self.last_error = exc.message
                wait_seconds = self.idle_seconds
            except Exception as exc:  # keep the worker alive; the error shows in status
                log.exception("clip queue worker failed; retrying later")
                self.last_error = f"{type(exc).__name__}: {exc}"
                wait_seconds = self.idle_seconds
            self._wake.wait(wait_seconds)
            self._wake.clear()
