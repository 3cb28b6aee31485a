"""The arXiv API client (export.arxiv.org/api/query): metadata by id and search, politely."""

from __future__ import annotations

import logging
import os
import re
from typing import Any

import feedparser
import requests

from papershelf.sync.errors import BadInput
from papershelf.sync.identity import ArxivId, parse_arxiv_id
from papershelf.sync.paper import Paper

from .net import FetchFailed, get_with_retries, new_session

log = logging.getLogger(__name__)

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
API_URL_ENV = "PAPERSHELF_ARXIV_API_URL"
#: arXiv's API manual asks for at most one call every three seconds.
MIN_INTERVAL_SECONDS = 3.0
#: Ids per id_list call (URLs stay short; the API answers up to 2000 per page).
IDS_PER_CALL = 100
#: The largest page arXiv allows for one search call.
MAX_RESULTS_PER_CALL = 2000
_GATE_KEY = "arxiv-api"
_CATEGORY_RE = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
_ERROR_ID_MARK = "/api/errors"


class ArxivUnavailable(FetchFailed):
    """arXiv cannot be reached, timed out, or keeps answering 429/5xx."""


def _text(value: Any) -> str | None:
    """A stripped non-empty string, or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _categories(entry: Any) -> tuple[str, ...]:
    """The entry's arXiv categories, primary first (MSC/ACM classes left out)."""
    out: list[str] = []
    primary = entry.get("arxiv_primary_category")
    if isinstance(primary, dict) and _CATEGORY_RE.match(primary.get("term") or ""):
        out.append(primary["term"])
    for tag in entry.get("tags") or ():
        term = (tag.get("term") or "").strip()
        if _CATEGORY_RE.match(term) and term not in out:
            out.append(term)
    return tuple(out)


def entry_to_paper(entry: Any) -> Paper | None:
    """One API `<entry>` as a Paper (pure); None when its id is not an arXiv id."""
    arxiv = parse_arxiv_id(entry.get("id") or "") or parse_arxiv_id(entry.get("link") or "")
    if arxiv is None:
        return None
    title = entry.get("title")
    authors = tuple(
        name
        for name in (_text(a.get("name")) for a in entry.get("authors") or () if a)
        if name is not None
    )
    published = _text(entry.get("published"))
    extra: dict[str, Any] = {"source": "arxiv-api", "categories": list(_categories(entry))}
    for key in ("doi", "comment", "journal_ref"):
        value = _text(entry.get(f"arxiv_{key}"))
        if value:
            extra[key] = value
    return Paper(
        url=f"https://arxiv.org/abs/{arxiv}",
        arxiv_id=str(arxiv),
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        authors=authors,
        published=published[:10] if published and len(published) >= 10 else None,
        venue=_text(entry.get("arxiv_journal_ref")),
        abstract=_text(entry.get("summary")),
        extra=extra,
    )


def parse_api_feed(data: bytes) -> list[Paper]:
    """An arXiv API Atom answer (2026 or classic format) as Papers; BadInput for an error feed."""
    parsed = feedparser.parse(data)
    entries = parsed.get("entries") or []
    for entry in entries:
        if _ERROR_ID_MARK in (entry.get("id") or ""):
            message = _text(entry.get("summary")) or "unknown error"
            raise BadInput(f"arXiv API error: {message}.", fields={"arxiv": message})
    if not entries and parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        raise BadInput(f"arXiv API answer is not an Atom feed: {problem}.")
    if not entries and "feed" in parsed and not parsed.feed and not parsed.get("namespaces"):
        raise BadInput("arXiv API answer is not an Atom feed.")
    papers = []
    for entry in entries:
        paper = entry_to_paper(entry)
        if paper is None:
            log.warning("arXiv API entry without an arXiv id skipped: %r", entry.get("id"))
            continue
        papers.append(paper)
    return papers


class ArxivClient:
    """Asks the arXiv API: ≥ 3 s between calls process-wide, timeouts, backoff on 429/503."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        min_interval_seconds: float = MIN_INTERVAL_SECONDS,
        timeout_seconds: float = 10.0,
        max_retries: int = 3,
        session: requests.Session | None = None,
        backoff_base_seconds: float = 3.0,
        max_wait_seconds: float = 60.0,
    ) -> None:
        """A client of `base_url` (default: $PAPERSHELF_ARXIV_API_URL or export.arxiv.org)."""
        self.base_url = base_url or os.environ.get(API_URL_ENV) or DEFAULT_API_URL
        self.min_interval_seconds = min_interval_seconds
        self.timeout_seconds = timeout_seconds
        self.max_retries = max_retries
        self.backoff_base_seconds = backoff_base_seconds
        self.max_wait_seconds = max_wait_seconds
        self.session = session or new_session()

    def _query(self, params: dict[str, Any]) -> list[Paper]:
        """One API call (with retries) parsed into Papers."""
        response = get_with_retries(
            self.session,
            self.base_url,
            params=params,
            timeout_seconds=self.timeout_seconds,
            max_retries=self.max_retries,
            backoff_base_seconds=self.backoff_base_seconds,
            max_wait_seconds=self.max_wait_seconds,
            gate_key=_GATE_KEY,
            min_interval_seconds=self.min_interval_seconds,
            error=ArxivUnavailable,
            what="arXiv API",
        )
        if response.status_code == 400:
            parse_api_feed(response.content)  # raises the API's own message when it gives one
            raise BadInput("arXiv API refused the query (HTTP 400).")
        if response.status_code != 200:
            raise ArxivUnavailable(
                f"arXiv API is unavailable: HTTP {response.status_code}.",
                fields={"status": response.status_code},
            )
        try:
            return parse_api_feed(response.content)
        except BadInput as exc:
            if "arXiv API error" in exc.message:
                raise
            raise ArxivUnavailable(f"arXiv API gave an unreadable answer: {exc.message}") from None

    def fetch_by_ids(self, ids: list[str]) -> dict[str, Paper]:
        """arXiv's record of each id, keyed by the version-less id; ids arXiv lacks are absent."""
        parsed: list[ArxivId] = []
        for raw in ids:
            arxiv = parse_arxiv_id(raw)
            if arxiv is None:
                raise BadInput(f"Not an arXiv id: {raw!r}.", fields={"arxiv_id": raw})
            if str(arxiv) not in {str(p) for p in parsed}:
                parsed.append(arxiv)
        out: dict[str, Paper] = {}
        for start in range(0, len(parsed), IDS_PER_CALL):
            chunk = parsed[start : start + IDS_PER_CALL]
            params = {
                "id_list": ",".join(str(a) for a in chunk),
                "start": 0,
                "max_results": len(chunk),
            }
            wanted = {a.base for a in chunk}
            for paper in self._query(params):
                arxiv = parse_arxiv_id(paper.arxiv_id or "")
                if arxiv is not None and arxiv.base in wanted:
                    out[arxiv.base] = paper
        return out

    def search(self, query: str, *, max_results: int = 50, start: int = 0) -> list[Paper]:
        """Papers matching an API `search_query` (e.g. `cat:cs.CL AND abs:distillation`), newest first."""
        query = (query or "").strip()
        if not query:
            raise BadInput("An arXiv search needs a query.", fields={"query": "empty"})
        if not 1 <= max_results <= MAX_RESULTS_PER_CALL or start < 0:
            raise BadInput(
                f"max_results must be 1..{MAX_RESULTS_PER_CALL} and start ≥ 0.",
                fields={"max_results": max_results, "start": start},
            )
        params = {
            "search_query": query,
            "start": start,
            "max_results": max_results,
            "sortBy": "submittedDate",
            "sortOrder": "descending",
        }
        return self._query(params)
