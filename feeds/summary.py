"""What one poll of one feed did, as data and as a line for a person (pure)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

OK, NOT_MODIFIED, ERROR = "ok", "not-modified", "error"


@dataclass
class PollSummary:
    """What one poll of one feed did."""

    feed: str
    state: str = OK
    items: int = 0
    new: int = 0
    updated: int = 0
    weak: int = 0
    #: Items kept below `min_score` for a new list (`NEW_LIST_KEEP`).
    kept_below: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    problem: str | None = None
    error: str | None = None
    seconds: float = 0.0
    #: The `poll.min_score` in force, and the best score of the items below it (None: none was).
    min_score: float | None = None
    best_weak_score: float | None = None

    def line(self) -> str:
        """One line for a person: what came in and what became of it."""
        if self.state == ERROR:
            return f"{self.feed}: error: {self.error}"
        if self.state == NOT_MODIFIED:
            return f"{self.feed}: not modified since the last poll"
        if self.state == "no-announcements":
            return f"{self.feed}: no announcements today (arXiv publishes none on weekends and holidays)"
        dropped = ", ".join(f"{n} {reason}" for reason, n in sorted(self.dropped.items()) if n)
        text = f"{self.feed}: {self.items} items, {self.new} new candidates"
        if self.updated:
            text += f", {self.updated} seen again"
        if self.weak:
            text += f", {self.weak} below {self._threshold()}"
        if self.kept_below:
            text += f", {self.kept_below} kept below it for a new list"
        if dropped:
            text += f" ({dropped})"
        if self.problem:
            text += f"; {self.problem}"
        if self.weak and not self.new and self.best_weak_score is not None:
            # Nothing kept: say what would keep the best of them, and where to set it.
            keep = max(0.0, math.floor(round(self.best_weak_score * 100, 6)) / 100)
            text += (
                f"; to keep such papers, lower it: [poll] min_score = {keep:.2f}"
                " in .papershelf/config.toml"
            )
        return text

    def _threshold(self) -> str:
        """ "poll.min_score 0.2 (best 0.18)": the setting, its value and the best score below it."""
        if self.min_score is None:
            return "poll.min_score"
        best = "" if self.best_weak_score is None else f" (best {self.best_weak_score:.3f})"
        return f"poll.min_score {self.min_score:g}{best}"

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON."""
        return dict(self.__dict__)
