"""Feed sources from `.papershelf/config.toml` (`[[feeds]]` tables) and the `[poll]` settings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from papershelf.sync.errors import NotFound, WorkspaceError
from papershelf.sync.settings import define
from papershelf.sync.workspace import Workspace

ARXIV_RSS, ARXIV_API, RSS = "arxiv-rss", "arxiv-api", "rss"
TYPES = (ARXIV_RSS, ARXIV_API, RSS)

POLL_INTERVAL_MINUTES = define(
    "poll.interval_minutes",
    360,
    "Minutes (at least 1) between polls of a feed that sets neither interval_minutes nor cron.",
    minimum=1,  # every 0 minutes would poll a feed back to back, for ever
)
POLL_TIMEOUT_SECONDS = define(
    "poll.timeout_seconds",
    20.0,
    "Seconds (0.1 to 86400, a day) to wait for a feed server before giving up.",
    # A far bigger timeout (inf, 1e12) overflows the socket's time_t inside requests.
    minimum=0.1,
    maximum=86_400,
)
POLL_MIN_SCORE = define(
    "poll.min_score",
    0.2,
    "Candidates less relevant than this to every list are not kept (0 to 1): the share of the "
    "papers proposed at that relevance a curator keeps.",
    minimum=0,  # scores are 0..1: 1.5 would keep nothing, -1 everything
    maximum=1,
)
POLL_ARXIV_RSS_URL = define(
    "poll.arxiv_rss_url",
    "https://rss.arxiv.org/rss/{category}",
    "URL template of arXiv RSS feeds; {category} is a feed's category, e.g. cs.CL+cs.LG.",
)
POLL_NEW_LIST_KEEP = define(
    "poll.new_list_keep",
    5,
    "Candidates a poll keeps for a new list (fewer than 10 decisions) that no item reaches "
    "min_score for: its best ones, to decide on (0: none).",
    minimum=0,
)
POLL_ABSTRACTS = define(
    "poll.abstracts_per_poll",
    200,
    "Listed papers whose abstracts each poll asks the arXiv API for (100 per call, 3 s apart; "
    "0: never). Lists are learned better with them; offline, from titles.",
    minimum=0,
)
POLL_MAX_RESULTS = define(
    "poll.arxiv_api_max_results",
    100,
    "Papers asked of the arXiv API per poll of an arxiv-api feed.",
)

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_CATEGORY_RE = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?(\+[a-z-]+(\.[A-Za-z-]+)?)*$")
_CRON_FIELDS = 5
_KNOWN_KEYS = frozenset(
    {
        "name",
        "type",
        "category",
        "query",
        "url",
        "interval_minutes",
        "cron",
        "keywords",
        "exclude",
        "lists",
        "enabled",
        "max_results",
    }
)


@dataclass(frozen=True)
class FeedSource:
    """One configured feed: where to fetch, when, what to keep, which lists it feeds."""

    name: str
    type: str
    url: str | None = None
    category: str | None = None
    query: str | None = None
    interval_minutes: int | None = None
    cron: str | None = None
    keywords: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()
    enabled: bool = True
    max_results: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The source as JSON."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def poll_timeout(workspace: Workspace) -> float:
    """`poll.timeout_seconds` (its range is checked by the settings registry)."""
    return float(workspace.setting(POLL_TIMEOUT_SECONDS.key))


def poll_min_score(workspace: Workspace) -> float:
    """`poll.min_score` (its range is checked by the settings registry)."""
    return float(workspace.setting(POLL_MIN_SCORE.key))


def poll_interval_minutes(workspace: Workspace) -> int:
    """`poll.interval_minutes` (its range is checked by the settings registry)."""
    return int(workspace.setting(POLL_INTERVAL_MINUTES.key))


def _strings(value: Any, where: str, key: str) -> tuple[str, ...]:
    """A list of non-empty strings, or WorkspaceError naming the key."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise WorkspaceError(f"{where}: {key} must be a list of non-empty strings.")
    return tuple(v.strip() for v in value)


def source_from_table(table: Any, index: int, workspace: Workspace) -> FeedSource:
    """One `[[feeds]]` table as a FeedSource; WorkspaceError (one line) when it is wrong."""
    where = f"{workspace.state_dir / 'config.toml'}: feeds[{index}]"
    if not isinstance(table, dict):
        raise WorkspaceError(f"{where} must be a table.")
    unknown = sorted(set(table) - _KNOWN_KEYS)
    if unknown:
        raise WorkspaceError(f"{where}: unknown key(s) {', '.join(unknown)}.")
    name = table.get("name")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise WorkspaceError(f"{where}: name must be letters, digits, '.', '_' or '-'.")
    where = f"{where} ({name})"
    kind = table.get("type", RSS)
    if kind not in TYPES:
        raise WorkspaceError(f"{where}: type must be one of {', '.join(TYPES)}.")
    category, query, url = table.get("category"), table.get("query"), table.get("url")
    if kind == ARXIV_RSS:
        if not isinstance(category, str) or not _CATEGORY_RE.match(category):
            raise WorkspaceError(f"{where}: category must look like cs.CL or cs.CL+cs.LG.")
        if url is None:
            template = workspace.setting(POLL_ARXIV_RSS_URL.key)
            url = template.replace("{category}", quote(category, safe="+.-"))
    if kind == ARXIV_API and (not isinstance(query, str) or not query.strip()):
        raise WorkspaceError(f"{where}: an arxiv-api feed needs a query.")
    if kind == RSS and not isinstance(url, str):
        raise WorkspaceError(f"{where}: an rss feed needs a url.")
    if url is not None and (
        not isinstance(url, str) or not url.lower().startswith(("http://", "https://"))
    ):
        raise WorkspaceError(f"{where}: url must be an http(s) URL.")
    interval, cron = table.get("interval_minutes"), table.get("cron")
    if interval is not None and cron is not None:
        raise WorkspaceError(f"{where}: give interval_minutes or cron, not both.")
    if interval is not None and (
        not isinstance(interval, int) or isinstance(interval, bool) or interval < 1
    ):
        raise WorkspaceError(f"{where}: interval_minutes must be a whole number ≥ 1.")
    if cron is not None and (not isinstance(cron, str) or len(cron.split()) != _CRON_FIELDS):
        raise WorkspaceError(f"{where}: cron must have five fields, e.g. '0 7 * * 1-5'.")
    max_results = table.get("max_results")
    if max_results is not None and (
        not isinstance(max_results, int) or not 1 <= max_results <= 2000
    ):
        raise WorkspaceError(f"{where}: max_results must be 1..2000.")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise WorkspaceError(f"{where}: enabled must be true or false.")
    return FeedSource(
        name=name,
        type=kind,
        url=url,
        category=category if kind == ARXIV_RSS else None,
        query=query.strip() if kind == ARXIV_API and query else None,
        interval_minutes=interval,
        cron=cron,
        keywords=_strings(table.get("keywords"), where, "keywords"),
        exclude=_strings(table.get("exclude"), where, "exclude"),
        lists=_strings(table.get("lists"), where, "lists"),
        enabled=enabled,
        max_results=max_results,
    )


def load_sources(workspace: Workspace) -> list[FeedSource]:
    """Every `[[feeds]]` source of the workspace, validated; names must be unique."""
    tables = workspace.config.get("feeds", [])
    if isinstance(tables, dict):
        tables = [tables]
    if not isinstance(tables, list):
        raise WorkspaceError(
            f"{workspace.state_dir / 'config.toml'}: feeds must be [[feeds]] tables."
        )
    sources = [source_from_table(t, i, workspace) for i, t in enumerate(tables)]
    names = [s.name for s in sources]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise WorkspaceError(f"feeds: duplicate name(s) {', '.join(duplicates)}.")
    return sources


def find_source(sources: list[FeedSource], name: str) -> FeedSource:
    """The source called `name`; NotFound naming the close ones."""
    for source in sources:
        if source.name == name:
            return source
    from papershelf.sync.closest import closest_names

    raise NotFound(
        f"No feed {name!r} in the workspace config.",
        closest=closest_names(name, [s.name for s in sources]),
        fields={"feed": name},
    )


def keyword_filter(text: str, keywords: tuple[str, ...], exclude: tuple[str, ...]) -> bool:
    """Whether text passes: any keyword present (when given) and no exclusion present."""
    folded = text.casefold()
    if exclude and any(word.casefold() in folded for word in exclude):
        return False
    return not keywords or any(word.casefold() in folded for word in keywords)
