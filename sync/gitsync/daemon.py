"""The sync daemon: watch the workspace, commit after a quiet period, pull with rebase, push.

One worker thread runs every cycle (so one commit is in flight at a time); the watchdog thread
only records that something changed. When each step is due is `schedule`'s (pure), the commit is
`commit`'s, sharing it `push`'s; this module runs them. Every failure becomes one line in the
status and the loop goes on.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import git
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from ..errors import PapershelfError
from ..workspace import Workspace
from . import commit, cyclelock, gitrepo, recovery, stopping
from . import status as status_store
from .gitwait import GitWait, git_state, waiting_line
from .messages import check_template, describe_change
from .push import Pusher
from .schedule import Schedule
from .settings import (
    MESSAGE_TEMPLATE,
    PULL_INTERVAL_SECONDS,
    PUSH,
    QUIET_SECONDS,
    REMOTE,
    REPOSITORY,
    RETRY_MAX_SECONDS,
    RETRY_SECONDS,
    STALE_LOCK_SECONDS,
)
from .setup import ensure_repo_setup
from .shown import shown_path
from .status import CycleResult, LiveStatus, SyncStatus
from .vanished import vanished_clips
from .watch import ChangeHandler, IgnoredPaths, PathFilter

log = logging.getLogger(__name__)


class SyncDaemon:
    """Keeps a workspace committed and shared; `start`/`stop` it, or step it with `run_once`."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        quiet_seconds: float | None = None,
        pull_interval_seconds: float | None = None,
    ) -> None:
        self.workspace = workspace
        self.root = workspace.root
        self.repository: str = workspace.setting(REPOSITORY.key)
        self.template: str = workspace.setting(MESSAGE_TEMPLATE.key)
        self.stale_lock_seconds: float = workspace.setting(STALE_LOCK_SECONDS.key)
        self.filter = PathFilter(workspace)
        self.schedule = Schedule(
            quiet_seconds=(
                quiet_seconds if quiet_seconds is not None else workspace.setting(QUIET_SECONDS.key)
            ),
            pull_interval_seconds=(
                pull_interval_seconds
                if pull_interval_seconds is not None
                else workspace.setting(PULL_INTERVAL_SECONDS.key)
            ),
            retry_seconds=workspace.setting(RETRY_SECONDS.key),
            retry_max_seconds=workspace.setting(RETRY_MAX_SECONDS.key),
        )
        self._cond = threading.Condition()  # guards the schedule, the events and the status
        problem = check_template(self.template)
        notice = workspace.config_notice or (problem and f"{problem}; using the default message")
        self.live = LiveStatus(status_store.resumed(self.root, notice or None), self._cond)
        self._gitwait = GitWait(self.schedule.quiet_seconds)  # git's state, while we wait on it
        self.pusher = Pusher(
            root=self.root,
            filter=self.filter,
            template=self.template,
            remote_name=workspace.setting(REMOTE.key),
            push_enabled=workspace.setting(PUSH.key),
            status=self.live,
            schedule=self.schedule,
            gitwait=self._gitwait,
        )
        self._cycle_lock = threading.Lock()
        self._events: set[str] = set()
        self._ignored = IgnoredPaths(self.root, self.repository)
        self._last_committed: dict[str, bytes] = {}  # path -> bytes last staged for a commit
        self._remote_error: str | None = None
        self._stopping = False
        self._stop_deadline: float | None = None  # the final commit's wait ends before it
        self._thread: threading.Thread | None = None
        self._daemon_lock: stopping.DaemonLock | None = None  # one daemon per repository
        self._observer: BaseObserver | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Set the repository up, watch the workspace and run the loop (commits pending first)."""
        if self._thread is not None:
            return
        try:
            ensure_repo_setup(self.workspace)
        except (PapershelfError, OSError) as exc:
            self.live.set(error=gitrepo.one_line(exc))
        held = None
        try:
            with gitrepo.open_repo(self.root, self.repository) as repo:
                held = cyclelock.hold_daemon_lock(repo, self.root)  # or refuse
        except gitrepo.GitFailed:
            pass  # not a repository (reported above): there is nothing to share anyway
        self._daemon_lock = stopping.DaemonLock(held)
        self._stopping, self._stop_deadline = False, None
        observer = Observer()
        observer.schedule(
            ChangeHandler(self.filter, self._on_change, self._on_git),
            str(self.root),
            recursive=True,
        )
        observer.daemon = True
        observer.start()
        self._observer = observer
        with self._cond:  # commit whatever is pending on start
            self.schedule.changed(time.monotonic() - self.schedule.quiet_seconds)
        self._thread = threading.Thread(
            target=self._daemon_lock.run, args=(self._loop,), name="papershelf-sync", daemon=True
        )
        self.live.set(running=True, pid=os.getpid())
        self.live.save(self.root)
        self._thread.start()

    def stop(self, timeout_seconds: float = 5) -> None:
        """Stop watching within `timeout_seconds`; the cycle in flight finishes and pending
        changes are committed locally (unless another process's cycle keeps them out past the
        timeout: `stopping` says so)."""
        if self._thread is None and self._observer is None:
            return  # never started (or refused to): the status is another daemon's, if any
        deadline = time.monotonic() + timeout_seconds
        with self._cond:
            self._stopping, self._stop_deadline = True, deadline
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(max(0.0, deadline - time.monotonic()))
            self._observer = None
        if self._thread is not None:
            self._thread.join(max(0.0, deadline - time.monotonic()))
            if self._thread.is_alive():
                log.warning(stopping.STILL_RUNNING, timeout_seconds)
            self._thread = None
        self.live.set(running=False)
        self.live.save(self.root)
        if self._daemon_lock is not None:
            self._daemon_lock.end()  # released now, or by the thread when it is done
            self._daemon_lock = None

    def run_once(self, on_wait: Callable[[str], None] | None = None) -> CycleResult:
        """Commit what is pending, pull with rebase and push now.

        While another process's cycle runs, waits for it (`on_wait` is told why), up to
        `cyclelock.ONCE_WAIT_SECONDS`; then gives up with `busy` in the result.
        """
        try:
            ensure_repo_setup(self.workspace)
        except (PapershelfError, OSError) as exc:
            self.live.set(error=gitrepo.one_line(exc))
            self.live.save(self.root)
            return CycleResult(ok=False, error=gitrepo.one_line(exc))
        wait = cyclelock.ONCE_WAIT_SECONDS
        return self._cycle(share_now=True, force=True, wait=wait, on_wait=on_wait)

    def snapshot(self) -> SyncStatus:
        """The daemon's state, typed, with the changes seen since the last cycle as pending."""
        with self._cond:
            out = self.live.snapshot()
            out.pending = sorted(set(out.pending) | {shown_path(e) for e in self._events})
        return out

    def status(self) -> dict[str, Any]:
        """The daemon's state as JSON: last commit, pending changes, last push, error, conflict,
        paused (docs/http-api.md)."""
        return self.snapshot().to_dict()

    # -- events and loop -----------------------------------------------------------------------

    def _on_change(self, rel: str) -> None:
        """A watched path changed (watchdog thread): restart the quiet period."""
        if self._ignored.ignored(rel):
            return
        with self._cond:
            self.schedule.changed(time.monotonic())
            self._events.add(rel)
            self._cond.notify_all()

    def _on_git(self, rel: str) -> None:
        """git's state changed (watchdog thread): noted while paused or failed (`gitwait`)."""
        with self._cond:
            if self.live.current.paused or self.live.current.error:
                self._gitwait.note(time.monotonic())
                self._cond.notify_all()

    def _loop(self) -> None:
        """The worker: wait for something due, run one cycle, repeat until stopped."""
        # Load the list engine's lazy parts now, not inside the first commit's latency.
        describe_change("warm-up.md", b"# A\n", b"# A\n- [W](https://arxiv.org/abs/2401.00001)\n")
        while True:
            with self._cond:
                while not self._stopping:
                    now = time.monotonic()
                    if any(self.schedule.due(now)) or self._gitwait.due(now):
                        break
                    self._cond.wait(self.schedule.wait_seconds(now, self._gitwait.due_at()))
                if self._stopping:
                    break
                now = time.monotonic()
                due, git_due = self.schedule.due(now), self._gitwait.due(now)
                if due.commit:
                    self.schedule.dirty = False
                if git_due:
                    self._gitwait.changed = False
                if due.pull:
                    self.schedule.pulled(now)
            # git moved by hand (a merge committed, `sync --once` pushed): share now.
            git_moved = git_due and self._gitwait.moved(
                self.root, self.live.current.remote, self.repository
            )
            if not (any(due) or git_moved):
                continue
            share_now = due.share_now() or git_moved
            try:
                result = self._cycle(share_now=share_now, force=False)
            except Exception as exc:  # the loop lives on, whatever happens
                log.exception("sync cycle failed")
                self.live.set(error=f"unexpected {type(exc).__name__}: {exc}")
                result = CycleResult(ok=False, error=str(exc))
            with self._cond:
                if result.busy:  # another process's cycle: ours runs a quiet period later
                    self.schedule.busy(time.monotonic(), share_now)
                elif result.error and self.live.current.pending:
                    # a lock, a merge in progress, a disk error: try the commit again
                    self.schedule.changed(time.monotonic())
        # Stopping: commit whatever is pending locally (git status decides, not the events, which
        # may not have arrived yet); sharing waits for the next start.
        try:
            wait = stopping.final_lock_wait(self._stop_deadline)
            result = self._cycle(share_now=False, force=False, share_after_commit=False, wait=wait)
            if result.busy:
                self.live.set(notice=stopping.say_left(self.root, self.filter, self.repository))
                self.live.save(self.root)
        except Exception as exc:
            log.warning("the final commit failed: %s", exc)

    # -- one cycle -----------------------------------------------------------------------------

    def _cycle(
        self,
        *,
        share_now: bool,
        force: bool,
        share_after_commit: bool = True,
        wait: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
    ) -> CycleResult:
        """Commit pending changes, then (when due, or after a commit) pull with rebase and push.

        Holds the repository's cycle lock (`cyclelock`): when another process holds it for
        `wait` seconds, nothing is done and the result says `busy`.
        """
        result = CycleResult()
        with self._cycle_lock:
            try:
                repo = gitrepo.open_repo(self.root, self.repository)
            except gitrepo.GitFailed as exc:
                return self._finish(result, exc.message)
            with repo:
                try:
                    with cyclelock.cycle(repo, self.root, wait, on_wait):
                        error = self._steps(repo, result, share_now, force, share_after_commit)
                except cyclelock.CycleBusy as exc:
                    log.info("sync: %s", exc.message)
                    result.ok, result.busy, result.error = False, True, exc.message
                    return result
                return self._finish(result, error)

    def _steps(
        self,
        repo: git.Repo,
        result: CycleResult,
        share_now: bool,
        force: bool,
        share_after_commit: bool,
    ) -> str | None:
        """The cycle proper, with both locks held: clear a stale lock, commit, share; the error
        to report, if any."""
        with self._cond:
            self._events.clear()
        error: str | None = None
        try:
            notice = recovery.clear_leftovers(repo, self.root, self.stale_lock_seconds)
            if notice:
                self.live.set(notice=notice)
            seen = git_state(repo, self.live.current.remote)
            doing = seen[2]
            if doing:
                self._gitwait.seen = seen  # waiting on exactly this state
                raise gitrepo.Busy(waiting_line(doing))
            if repo.head.is_detached:  # a commit there is lost by the next checkout of a branch
                raise gitrepo.GitFailed("HEAD is detached; check out a branch to share the lists")
            gone = vanished_clips(repo, self.workspace)  # said before their list is committed
            if gone:
                self.live.set(notice=gone)
            committed = commit.commit_pending(
                repo, self.root, self.filter, self.template, last_committed=self._last_committed
            )
            if committed:
                result.committed = committed
                self.live.set(
                    last_commit={
                        "sha": committed["sha"],
                        "message": committed["message"],
                        "time": committed["time"],
                    }
                )
            if share_now or (committed and share_after_commit):
                # After a commit alone, push straight away: a fast-forward push proves
                # there was nothing to pull, and saves a round trip to the remote.
                self.pusher.share(repo, result, force, push_first=not (share_now or force))
        except gitrepo.RemoteUnreachable as exc:
            error = self._remote_error = self.pusher.unreachable(exc.message)
        except (PapershelfError, OSError) as exc:
            error = gitrepo.one_line(exc)
        if error is None and self.schedule.failures:
            error = self._remote_error  # still backing off: the report stays
        self._refresh(repo)
        if error is None:  # a config.toml papershelf cannot use, left out of the commit
            error = commit.held_back(repo, self.root, self.live.current.pending)
        return error

    def _finish(self, result: CycleResult, error: str | None) -> CycleResult:
        """Record the cycle's error (or its absence) and the state it left in the result."""
        if error:
            error = shown_path(error)  # one line, JSON-safe, whatever file name git quoted
            log.warning("sync: %s", error)
        current = self.live.current
        result.ok = error is None and not current.paused
        result.error = error
        result.conflict = current.conflict
        result.remote = current.remote
        self.live.set(error=error)
        self.live.save(self.root)
        return result

    def _refresh(self, repo: git.Repo) -> None:
        """Pending paths and unpushed commits, for the status."""
        try:
            pending = commit.pending_changes(repo, self.root, self.filter)
            up = self.live.current.remote
            ahead = gitrepo.ahead(repo, f"refs/remotes/{up}") if up else 0
            self.live.set(pending=pending, ahead=ahead)
        except (PapershelfError, OSError, ValueError) as exc:
            log.debug("cannot refresh the status: %s", exc)


def load_status(workspace: Workspace) -> dict[str, Any]:
    """The persisted status of the workspace's daemon (any process), with live pending changes."""
    found = status_store.read(workspace.root)
    try:
        repo = gitrepo.open_repo(workspace.root, workspace.setting(REPOSITORY.key))
        with repo:
            found["pending"] = commit.pending_changes(repo, workspace.root, PathFilter(workspace))
    except (PapershelfError, OSError, ValueError) as exc:
        log.debug("cannot list pending changes: %s", exc)
    return found
