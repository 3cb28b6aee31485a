"""The sync daemon: watch the workspace, commit after a quiet period, pull with rebase, push.

One worker thread runs every cycle (so one commit is in flight at a time); the watchdog thread
only records that something changed. Every failure becomes one line in the status and the loop
goes on.
"""

from __future__ import annotations

import copy
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from watchdog.observers import Observer

from ..errors import PapershelfError
from ..workspace import Workspace
from . import cyclelock, gitrepo, recovery, share, stopping
from . import status as status_store
from .gitwait import GitWait, git_state, waiting_line
from .messages import check_template, describe_change
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
from .sharing import Sharing
from .shown import shown_path
from .vanished import vanished_clips
from .watch import ChangeHandler, PathFilter

log = logging.getLogger(__name__)

#: However busy the files are, commit at least this many quiet periods after the first change.
MAX_WAIT_QUIET_PERIODS = 10


class SyncDaemon(Sharing):
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
        self.quiet_seconds = (
            quiet_seconds if quiet_seconds is not None else workspace.setting(QUIET_SECONDS.key)
        )
        self.pull_interval_seconds = (
            pull_interval_seconds
            if pull_interval_seconds is not None
            else workspace.setting(PULL_INTERVAL_SECONDS.key)
        )
        self.template = workspace.setting(MESSAGE_TEMPLATE.key)
        self.remote_name = workspace.setting(REMOTE.key)
        self.repository = workspace.setting(REPOSITORY.key)
        self.push_enabled = workspace.setting(PUSH.key)
        self.retry_seconds = workspace.setting(RETRY_SECONDS.key)
        self.retry_max_seconds = workspace.setting(RETRY_MAX_SECONDS.key)
        self.stale_lock_seconds = workspace.setting(STALE_LOCK_SECONDS.key)
        self.filter = PathFilter(workspace)
        self._cond = threading.Condition()
        self._cycle_lock = threading.Lock()
        self._dirty = False
        self._first_event = self._last_event = 0.0
        self._events: set[str] = set()
        self._ignored: dict[str, bool] = {}
        self._last_committed: dict[str, bytes] = {}  # path -> bytes last staged for a commit
        self._stopping = False
        self._stop_deadline: float | None = None  # the final commit's wait ends before it
        self._thread: threading.Thread | None = None
        self._daemon_lock: stopping.DaemonLock | None = None  # one daemon per repository
        self._observer: Any = None
        self._failures = 0
        self._remote_error: str | None = None
        self._last_ok_push: dict | None = None  # put back when a failure was only a fetch's
        self._retry_at = 0.0
        self._next_pull = 0.0
        self._gitwait = GitWait(self.quiet_seconds)  # git's state, while we wait on it
        stored = status_store.read(self.root)
        self._status = status_store.empty_status(self.root)
        for key in ("last_commit", "last_pull", "last_push", "conflict", "paused"):
            self._status[key] = stored.get(key)
        self._status["paused"] = bool(self._status["paused"])
        if stored["running"]:
            # A daemon is alive elsewhere (read() checked its pid): a one-shot `sync --once`
            # saving its status must not show that daemon as stopped.
            self._status["running"], self._status["pid"] = True, stored["pid"]
        problem = check_template(self.template)
        if problem:
            self._status["notice"] = f"{problem}; using the default message"
        if workspace.config_notice:
            self._status["notice"] = workspace.config_notice

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Set the repository up, watch the workspace and run the loop (commits pending first)."""
        if self._thread is not None:
            return
        try:
            ensure_repo_setup(self.workspace)
        except (PapershelfError, OSError) as exc:
            self._set(error=gitrepo.one_line(exc))
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
        with self._cond:
            self._dirty = True  # commit whatever is pending on start
            self._first_event = self._last_event = time.monotonic() - self.quiet_seconds
        self._thread = threading.Thread(
            target=self._daemon_lock.run, args=(self._loop,), name="papershelf-sync", daemon=True
        )
        self._set(running=True, pid=os.getpid())
        self._save()
        self._thread.start()

    def stop(self, timeout_seconds: float = 5) -> None:
        """Stop watching; the cycle in flight finishes and pending changes are committed locally
        (unless another process's cycle keeps them out past the timeout: `stopping` says so)."""
        if self._thread is None and self._observer is None:
            return  # never started (or refused to): the status is another daemon's, if any
        with self._cond:
            self._stopping, self._stop_deadline = True, time.monotonic() + timeout_seconds
            self._cond.notify_all()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout_seconds)
            self._observer = None
        if self._thread is not None:
            self._thread.join(timeout_seconds)
            if self._thread.is_alive():
                log.warning(stopping.STILL_RUNNING, timeout_seconds)
            self._thread = None
        self._set(running=False)
        self._save()
        if self._daemon_lock is not None:
            self._daemon_lock.end()  # released now, or by the thread when it is done
            self._daemon_lock = None

    def run_once(self, on_wait: Callable[[str], None] | None = None) -> dict:
        """Commit what is pending, pull with rebase and push now; what happened, as a dict.

        While another process's cycle runs, waits for it (`on_wait` is told why), up to
        `cyclelock.ONCE_WAIT_SECONDS`; then gives up with `busy` in the result.
        """
        try:
            ensure_repo_setup(self.workspace)
        except (PapershelfError, OSError) as exc:
            self._set(error=gitrepo.one_line(exc))
            self._save()
            return {"ok": False, "error": gitrepo.one_line(exc), "committed": None}
        wait = cyclelock.ONCE_WAIT_SECONDS
        return self._cycle(share_now=True, force=True, wait=wait, on_wait=on_wait)

    def status(self) -> dict:
        """The daemon's state: last commit, pending changes, last push, error, conflict, paused."""
        with self._cond:
            out = copy.deepcopy(self._status)
            out["pending"] = sorted(set(out["pending"]) | {shown_path(e) for e in self._events})
        return out

    # -- events and loop -----------------------------------------------------------------------

    def _on_change(self, rel: str) -> None:
        """A watched path changed (watchdog thread): restart the quiet period."""
        if self._is_ignored(rel):
            return
        now = time.monotonic()
        with self._cond:
            if not self._dirty:
                self._first_event = now
            self._dirty = True
            self._last_event = now
            self._events.add(rel)
            self._cond.notify_all()

    def _on_git(self, rel: str) -> None:
        """git's state changed (watchdog thread): noted while paused or failed (`gitwait`)."""
        with self._cond:
            if self._status["paused"] or self._status["error"]:
                self._gitwait.note(time.monotonic())
                self._cond.notify_all()

    def _is_ignored(self, rel: str) -> bool:
        """Whether git ignores `rel` (`git check-ignore`, remembered per path)."""
        if rel not in self._ignored:
            try:
                repo = gitrepo.open_repo(self.root, self.repository)
            except gitrepo.GitFailed:
                return False
            with repo:
                try:
                    repo.git.check_ignore("-q", "--", str(self.root / rel))
                    self._ignored[rel] = True
                except Exception:  # exit 1: not ignored; anything else: treat as not ignored
                    self._ignored[rel] = False
        return self._ignored[rel]

    def _due(self, now: float) -> tuple[bool, bool, bool, bool]:
        """(commit due, pull due, push retry due, git state to look at) at `now`."""
        commit_due = self._dirty and now >= min(
            self._last_event + self.quiet_seconds,
            self._first_event + self.quiet_seconds * MAX_WAIT_QUIET_PERIODS,
        )
        pull_due = now >= self._next_pull
        retry_due = self._failures > 0 and now >= self._retry_at
        return commit_due, pull_due, retry_due, self._gitwait.due(now)

    def _wait_seconds(self, now: float) -> float:
        times = [self._next_pull]
        if self._dirty:
            times.append(
                min(
                    self._last_event + self.quiet_seconds,
                    self._first_event + self.quiet_seconds * MAX_WAIT_QUIET_PERIODS,
                )
            )
        if self._failures:
            times.append(self._retry_at)
        if self._gitwait.changed:
            times.append(self._gitwait.due_at() or now)
        return max(0.0, min(times) - now)

    def _loop(self) -> None:
        """The worker: wait for something due, run one cycle, repeat until stopped."""
        # Load the list engine's lazy parts now, not inside the first commit's latency.
        describe_change("warm-up.md", b"# A\n", b"# A\n- [W](https://arxiv.org/abs/2401.00001)\n")
        while True:
            with self._cond:
                while not self._stopping:
                    now = time.monotonic()
                    if any(self._due(now)):
                        break
                    self._cond.wait(self._wait_seconds(now))
                if self._stopping:
                    break
                commit_due, pull_due, retry_due, git_due = self._due(time.monotonic())
                if commit_due:
                    self._dirty = False
                if git_due:
                    self._gitwait.changed = False
            if pull_due:
                self._next_pull = time.monotonic() + self.pull_interval_seconds
            # git moved by hand (a merge committed, `sync --once` pushed): share now.
            git_moved = git_due and self._gitwait.moved(
                self.root, self._status.get("remote"), self.repository
            )
            if not (commit_due or pull_due or retry_due or git_moved):
                continue
            share_now = pull_due or retry_due or git_moved
            try:
                result = self._cycle(share_now=share_now, force=False)
            except Exception as exc:  # the loop lives on, whatever happens
                log.exception("sync cycle failed")
                self._set(error=f"unexpected {type(exc).__name__}: {exc}")
                result = {"error": str(exc)}
            if result.get("busy"):  # another process's cycle: ours runs a quiet period later
                self._rearm()
                soon = time.monotonic() + self.quiet_seconds
                if share_now:
                    self._next_pull = min(self._next_pull, soon)
                if self._failures:
                    self._retry_at = max(self._retry_at, soon)
            elif result.get("error") and self._status.get("pending"):
                self._rearm()  # a lock, a merge in progress, a disk error: try the commit again
        # Stopping: commit whatever is pending locally (git status decides, not the events, which
        # may not have arrived yet); sharing waits for the next start.
        try:
            wait = stopping.final_lock_wait(self._stop_deadline)
            result = self._cycle(share_now=False, force=False, share_after_commit=False, wait=wait)
            if result.get("busy"):
                self._set(notice=stopping.say_left(self.root, self.filter, self.repository))
                self._save()
        except Exception as exc:
            log.warning("the final commit failed: %s", exc)

    def _rearm(self) -> None:
        """Pending changes were not committed: try again after another quiet period."""
        with self._cond:
            now = time.monotonic()
            if not self._dirty:
                self._first_event = now
            self._dirty = True
            self._last_event = now

    # -- one cycle -----------------------------------------------------------------------------

    def _cycle(
        self,
        *,
        share_now: bool,
        force: bool,
        share_after_commit: bool = True,
        wait: float = 0.0,
        on_wait: Callable[[str], None] | None = None,
    ) -> dict:
        """Commit pending changes, then (when due, or after a commit) pull with rebase and push.

        Holds the repository's cycle lock (`cyclelock`): when another process holds it for
        `wait` seconds, nothing is done and the result says `busy`.
        """
        result: dict[str, Any] = {"ok": True, "committed": None, "pulled": False, "pushed": False}
        with self._cycle_lock:
            try:
                repo = gitrepo.open_repo(self.root, self.repository)
            except gitrepo.GitFailed as exc:
                return self._finish(result, exc.message)
            with repo:
                try:
                    with cyclelock.cycle(repo, self.root, wait, on_wait):
                        return self._steps(repo, result, share_now, force, share_after_commit)
                except cyclelock.CycleBusy as exc:
                    log.info("sync: %s", exc.message)
                    return {**result, "ok": False, "busy": True, "error": exc.message}

    def _steps(
        self, repo: Any, result: dict, share_now: bool, force: bool, share_after_commit: bool
    ) -> dict:
        """The cycle proper, with both locks held: clear a stale lock, commit, share."""
        with self._cond:
            self._events.clear()
        error: str | None = None
        try:
            notice = recovery.clear_leftovers(repo, self.root, self.stale_lock_seconds)
            if notice:
                self._set(notice=notice)
            seen = git_state(repo, self._status.get("remote"))
            doing = seen[2]
            if doing:
                self._gitwait.seen = seen  # waiting on exactly this state
                raise gitrepo.Busy(waiting_line(doing))
            if repo.head.is_detached:  # a commit there is lost by the next checkout of a branch
                raise gitrepo.GitFailed("HEAD is detached; check out a branch to share the lists")
            gone = vanished_clips(repo, self.workspace)  # said before their list is committed
            if gone:
                self._set(notice=gone)
            committed = share.commit_pending(
                repo,
                self.root,
                self.filter,
                self.template,
                last_committed=self._last_committed,
            )
            if committed:
                result["committed"] = committed
                self._set(last_commit={k: committed[k] for k in ("sha", "message", "time")})
            if share_now or (committed and share_after_commit):
                # After a commit alone, push straight away: a fast-forward push proves
                # there was nothing to pull, and saves a round trip to the remote.
                self._share(repo, result, force, push_first=not (share_now or force))
        except gitrepo.RemoteUnreachable as exc:
            error = exc.message
            self._failures += 1
            if (self._status.get("last_push") or {}).get("ok"):
                self._last_ok_push = self._status["last_push"]
            wait = min(self.retry_seconds * 2 ** (self._failures - 1), self.retry_max_seconds)
            self._retry_at = time.monotonic() + wait
            self._set(last_push={"time": status_store.now_iso(), "ok": False, "error": error})
            error = f"{error} (retrying in {wait:.3g} s; commits are kept locally)"
            self._remote_error = error
        except (PapershelfError, OSError) as exc:
            error = gitrepo.one_line(exc)
        if error is None and self._failures:
            error = self._remote_error  # still backing off: the report stays
        self._refresh(repo)
        if error is None:  # a config.toml papershelf cannot use, left out of the commit
            error = share.held_back(repo, self.root, self._status["pending"])
        return self._finish(result, error)

    def _finish(self, result: dict, error: str | None) -> dict:
        if error:
            error = shown_path(error)  # one line, JSON-safe, whatever file name git quoted
            log.warning("sync: %s", error)
        result["ok"] = error is None and not self._status["paused"]
        result["error"] = error
        result["conflict"] = self._status["conflict"]
        result["remote"] = self._status["remote"]
        self._set(error=error)
        self._save()
        return result

    def _refresh(self, repo: Any) -> None:
        """Pending paths and unpushed commits, for the status."""
        try:
            pending = share.pending_changes(repo, self.root, self.filter)
            up = self._status.get("remote")
            ahead = gitrepo.ahead(repo, f"refs/remotes/{up}") if up else 0
            self._set(pending=pending, ahead=ahead)
        except (PapershelfError, OSError, ValueError) as exc:
            log.debug("cannot refresh the status: %s", exc)

    def _set(self, **values: Any) -> None:
        """Update the status in memory (`_save` persists it)."""
        with self._cond:
            self._status.update(values)

    def _save(self) -> None:
        """Persist the status for other processes (`load_status`)."""
        with self._cond:
            self._status["updated"] = status_store.now_iso()
            snapshot = copy.deepcopy(self._status)
        status_store.save(self.root, snapshot)


def load_status(workspace: Workspace) -> dict:
    """The persisted status of the workspace's daemon (any process), with live pending changes."""
    found = status_store.read(workspace.root)
    try:
        repo = gitrepo.open_repo(workspace.root, workspace.setting(REPOSITORY.key))
        with repo:
            found["pending"] = share.pending_changes(repo, workspace.root, PathFilter(workspace))
    except (PapershelfError, OSError, ValueError) as exc:
        log.debug("cannot list pending changes: %s", exc)
    return found
