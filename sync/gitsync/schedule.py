"""When the sync daemon acts (pure): a commit after a quiet period, a pull at its interval, a
push retried with backoff while the remote is unreachable. Times are `time.monotonic()` values
passed in, so every rule is tested without waiting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

#: However busy the files are, commit at least this many quiet periods after the first change.
MAX_WAIT_QUIET_PERIODS = 10


class Due(NamedTuple):
    """What is due at one moment."""

    commit: bool
    pull: bool
    retry: bool

    def share_now(self) -> bool:
        """Whether the cycle shares (fetch, rebase, push) even without a new commit."""
        return self.pull or self.retry


@dataclass
class Schedule:
    """The daemon's timers: changes waiting for a quiet period, the next pull, the backoff."""

    quiet_seconds: float
    pull_interval_seconds: float
    retry_seconds: float
    retry_max_seconds: float
    dirty: bool = False
    first_change_at: float = 0.0
    last_change_at: float = 0.0
    next_pull_at: float = 0.0
    failures: int = 0
    retry_at: float = 0.0

    def changed(self, now: float) -> None:
        """Something changed at `now`: the quiet period starts again."""
        if not self.dirty:
            self.first_change_at = now
        self.dirty = True
        self.last_change_at = now

    def commit_at(self) -> float | None:
        """When the pending changes are committed (None: nothing pending): a quiet period after
        the last change, and never later than `MAX_WAIT_QUIET_PERIODS` after the first."""
        if not self.dirty:
            return None
        return min(
            self.last_change_at + self.quiet_seconds,
            self.first_change_at + self.quiet_seconds * MAX_WAIT_QUIET_PERIODS,
        )

    def due(self, now: float) -> Due:
        """What is due at `now`."""
        commit_at = self.commit_at()
        return Due(
            commit=commit_at is not None and now >= commit_at,
            pull=now >= self.next_pull_at,
            retry=self.failures > 0 and now >= self.retry_at,
        )

    def wait_seconds(self, now: float, also_at: float | None = None) -> float:
        """How long to sleep from `now` until the next thing is due (or `also_at`)."""
        times = [self.next_pull_at]
        commit_at = self.commit_at()
        if commit_at is not None:
            times.append(commit_at)
        if self.failures:
            times.append(self.retry_at)
        if also_at is not None:
            times.append(also_at)
        return max(0.0, min(times) - now)

    def pulled(self, now: float) -> None:
        """A pull was due and is being done: the next one is an interval from `now`."""
        self.next_pull_at = now + self.pull_interval_seconds

    def unreachable(self, now: float) -> float:
        """The remote could not be reached at `now`: back off; the seconds until the retry."""
        self.failures += 1
        wait = min(self.retry_seconds * 2 ** (self.failures - 1), self.retry_max_seconds)
        self.retry_at = now + wait
        return float(wait)

    def reached(self) -> None:
        """The remote answered: no more backing off."""
        self.failures = 0

    def backing_off(self, now: float) -> bool:
        """Whether a retry is still waited for at `now`."""
        return now < self.retry_at

    def busy(self, now: float, shared: bool) -> None:
        """Another process's cycle kept ours out at `now`: the commit (and a share that was due)
        is tried again a quiet period later."""
        self.changed(now)
        soon = now + self.quiet_seconds
        if shared:
            self.next_pull_at = min(self.next_pull_at, soon)
        if self.failures:
            self.retry_at = max(self.retry_at, soon)
