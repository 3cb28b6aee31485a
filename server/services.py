"""The parts a server runs (index, clip queue, sync daemon, feed scheduler), held for the views."""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sync import __version__
from sync.errors import StoreUnavailable
from sync.index import WorkspaceIndex
from sync.paths import data_dir
from sync.workspace import Workspace

from .clipqueue import ClipQueue
from .clips import ClipService, ClipWorker, RetryPolicy
from .completion import ArxivCompleter

log = logging.getLogger(__name__)

RUNNING, OFF, UNAVAILABLE, ERROR = "running", "off", "unavailable", "error"
SERVER_STATE_FILENAME = "server.json"
#: The clip worker gets at most this long to finish on stop.
WORKER_STOP_SECONDS = 1.0
#: A live clip waits at most this long for one arXiv answer before it is queued.
ARXIV_TIMEOUT_SECONDS = 10.0
ARXIV_MAX_RETRIES = 1
#: The longest Retry-After a live clip honours before it is queued instead.
ARXIV_MAX_WAIT_SECONDS = 5.0


def _load(module: str, name: str) -> tuple[Any | None, str | None]:
    """`module.name`, or (None, why) when that part of papershelf is not installed."""
    try:
        return getattr(importlib.import_module(module), name), None
    except ImportError as exc:
        return None, f"{module}.{name} is not available ({exc})"
    except AttributeError:
        return None, f"{module}.{name} is not available"


def make_arxiv_client(timeout_seconds: float = ARXIV_TIMEOUT_SECONDS) -> tuple[Any | None, str]:
    """A `feeds.arxiv_api.ArxivClient` (base URL from PAPERSHELF_ARXIV_API_URL), or (None, why)."""
    cls, why = _load("feeds.arxiv_api", "ArxivClient")
    if cls is None:
        return None, why or ""
    try:
        # A person waits on a live clip: one quick retry, then the queue takes over.
        return cls(
            timeout_seconds=timeout_seconds,
            max_retries=ARXIV_MAX_RETRIES,
            backoff_base_seconds=1.0,
            max_wait_seconds=ARXIV_MAX_WAIT_SECONDS,
        ), ""
    except Exception as exc:
        log.warning("cannot make the arXiv client: %s", exc)
        return None, f"cannot make the arXiv client: {exc}"


@dataclass
class Part:
    """One optional part (sync daemon, feed scheduler): the object, or why it is not running."""

    name: str
    obj: Any | None = None
    state: str = OFF
    reason: str | None = None

    def status(self) -> dict[str, Any]:
        """{"state": running|off|unavailable|error, ...the part's own status}."""
        out: dict[str, Any] = {"state": self.state}
        if self.reason:
            out["reason"] = self.reason
        if self.obj is not None and hasattr(self.obj, "status"):
            try:
                out.update(self.obj.status())
            except Exception as exc:
                out["error"] = f"status failed: {exc}"
            out["state"] = self.state
        return out


def _start_part(name: str, module: str, cls_name: str, workspace: Workspace, **kwargs: Any) -> Part:
    """Make and start a part; a missing module or a failing start is reported, never raised."""
    cls, why = _load(module, cls_name)
    if cls is None:
        log.warning("%s is unavailable: %s", name, why)
        return Part(name, state=UNAVAILABLE, reason=why)
    try:
        obj = cls(workspace, **kwargs)
        obj.start()
    except Exception as exc:
        log.error("%s did not start: %s", name, exc)
        return Part(name, state=ERROR, reason=f"did not start: {exc}")
    return Part(name, obj=obj, state=RUNNING)


@dataclass
class Services:
    """What the views use; parts left out (`--no-sync`, `--no-feeds`) are "off"."""

    workspace: Workspace
    index: WorkspaceIndex
    clips: ClipService
    worker: ClipWorker | None = None
    sync: Part = field(default_factory=lambda: Part("sync"))
    feeds: Part = field(default_factory=lambda: Part("feeds"))
    candidates: Any | None = None
    started_at: float = field(default_factory=time.time)

    @classmethod
    def build(
        cls,
        workspace: Workspace,
        *,
        arxiv: Any | None = None,
        queue: ClipQueue | None = None,
        retry: RetryPolicy | None = None,
        candidates: Any | None = None,
    ) -> Services:
        """Index the workspace and set up clips; `arxiv` defaults to the feeds client if present."""
        reason = ""
        if arxiv is None:
            arxiv, reason = make_arxiv_client()
        if candidates is None:
            store_cls, _ = _load("feeds.store", "CandidateStore")
            if store_cls is not None:
                try:
                    candidates = store_cls()
                except Exception as exc:
                    log.warning("cannot open the candidate store: %s", exc)
        index = WorkspaceIndex.build(workspace)
        # The popup's first lookup by title needs the title word index: built meanwhile.
        threading.Thread(target=index.warm_titles, name="papershelf-titles", daemon=True).start()
        service = ClipService(
            workspace, index, ArxivCompleter(arxiv, reason), queue or ClipQueue(), retry
        )
        return cls(workspace=workspace, index=index, clips=service, candidates=candidates)

    def start(self, *, sync: bool = True, feeds: bool = True, clip_worker: bool = True) -> None:
        """Start the clip worker and, when asked, the sync daemon and the feed scheduler."""
        if clip_worker and self.worker is None:
            self.worker = ClipWorker(self.clips)
            self.worker.start()
        if sync:
            self.sync = _start_part("sync", "sync.gitsync", "SyncDaemon", self.workspace)
        if feeds:
            kwargs = {}
            poller_cls, _ = _load("feeds.poll", "Poller")
            if poller_cls is not None:  # share the server's index instead of building another
                try:
                    kwargs["poller"] = poller_cls(self.workspace, index=self.index)
                except StoreUnavailable as exc:  # polling into a store it cannot use: say so
                    log.error("feeds did not start: %s", exc.message)
                    self.feeds = Part("feeds", state=ERROR, reason=exc.message)
                    return
                except Exception as exc:
                    log.warning("feeds will build their own index: %s", exc)
            self.feeds = _start_part(
                "feeds", "feeds.scheduler", "FeedScheduler", self.workspace, **kwargs
            )

    def stop(self, timeout_seconds: float = 4.0) -> None:
        """Stop every running part, all within `timeout_seconds` together."""
        deadline = time.monotonic() + timeout_seconds
        if self.worker is not None:
            # A clip in flight may wait on arXiv; it stays queued (durably), so do not wait long.
            self.worker.stop(timeout_seconds=min(WORKER_STOP_SECONDS, timeout_seconds / 4))
        for part in (self.feeds, self.sync):
            if part.obj is None or part.state != RUNNING:
                continue
            left = max(0.1, deadline - time.monotonic())
            try:
                if part.name == "sync":
                    # It joins its watcher and its loop, each for up to the timeout it is given.
                    part.obj.stop(timeout_seconds=left / 2)
                else:
                    part.obj.stop()
            except Exception as exc:
                log.warning("%s did not stop cleanly: %s", part.name, exc)
            part.state = OFF

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
            "available"
            if self.clips.completer.client is not None
            else (f"unavailable: {self.clips.completer.unavailable_reason}")
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


def queue_summary(queue: ClipQueue, workspace: str) -> dict[str, Any]:
    """The clip queue's summary, or state "error" with the reason (naming the file) when the
    queue cannot be read: a damaged queue or a full disk must not take the status down."""
    try:
        return queue.summary(workspace)
    except StoreUnavailable as exc:
        return {"state": ERROR, "error": exc.message, "items": []}


# -- state a stopped server leaves behind, for `papershelf status` ------------------------------


def server_state_path() -> Any:
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
    for name, module in (("sync", "sync.gitsync"), ("feeds", "feeds.status")):
        loader, why = _load(module, "load_status")
        if loader is None:
            out[name] = {"state": UNAVAILABLE, "reason": why}
            continue
        try:
            out[name] = {"state": "recorded", **loader(workspace)}
        except Exception as exc:
            out[name] = {"state": ERROR, "reason": f"cannot read its state: {exc}"}
    out["clips"] = queue_summary(ClipQueue(), str(workspace.root))
    return out
