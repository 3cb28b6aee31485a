"""What the review page shows, computed from candidates, lists and status (pure helpers)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from papershelf.sync.identity import parse_arxiv_id

log = logging.getLogger(__name__)

#: How many authors a card names before "et al.".
AUTHORS_SHOWN = 6
#: Date filter choices: value -> (label, days back; None for any time).
DATE_CHOICES: dict[str, tuple[str, int | None]] = {
    "": ("Any time", None),
    "1": ("Last day", 1),
    "7": ("Last 7 days", 7),
    "30": ("Last 30 days", 30),
}
#: The candidates a page can show: the day's pending ones, or those put aside for later.
SHOWN_STATUSES = ("pending", "snoozed")
#: Separates list and section in the Section picker's option values.
TARGET_SEP = "::"
DECISIONS = ("accept", "reject", "snooze")


@dataclass(frozen=True)
class CandidateView:
    """One candidate as a review card shows it."""

    id: int
    title: str
    authors: str
    published: str
    categories: tuple[str, ...]
    abstract: str
    abs_url: str | None
    pdf_url: str | None
    code_url: str | None
    sources: tuple[str, ...]
    first_seen: float
    score: float
    why: tuple[str, ...]
    list: str | None
    section: str | None
    status: str
    extra_links: tuple[tuple[str, str], ...] = ()

    @property
    def target(self) -> str:
        """The Section picker's value of the suggestion."""
        return target_value(self.list or "", self.section or "")

    @property
    def seen_day(self) -> str:
        """The UTC day the feeds first saw it (YYYY-MM-DD)."""
        return time.strftime("%Y-%m-%d", time.gmtime(self.first_seen)) if self.first_seen else ""


@dataclass(frozen=True)
class Filters:
    """The review page's filters: status, list, source, date (days back) and a search query."""

    list: str = ""
    source: str = ""
    since: str = ""
    q: str = ""
    status: str = "pending"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Filters:
        """Filters from a query string, unknown date choices ignored."""
        since = (args.get("since") or "").strip()
        status = (args.get("status") or "").strip()
        return cls(
            status=status if status in SHOWN_STATUSES else "pending",
            list=(args.get("list") or "").strip(),
            source=(args.get("source") or "").strip(),
            since=since if since in DATE_CHOICES else "",
            q=(args.get("q") or "").strip()[:200],
        )

    def active(self) -> bool:
        """Whether any filter narrows the view."""
        return bool(self.list or self.source or self.since or self.q or self.status != "pending")

    def query(self) -> dict[str, str]:
        """The filters as query arguments, defaults left out."""
        pairs = (("list", self.list), ("source", self.source), ("since", self.since), ("q", self.q))
        out = {k: v for k, v in pairs if v}
        if self.status != "pending":
            out["status"] = self.status
        return out


@dataclass
class ListTargets:
    """Every list and its section addresses, for the Section picker.

    A list in `read_only` (`read_only` of GET /api/lists: `papershelf.sync.atomic.why_not_writable`) is
    shown marked and cannot be picked, nor is it ever the picker's default.
    """

    lists: list[tuple[str, list[str]]] = field(default_factory=list)
    read_only: frozenset[str] = frozenset()
    #: (list, section address) -> how people read it: the path below the list's title.
    labels: dict[tuple[str, str], str] = field(default_factory=dict)

    def label(self, list_path: str, section: str) -> str:
        """The section's path below its list's title ("Scaling > Other"), else its address."""
        return self.labels.get((list_path, section), section)

    def has(self, list_path: str, section: str) -> bool:
        """Whether `section` of `list_path` is offered."""
        return any(path == list_path and section in secs for path, secs in self.lists)

    def is_read_only(self, list_path: str) -> bool:
        """Whether `list_path` is one papershelf will not write."""
        return list_path in self.read_only


def target_value(list_path: str, section: str) -> str:
    """The picker value naming one section of one list."""
    return f"{list_path}{TARGET_SEP}{section}"


def split_target(value: str) -> tuple[str, str] | None:
    """(list, section) from a picker value, or None when it is not one."""
    list_path, sep, section = (value or "").partition(TARGET_SEP)
    if not sep or not list_path.strip() or not section.strip():
        return None
    return list_path.strip(), section.strip()


def short_authors(authors: Sequence[str], shown: int = AUTHORS_SHOWN) -> str:
    """Authors joined by commas, cut to `shown` names and "et al."."""
    names = [a for a in authors if a]
    if len(names) <= shown:
        return ", ".join(names)
    return ", ".join(names[:shown]) + " et al."


def paper_links(paper: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The abs and pdf links of a paper (arXiv ones from its id when it has one)."""
    arxiv = parse_arxiv_id(str(paper.get("arxiv_id") or "")) or parse_arxiv_id(
        str(paper.get("url") or "")
    )
    if arxiv is not None:
        return f"https://arxiv.org/abs/{arxiv}", f"https://arxiv.org/pdf/{arxiv}"
    return paper.get("url"), None


def candidate_view(candidate: Any) -> CandidateView:
    """A store candidate (with `to_dict()`, or its dict) as a card."""
    data = candidate.to_dict() if hasattr(candidate, "to_dict") else dict(candidate)
    paper = data.get("paper") or {}
    categories = tuple(str(c) for c in data.get("categories") or ())  # arXiv's, e.g. cs.CL
    abs_url, pdf_url = paper_links(paper)
    first_seen = getattr(candidate, "first_seen", None)
    return CandidateView(
        id=int(data["id"]),
        title=paper.get("title") or paper.get("url") or paper.get("arxiv_id") or "(untitled)",
        authors=short_authors(paper.get("authors") or ()),
        published=paper.get("published") or "",
        categories=categories,
        abstract=paper.get("abstract") or "",
        abs_url=abs_url,
        pdf_url=pdf_url,
        code_url=paper.get("code_url"),
        sources=tuple(data.get("sources") or ()),
        first_seen=float(first_seen) if isinstance(first_seen, int | float) else 0.0,
        score=float(data.get("score") or 0.0),
        why=tuple(data.get("why") or ()),
        list=data.get("list"),
        section=data.get("section"),
        status=data.get("status") or "pending",
        extra_links=tuple(
            (link.get("label", "link"), link["url"])
            for link in paper.get("links") or ()
            if link.get("url")
        ),
    )


def search_args(filters: Filters, now: float | None = None) -> dict[str, Any]:
    """The filters as the arguments of `review_actions.find` (the store filters in SQL)."""
    now = time.time() if now is None else now
    days = DATE_CHOICES[filters.since][1]
    return {
        "list_path": filters.list,
        "source": filters.source,
        "seen_since": None if days is None else now - days * 86400,
        "words": tuple(filters.q.casefold().split()),
    }


def list_targets(summary: Iterable[Mapping[str, Any]]) -> ListTargets:
    """Picker targets from `api_lists.lists_summary` rows."""
    rows = list(summary)
    return ListTargets(
        [(row["path"], [s["path"] for s in row["sections"]]) for row in rows],
        frozenset(row["path"] for row in rows if row.get("read_only")),
        {
            (row["path"], s["path"]): s.get("label") or s["path"]
            for row in rows
            for s in row["sections"]
        },
    )


# -- status bar ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatusItem:
    """One part of the status bar: name, state, a line of detail and an error if any."""

    name: str
    state: str
    detail: str
    error: str | None = None


def _describe_commit(value: Any) -> str:
    """A last-commit value (dict or text) as a short phrase."""
    if isinstance(value, Mapping):
        message = str(value.get("message") or value.get("summary") or "").splitlines()[:1]
        when = value.get("at") or value.get("time") or value.get("date") or ""
        sha = str(value.get("sha") or value.get("hexsha") or "")[:7]
        parts = (sha, f"“{message[0]}”" if message else "", _describe_when(when) if when else "")
        return " ".join(p for p in parts if p)
    return str(value) if value else "none yet"


def _describe_when(value: Any) -> str:
    """A time value (dict with `at`, ISO text, epoch) as text: `2026-04-27 10:00:05 UTC`.

    The parts write times differently (`…Z`, `…+00:00`, epoch seconds); the bar says them one way.
    """
    if isinstance(value, Mapping):
        failed = value.get("ok") is False
        when = _describe_when(value.get("at") or value.get("time"))
        return f"{when} (failed)" if failed else when
    if isinstance(value, int | float) and not isinstance(value, bool):
        return time.strftime(_TIME_FORMAT, time.gmtime(value))
    if isinstance(value, str) and value:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is None or "T" not in value:
            return value  # a bare date, or a time whose zone is unknown: as given
        return parsed.astimezone(dt.UTC).strftime(_TIME_FORMAT)
    return str(value) if value else "never"


_TIME_FORMAT = "%Y-%m-%d %H:%M:%S UTC"


def _error_text(part: Mapping[str, Any]) -> str | None:
    """A part's error (or conflict, or why it is unavailable) as one line."""
    for key in ("error", "conflict"):
        value = part.get(key)
        if value:
            return value if isinstance(value, str) else str(value.get("message", value))
    errors = part.get("errors") or part.get("config_error")
    if isinstance(errors, Mapping):
        errors = [f"{name}: {text}" for name, text in errors.items() if text]
    if errors:
        return "; ".join(str(e) for e in errors[:3]) if isinstance(errors, list) else str(errors)
    push = part.get("last_push")
    if isinstance(push, Mapping) and push.get("error"):
        return f"push: {push['error']}"
    if part.get("state") in ("unavailable", "error") and part.get("reason"):
        return str(part["reason"])
    return None


def _next_poll(feeds: Mapping[str, Any]) -> str | None:
    """The soonest next poll of any feed (ISO text sorts by time)."""
    times = [
        f.get("next_poll") for f in (feeds.get("feeds") or {}).values() if isinstance(f, Mapping)
    ]
    return min((t for t in times if t), default=None)


def status_items(status: Mapping[str, Any]) -> list[StatusItem]:
    """The status bar's parts from `Services.status()`: sync, feeds and queued clips."""
    sync = status.get("sync") or {}
    feeds = status.get("feeds") or {}
    clips = status.get("clips") or {}
    sync_detail = (
        f"last commit {_describe_commit(sync.get('last_commit'))}; "
        f"last push {_describe_when(sync.get('last_push'))}"
    )
    if sync.get("paused"):
        sync_detail += "; auto-push paused"
    feeds_detail = (
        f"last poll {_describe_when(feeds.get('last_poll'))}; "
        f"next poll {_describe_when(feeds.get('next_poll') or _next_poll(feeds))}"
    )
    pending = (feeds.get("candidates") or {}).get("pending")
    if pending is not None:
        feeds_detail += f"; {pending} pending"
    queued = int(clips.get("queued") or 0)
    failed = int(clips.get("failed") or 0)
    clips_detail = f"{queued} queued" + (f", {failed} failed" if failed else "")
    return [
        StatusItem("Sync", str(sync.get("state", "off")), sync_detail, _error_text(sync)),
        StatusItem("Feeds", str(feeds.get("state", "off")), feeds_detail, _error_text(feeds)),
        StatusItem("Clips", str(clips.get("state", "off")), clips_detail, _error_text(clips)),
    ]


# -- a list's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    """One `papershelf check` finding as the list page shows it."""

    line: int
    code: str
    severity: str
    message: str
    fixable: bool


def finding_views(findings: Iterable[Any], list_path: str) -> list[FindingView]:
    """The findings of one list, in file order."""
    out = [
        FindingView(f.line, f.code, f.severity, f.message, bool(f.fixable))
        for f in findings
        if f.list == list_path
    ]
    return sorted(out, key=lambda f: (f.line, f.code))


def latest_accepted(candidates: Iterable[Any], list_path: str, limit: int = 10) -> list[dict]:
    """The newest accepted candidates written into `list_path` (title, section, line, when)."""
    rows = []
    for cand in candidates:
        result = getattr(cand, "result", None) or {}
        if result.get("list") != list_path:
            continue
        rows.append(
            {
                "title": cand.paper.title or cand.identity,
                "section": result.get("section", ""),
                "line": result.get("line"),
                "when": _describe_when(getattr(cand, "decided_at", None)),
                "at": getattr(cand, "decided_at", None) or 0.0,
            }
        )
    rows.sort(key=lambda r: r["at"], reverse=True)
    return rows[:limit]
