"""The feed scheduler: APScheduler 3 `BackgroundScheduler` jobs, one per configured feed."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from papershelf.sync.errors import PapershelfError
from papershelf.sync.workspace import CONFIG_NAME, Workspace, load_config

from .poll import Poller, PollSummary
from .sources import FeedSource, load_sources, poll_interval_minutes
from .status import feed_status, load_status

log = logging.getLogger(__name__)

__all__ = ["FeedScheduler", "load_status"]

#: A poll that missed its time (machine asleep) still runs if it is at most this late.
MISFIRE_GRACE_SECONDS = 3600
#: The first poll of an interval feed runs this long after start, not at once.
FIRST_POLL_DELAY_SECONDS = 30.0
#: How often the running scheduler looks whether `.papershelf/config.toml` changed.
CONFIG_CHECK_SECONDS = 10.0
#: The id of that check's job (no feed can have it: ":" is not allowed in a feed name).
CONFIG_CHECK_JOB = "papershelf:config-check"
#: How often a job waiting for its poll looks whether the scheduler stopped.
STOP_CHECK_SECONDS = 0.2


def trigger_for(source: FeedSource, default_interval_minutes: int) -> Any:
    """The APScheduler trigger of a source: its cron, or its (or the default) interval."""
    if source.cron:
        return CronTrigger.from_crontab(source.cron, timezone=dt.UTC)
    return IntervalTrigger(minutes=source.interval_minutes or default_interval_minutes)


class FeedScheduler:
    """Polls a workspace's feeds on their schedules in a background thread."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        poller: Poller | None = None,
        config_check_seconds: float = CONFIG_CHECK_SECONDS,
    ) -> None:
        """A stopped scheduler of `workspace`'s feeds."""
        self.workspace = workspace
        self._poller = poller
        self._poll_lock = threading.Lock()
        self._config_lock = threading.Lock()
        self._config_check_seconds = config_check_seconds
        self._config_seen: str | None = None  # the hash of the config.toml last read
        self._specs: dict[str, tuple[FeedSource, int | None]] = {}  # what each job came from
        self._scheduler = BackgroundScheduler(
            # The config check has its own thread: a long poll must not hold it up.
            executors={
                "default": ThreadPoolExecutor(max_workers=1),
                "config": ThreadPoolExecutor(max_workers=1),
            },
            job_defaults={
                "coalesce": True,
                "max_instances": 1,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
            },
            timezone=dt.UTC,
        )
        self.config_error: str | None = None
        self.last: dict[str, PollSummary] = {}
        self._stopped = threading.Event()  # set by stop(): a job stops waiting for its poll

    @property
    def running(self) -> bool:
        """Whether the scheduler thread runs."""
        return bool(self._scheduler.running)

    def poller(self) -> Poller:
        """The poller, built on first use (indexing a big workspace takes a moment)."""
        with self._poll_lock:
            if self._poller is None:
                self._poller = Poller(self.workspace)
            return self._poller

    def start(self) -> None:
        """Add one job per enabled feed and start; a config error is recorded, not raised."""
        with self._config_lock:
            self._config_seen = self._config_hash()
            try:
                sources = [s for s in load_sources(self.workspace) if s.enabled]
                default_minutes = poll_interval_minutes(self.workspace)
            except PapershelfError as exc:
                self.config_error = exc.message
                log.error("feeds not scheduled: %s", exc.message)
                sources, default_minutes = [], 0
            self._schedule(sources, default_minutes)
        self._scheduler.add_job(
            self.check_config,
            IntervalTrigger(seconds=self._config_check_seconds),
            id=CONFIG_CHECK_JOB,
            name=CONFIG_CHECK_JOB,
            executor="config",
        )
        self._scheduler.start()
        log.info("feed scheduler started with %d feed(s)", len(sources))

    def _config_hash(self) -> str | None:
        """A hash of `.papershelf/config.toml` as it is on disk now (None when there is none)."""
        try:
            data = (self.workspace.state_dir / CONFIG_NAME).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:  # unreadable for now: load_config will say why
            return f"unreadable: {exc}"
        return hashlib.sha256(data).hexdigest()

    def check_config(self) -> bool:
        """Re-read config.toml when it changed since last read, and reschedule: new feeds are
        added, removed or disabled ones dropped, changed ones rescheduled, the config error
        cleared. A config with an error is reported and the feeds scheduled before stay. Whether
        the file had changed."""
        with self._config_lock:
            seen = self._config_hash()
            if seen == self._config_seen:
                return False
            self._config_seen = seen
            try:
                workspace = Workspace(self.workspace.root, load_config(self.workspace.root))
                sources = [s for s in load_sources(workspace) if s.enabled]
                default_minutes = poll_interval_minutes(workspace)
            except PapershelfError as exc:
                self.config_error = exc.message
                log.error("feeds config changed but not applied: %s", exc.message)
                return True
            self.workspace = workspace
            with self._poll_lock:
                if self._poller is not None:  # polls read the [poll] settings from it
                    self._poller.workspace = workspace
            self.config_error = None
            self._schedule(sources, default_minutes)
            log.info("feeds config changed: %d feed(s) scheduled", len(self._specs))
            return True

    def _schedule(self, sources: list[FeedSource], default_minutes: int) -> None:
        """Make the jobs match `sources`: add new feeds, drop gone ones, redo changed ones."""
        first = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=FIRST_POLL_DELAY_SECONDS)
        wanted: dict[str, tuple[FeedSource, Any]] = {}
        for source in sources:
            try:
                wanted[source.name] = (source, trigger_for(source, default_minutes))
            except ValueError as exc:
                self.config_error = f"feed {source.name}: bad cron {source.cron!r}: {exc}"
                log.error("%s", self.config_error)
            except OverflowError as exc:  # an interval past the last date Python has
                minutes = source.interval_minutes or default_minutes
                self.config_error = (
                    f"feed {source.name}: an interval of {minutes} minutes is too long ({exc})"
                )
                log.error("%s", self.config_error)
        for name in [n for n in self._specs if n not in wanted]:
            self._scheduler.remove_job(name)
            del self._specs[name]
        for name, (source, trigger) in wanted.items():
            # The default interval matters only to a feed that sets neither its own nor a cron.
            spec = (source, None if source.cron or source.interval_minutes else default_minutes)
            if self._specs.get(name) == spec:
                continue  # unchanged: keeps its next poll
            if name in self._specs:
                self._scheduler.remove_job(name)
            options: dict[str, Any] = {}
            if not source.cron:
                options["next_run_time"] = first
            self._scheduler.add_job(
                self._run, trigger, args=[source], id=name, name=name, **options
            )
            self._specs[name] = spec

    def _run(self, source: FeedSource) -> None:
        """One scheduled poll (never raises: the poller records failures).

        The poll runs in a daemon thread that this job waits for until the scheduler stops: the
        executor's own thread is joined when the process exits, so a poll whose requests wait
        out their timeouts (a minute and more) would hold up serve's stop.
        """
        done = threading.Event()

        def poll() -> None:
            try:
                summary = self.poller().poll_source(source)
            except Exception as exc:
                log.exception("scheduled poll of %s failed", source.name)
                error = f"{type(exc).__name__}: {exc}"
                summary = PollSummary(source.name, state="error", error=error)
            self.last[source.name] = summary
            done.set()

        name = f"papershelf-poll-{source.name}"
        threading.Thread(target=poll, name=name, daemon=True).start()
        while not done.wait(STOP_CHECK_SECONDS) and not self._stopped.is_set():
            pass

    def poll_now(self, name: str | None = None) -> None:
        """Run the feed `name` (or every feed) as soon as possible."""
        now = dt.datetime.now(dt.UTC)
        for job in self._scheduler.get_jobs():
            if job.id == CONFIG_CHECK_JOB:
                continue
            if name is None or job.id == name:
                job.modify(next_run_time=now)

    def stop(self, timeout_seconds: float = 0.0) -> None:
        """Stop scheduling; a poll in progress finishes on its own (its requests time out) in a
        daemon thread, which the process does not wait for when it exits."""
        self._stopped.set()
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def status(self) -> dict[str, Any]:
        """Last poll, next poll and errors per feed, as `/api/status` shows them (after
        re-reading config.toml if it changed)."""
        if self.running:
            self.check_config()
        out = feed_status(self.workspace)
        jobs = {job.id: job for job in self._scheduler.get_jobs()} if self.running else {}
        jobs.pop(CONFIG_CHECK_JOB, None)
        for name, feed in out["feeds"].items():
            job = jobs.get(name)
            next_run = getattr(job, "next_run_time", None) if job is not None else None
            feed["next_poll"] = (
                next_run.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if next_run else None
            )
        out["scheduled"] = sorted(jobs)
        if self.config_error:
            out["config_error"] = self.config_error
        return out
