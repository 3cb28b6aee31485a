"""The parts a server runs (index, clip queue, sync daemon, feed scheduler), held for the views."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from papershelf import __version__
from papershelf.sync.errors import PapershelfError, StoreUnavailable
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.paths import data_dir
from papershelf.sync.workspace import Workspace

from .clipqueue import ClipQueue
from .clips import ClipService, ClipWorker, RetryPolicy
from .completion import ArxivCompleter, ArxivLookup

if TYPE_CHECKING:  # the parts themselves are imported only when they run
    from papershelf.feeds.arxiv_api import ArxivClient
    from papershelf.feeds.scheduler import FeedScheduler
    from papershelf.feeds.store import CandidateStore
    from papershelf.sync.gitsync.daemon import SyncDaemon

log = logging.getLogger(__name__)

RUNNING, OFF, ERROR = "running", "off", "error"
SERVER_STATE_FILENAME = "server.json"
#: The clip worker gets at most this long to finish on stop.
WORKER_STOP_SECONDS = 1.0
#: A live clip waits at most this long for one arXiv answer before it is queued.
ARXIV_TIMEOUT_SECONDS = 10.0
ARXIV_MAX_RETRIES = 1
#: The longest Retry-After a live clip honours before it is queued instead.
ARXIV_MAX_WAIT_SECONDS = 5.0


class Part(Protocol):
    """What the server needs of a part it runs (the sync daemon, the feed scheduler)."""

    def start(self) -> None:
        """Start its threads; raise when it cannot run."""

    def stop(self, timeout_seconds: float) -> None:
        """Stop within `timeout_seconds`."""

    def status(self) -> Mapping[str, Any]:
        """Its own status, as `/api/status` shows it."""


P = TypeVar("P", bound=Part)


@dataclass
class Slot(Generic[P]):
    """Where one part runs, or why it does not: `state` is running, off or error."""

    name: str
    part: P | None = None
    state: str = OFF
    reason: str | None = None

    def status(self) -> dict[str, Any]:
        """{"state": running|off|error, ...the part's own status}."""
        out: dict[str, Any] = {"state": self.state}
        if self.reason:
            out["reason"] = self.reason
        if self.part is not None:
            try:
                out.update(self.part.status())
            except Exception as exc:
                out["error"] = f"status failed: {exc}"
            out["state"] = self.state
        return out

    def stop(self, timeout_seconds: float) -> None:
        """Stop the part if it runs; a failure to stop is logged, never raised."""
        if self.part is None or self.state != RUNNING:
            return
        try:
            self.part.stop(timeout_seconds=timeout_seconds)
        except Exception as exc:
            log.warning("%s did not stop cleanly: %s", self.name, exc)
        self.state = OFF


def start_part(name: str, make: Callable[[], P]) -> Slot[P]:
    """Make and start a part; a failure to make or start it is reported, never raised."""
    try:
        part = make()
        part.start()
    except StoreUnavailable as exc:  # the message names the file and what to do about it
        log.error("%s did not start: %s", name, exc.message)
        return Slot(name, state=ERROR, reason=exc.message)
    except Exception as exc:
        log.error("%s did not start: %s", name, exc)
        return Slot(name, state=ERROR, reason=f"did not start: {exc}")
    return Slot(name, part, RUNNING)


def make_arxiv_client(timeout_seconds: float = ARXIV_TIMEOUT_SECONDS) -> ArxivClient:
    """The arXiv client a person waits on (base URL from PAPERSHELF_ARXIV_API_URL): one quick
    retry, then the clip queue takes over."""
    from papershelf.feeds.arxiv_api import ArxivClient

    return ArxivClient(
        timeout_seconds=timeout_seconds,
        max_retries=ARXIV_MAX_RETRIES,
        backoff_base_seconds=1.0,
        max_wait_seconds=ARXIV_MAX_WAIT_SECONDS,
    )


@dataclass
class Services:
    """What the views use; parts left out (`--no-sync`, `--no-feeds`) are "off"."""

    workspace: Workspace
    index: WorkspaceIndex
    clips: ClipService
    worker: ClipWorker | None = None
    sync: Slot[SyncDaemon] = field(default_factory=lambda: Slot("sync"))
    feeds: Slot[FeedScheduler] = field(default_factory=lambda: Slot("feeds"))
    candidates: CandidateStore | None = None
    started_at: float = field(default_factory=time.time)
    _scoped_candidates: CandidateStore | None = field(default=None, init=False, repr=False)

    @classmethod
    def build(
        cls,
        workspace: Workspace,
        *,
        arxiv: ArxivLookup | None = None,
        queue: ClipQueue | None = None,
        retry: RetryPolicy | None = None,
        candidates: CandidateStore | None = None,
    ) -> Services:
        """Index the workspace and set up clips; `arxiv` defaults to the live-clip arXiv client."""
        if arxiv is None:
            arxiv = make_arxiv_client()
        if candidates is None:
            candidates = open_candidates()
        index = WorkspaceIndex.build(workspace)
        # The popup's first lookup by title needs the title word index: built meanwhile.
        threading.Thread(target=index.warm_titles, name="papershelf-titles", daemon=True).start()
        service = ClipService(workspace, index, ArxivCompleter(arxiv), queue or ClipQueue(), retry)
        return cls(workspace=workspace, index=index, clips=service, candidates=candidates)

    def start(self, *, sync: bool = True, feeds: bool = True, clip_worker: bool = True) -> None:
        """Start the clip worker and, when asked, the sync daemon and the feed scheduler."""
        if clip_worker and self.worker is None:
            self.worker = ClipWorker(self.clips)
            self.worker.start()
        if sync:
            self.sync = start_part("sync", self._make_sync)
        if feeds:
            self.feeds = start_part("feeds", self._make_feeds)

    def _make_sync(self) -> SyncDaemon:
        from papershelf.sync.gitsync.daemon import (
            SyncDaemon,  # watchdog and GitPython only when it runs
        )

        return SyncDaemon(self.workspace)

    def _make_feeds(self) -> FeedScheduler:
        # The feeds and their ranking (scikit-learn) are imported only when they run.
        from papershelf.feeds.poll import Poller
        from papershelf.feeds.scheduler import FeedScheduler

        poller = Poller(self.workspace, index=self.index)  # the server's index, not another
        return FeedScheduler(self.workspace, poller=poller)

    def stop(self, timeout_seconds: float = 4.0) -> None:
        """Stop every running part, all within `timeout_seconds` together."""
        deadline = time.monotonic() + timeout_seconds
        if self.worker is not None:
            # A clip in flight may wait on arXiv; it stays queued (durably), so do not wait long.
            self.worker.stop(timeout_seconds=min(WORKER_STOP_SECONDS, timeout_seconds / 4))
        self.feeds.stop(max(0.1, deadline - time.monotonic()))
        self.sync.stop(max(0.1, deadline - time.monotonic()))

    def review_candidates(self) -> CandidateStore | None:
        """The candidate store scoped to the served workspace (None when it could not open)."""
        store = self.candidates
        if store is None or store.workspace:
            return store
        scoped = self._scoped_candidates
        if scoped is None or scoped.path != store.path:
            from papershelf.feeds.store import CandidateStore

            scoped = CandidateStore(store.path, workspace=str(self.workspace.root))
            self._scoped_candidates = scoped
        return scoped

    def candidate_state(self, identity: str | None) -> str | None:
        """The feeds' decision about a paper (pending, accepted, rejected), if the store knows it."""
        if not identity or self.candidates is None:
            return None
        try:
            return self.candidates.state_of(identity)
        except Exception as exc:
            log.warning("candidate store lookup failed: %s", exc)
            return None

    def status(self) -> dict[str, Any]:
        """Sync, feeds and queued clips, as `/api/status` shows them."""
        queue = queue_summary(self.clips.queue, self.clips.key)
        worker = self.worker
        if "error" not in queue:
            queue["state"] = RUNNING if worker is not None and worker.running else OFF
            if worker is not None and worker.last_error:
                queue["error"] = worker.last_error
        queue["arxiv"] = (
            "available" if self.clips.completer.unavailable_since is None else "unreachable"
        )
        return {
            "version": __version__,
            "workspace": str(self.workspace.root),
            "uptime_seconds": round(time.time() - self.started_at, 1),
            "lists": len(self.index.list_paths()),
            "sync": self.sync.status(),
            "feeds": self.feeds.status(),
            "clips": queue,
        }


def open_candidates() -> CandidateStore | None:
    """The candidate store of every workspace, or None (logged) when it cannot be opened."""
    from papershelf.feeds.store import CandidateStore

    try:
        return CandidateStore()
    except PapershelfError as exc:
        log.warning("cannot open the candidate store: %s", exc.message)
        return None


def queue_summary(queue: ClipQueue, workspace: str) -> dict[str, Any]:
    """The clip queue's summary, or state "error" with the reason (naming the file) when the
    queue cannot be read: a damaged queue or a full disk must not take the status down."""
    try:
        return queue.summary(workspace)
    except StoreUnavailable as exc:
        return {"state": ERROR, "error": exc.message, "items": []}


# -- state a stopped server leaves behind, for `papershelf status` ------------------------------


def server_state_path() -> Path:
    """`<data dir>/server.json`: the running server's pid, URL and workspace."""
    return data_dir() / SERVER_STATE_FILENAME


def write_server_state(url: str, workspace: Workspace) -> None:
    """Record the running server (removed again by `clear_server_state`)."""
    state = {
        "pid": os.getpid(),
        "url": url,
        "workspace": str(workspace.root),
        "started_at": time.time(),
    }
    path = server_state_path()
    tmp = path.with_suffix(".tmp")
    try:
        tmp.write_text(json.dumps(state), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:  # a full disk: serve still serves; `papershelf status` cannot find it
        log.warning("cannot record the server in %s: %s", path, exc.strerror or exc)


def clear_server_state() -> None:
    """Forget the server record if it is ours."""
    path = server_state_path()
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def read_server_state() -> dict[str, Any] | None:
    """The recorded server if its process is still alive, else None."""
    try:
        state = json.loads(server_state_path().read_text(encoding="utf-8"))
        os.kill(int(state["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return state


def offline_status(workspace: Workspace) -> dict[str, Any]:
    """What the parts persisted, read without a running server (`papershelf status`)."""
    server = read_server_state()
    if server is not None and server.get("workspace") != str(workspace.root):
        server = None  # a server runs, but for another workspace: this one is not served
    out: dict[str, Any] = {
        "version": __version__,
        "workspace": str(workspace.root),
        "server": {"state": RUNNING, **server} if server else {"state": OFF},
    }
    from papershelf.feeds.status import load_status as load_feeds_status
    from papershelf.sync.gitsync.daemon import load_status as load_sync_status

    loaders = {"sync": load_sync_status, "feeds": load_feeds_status}
    for name, loader in loaders.items():
        try:
            out[name] = {"state": "recorded", **loader(workspace)}
        except Exception as exc:
            out[name] = {"state": ERROR, "reason": f"cannot read its state: {exc}"}
    out["clips"] = queue_summary(ClipQueue(), str(workspace.root))
    return out
