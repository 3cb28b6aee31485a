"""Polling (the shell): fetch a source, parse, drop what is listed or decided, rank, store."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.sync.errors import BadInput, PapershelfError, WorkspaceError
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.workspace import Workspace

from .decisions import load_rejected, settle
from .knowledge import paper_text
from .learn import Decisions, fit_models, knowledge_state
from .models import (
    LAST_RELEVANCE,
    Fitted,
    ModelCache,
    RankerCache,
    collector_paused,
    saved_relevance,
)
from .parse import FeedItem, ParsedFeed, parse_feed
from .rank import Ranker, Suggestion
from .relevance import MAX_BACKGROUND, RelevanceModel
from .select import candidate_rows, listed_checker, select_items, valid_paper
from .sources import (
    ARXIV_API,
    POLL_ABSTRACTS,
    POLL_MAX_RESULTS,
    POLL_NEW_LIST_KEEP,
    FeedSource,
    find_source,
    load_sources,
    poll_min_score,
    poll_timeout,
)
from .store import CandidateStore
from .summary import ERROR, NOT_MODIFIED, PollSummary
from .texts import TEXTS_FILENAME, TextStore

if TYPE_CHECKING:  # imported when used: a poll of a saved file never touches the network
    import requests

    from .arxiv_api import ArxivClient

log = logging.getLogger(__name__)

Progress = Callable[[int], None]
#: A list with fewer decisions than this is new: a poll that keeps nothing for it keeps its best
#: `poll.new_list_keep` items (default `NEW_LIST_KEEP`) all the same, so its curator has something
#: to decide on (which calibrates it).
NEW_LIST_DECISIONS = 10
NEW_LIST_KEEP = int(POLL_NEW_LIST_KEEP.default)


class Poller:
    """Polls a workspace's feeds into its candidate store; every failure is recorded, not raised."""

    def __init__(
        self,
        workspace: Workspace,
        *,
        store: CandidateStore | None = None,
        index: WorkspaceIndex | None = None,
        session: requests.Session | None = None,
        arxiv: ArxivClient | None = None,
        backoff_base_seconds: float = 3.0,
    ) -> None:
        """A poller of `workspace` (its own store, index and HTTP session unless given)."""
        self.backoff_base_seconds = backoff_base_seconds
        self.workspace = workspace
        self.store = store or CandidateStore(workspace=str(workspace.root))
        if index is None:
            with collector_paused():
                index = WorkspaceIndex.build(workspace)
        self.index = index
        self._session = session
        self.arxiv = arxiv
        self.texts = TextStore(self.store.path.with_name(TEXTS_FILENAME))
        self.rankers = RankerCache()
        self.models = ModelCache()

    @property
    def session(self) -> requests.Session:
        """The HTTP session feeds are fetched with (made on first use)."""
        if self._session is None:
            import requests

            self._session = requests.Session()
        return self._session

    def ranker(self, decisions: Decisions | None = None) -> Ranker:
        """The current section Ranker (lists plus the abstracts known for their papers)."""
        decisions = decisions or Decisions.load(self.store)
        return self.rankers.get(self.index, {**self.texts.abstracts(), **decisions.abstracts})

    def current_models(self, *, wait: bool = True) -> Fitted:
        """Models of the lists as they are (`wait`), or the last ones while new ones are fitted."""
        self.index.refresh()
        key = knowledge_state(self.index, self.store, self.texts)

        def fit() -> Fitted:
            decisions = Decisions.load(self.store)
            stored = self.texts.background(str(self.workspace.root), MAX_BACKGROUND)
            return self._fit(key, decisions, [text for _, text in stored], save=False)

        return self.models.get(key, fit, wait=wait)

    def _fit(
        self,
        key: Any,
        decisions: Decisions,
        background: Sequence[str],
        rejected: Sequence[str] = (),
        *,
        save: bool = True,
    ) -> Fitted:
        """Both models for state `key`, the relevance one started from the last one (this
        process's, else the one the last command saved), and saved for the next command (a
        poll's; not a server's refit after a clip: pickling it holds the interpreter for tens of
        milliseconds, which the requests answered meanwhile would wait for)."""
        previous: RelevanceModel | None
        last = self.models.fitted
        previous = last.relevance if last is not None else None
        saved = saved_relevance(self.index)
        if previous is None:
            previous = saved.load(LAST_RELEVANCE)
        fitted = fit_models(
            key,
            self.index,
            decisions,
            self.texts.abstracts(),
            background,
            ranker=self.ranker(decisions),
            extra_rejected=rejected,
            previous=previous if isinstance(previous, RelevanceModel) else None,
        )
        if save:
            saved.save(LAST_RELEVANCE, fitted.relevance)
        return fitted

    def suggest(self, title: str, abstract: str | None = None, top_k: int = 3) -> list[Suggestion]:
        """Where a paper with this title (and abstract) may belong, best first."""
        if not (title or "").strip():
            raise BadInput("Give a title to suggest a section for.", fields={"title": "missing"})
        models = self.current_models(wait=False)
        text = paper_text(title, abstract)
        # Lists by relevance (no explanation needed: only their order is used here).
        scores = models.relevance.score([text])[0]
        lists = [models.relevance.lists[j] for j in (-scores).argsort(kind="stable")] or None
        ranked, _ = models.ranker.rank_with_lists(
            [text], top_k=top_k, titles=[title], relevant=[lists] if lists else None
        )
        return ranked[0]

    # -- polling -----------------------------------------------------------------------------

    def sources(self, name: str | None = None) -> list[FeedSource]:
        """The enabled sources, or the one called `name` (enabled or not)."""
        sources = load_sources(self.workspace)
        if name is not None:
            return [find_source(sources, name)]
        return [s for s in sources if s.enabled]

    def poll(self, name: str | None = None, progress: Progress | None = None) -> list[PollSummary]:
        """Poll every enabled source (or one), then fetch some listed papers' abstracts."""
        summaries = [self.poll_source(source, progress) for source in self.sources(name)]
        try:
            self.fetch_abstracts()
        except PapershelfError as exc:  # a config error the summaries already name
            log.info("abstracts not fetched: %s", exc.message)
        return summaries

    def fetch_abstracts(self) -> int:
        """Ask arXiv for up to `poll.abstracts_per_poll` listed papers' abstracts (cached)."""
        from .abstracts import fetch_abstracts
        from .arxiv_api import ArxivClient

        limit = int(self.workspace.setting(POLL_ABSTRACTS.key))
        if limit <= 0:
            return 0
        # One attempt: offline, the lists are learned from titles and the next poll asks again.
        client = self.arxiv or ArxivClient(
            timeout_seconds=poll_timeout(self.workspace), max_retries=0
        )
        identities = (loc.identity for loc in self.index.locations())
        return fetch_abstracts(client, self.texts, identities, limit)

    def poll_source(self, source: FeedSource, progress: Progress | None = None) -> PollSummary:
        """Fetch and ingest one source; errors end up in the summary and the feed's state."""
        started = time.perf_counter()
        summary = PollSummary(source.name)
        now = time.time()
        try:
            poll_min_score(self.workspace)  # a config error: nothing is fetched
            with collector_paused():
                parsed, validators = self._fetch(source)
                if parsed is None:
                    summary.state = NOT_MODIFIED
                else:
                    summary = self.ingest(source.name, parsed, source=source, progress=progress)
            # Only now: a feed that failed to parse or ingest is fetched whole next time.
            if validators:
                self.store.save_feed_state(source.name, **validators)
        except PapershelfError as exc:
            summary.state, summary.error = ERROR, exc.message
        except Exception as exc:  # a feed must never take the poller down
            summary.state, summary.error = ERROR, f"{type(exc).__name__}: {exc}"
            # One line (the summary says it too); the traceback with -vv, never on a terminal.
            debug = log.isEnabledFor(logging.DEBUG)
            log.error("poll of %s failed: %s", source.name, summary.error, exc_info=debug)
        summary.seconds = round(time.perf_counter() - started, 3)
        values: dict[str, Any] = {"last_poll": now, "state": summary.state, "error": summary.error}
        if summary.state != ERROR:
            values["last_ok"] = now
        self.store.save_feed_state(source.name, summary=summary.to_dict(), **values)
        log.info("poll %s", summary.line())
        return summary

    def _fetch(self, source: FeedSource) -> tuple[ParsedFeed | None, dict[str, Any]]:
        """The source's parsed feed (None when not modified since the last poll) and the
        validators to keep for the next conditional GET once this poll has gone through."""
        from .arxiv_api import ArxivClient
        from .fetch import fetch_feed

        timeout = poll_timeout(self.workspace)
        if source.type == ARXIV_API:
            client = self.arxiv or ArxivClient(timeout_seconds=timeout)
            limit = source.max_results or int(self.workspace.setting(POLL_MAX_RESULTS.key))
            papers = client.search(source.query or "", max_results=limit)
            return ParsedFeed([FeedItem(p) for p in papers], source.query), {}
        assert source.url is not None
        state = self.store.feed_state(source.name) or {}
        same_url = state.get("url") == source.url
        fetched = fetch_feed(
            source.url,
            etag=state.get("etag") if same_url else None,
            last_modified=state.get("last_modified") if same_url else None,
            session=self.session,
            timeout_seconds=timeout,
            backoff_base_seconds=self.backoff_base_seconds,
        )
        validators = {
            "url": source.url,
            "etag": fetched.etag,
            "last_modified": fetched.last_modified,
        }
        if fetched.not_modified:
            return None, validators
        return parse_feed(fetched.content), validators

    def _fit_for_poll(
        self, seen: list[tuple[str, str]], rejected: set[str]
    ) -> tuple[Fitted, Decisions]:
        """Models fitted with this feed's items first in the background (served from now on)."""
        decisions = Decisions.load(self.store)
        fresh = {identity for identity, _ in seen}
        background = [t for i, t in seen if i not in rejected]
        if len(background) < MAX_BACKGROUND:  # earlier polls' items make up the rest
            stored = self.texts.background(str(self.workspace.root), MAX_BACKGROUND)
            background += [t for i, t in stored if i not in fresh and i not in rejected]
        models = self._fit(
            knowledge_state(self.index, self.store, self.texts),
            decisions,
            background,
            [t for i, t in seen if i in rejected],
        )
        self.models.install(models)
        return models, decisions

    @staticmethod
    def _new_lists(models: Fitted, decisions: Decisions, keep: int) -> dict[str, int]:
        """`keep` for each list with fewer than `NEW_LIST_DECISIONS` decisions."""
        out = {}
        for name in models.relevance.lists:
            accepted, declined = decisions.by_list.get(name, ([], []))
            if keep and len(accepted) + len(declined) < NEW_LIST_DECISIONS:
                out[name] = keep
        return out

    def poll_file(self, path: str | Path, progress: Progress | None = None) -> PollSummary:
        """Ingest a feed saved in a file (`papershelf poll --from-file`)."""
        path = Path(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
        with collector_paused():
            return self.ingest(path.name, parse_feed(data), progress=progress)

    def ingest(
        self,
        name: str,
        parsed: ParsedFeed,
        *,
        source: FeedSource | None = None,
        progress: Progress | None = None,
    ) -> PollSummary:
        """Drop listed, decided and filtered items, rank the rest and store them as candidates."""
        total = len(parsed.items) + parsed.skipped  # every entry of the feed, linked or not
        summary = PollSummary(name, state=parsed.state, items=total)
        summary.problem = parsed.problem
        if parsed.skipped:
            summary.dropped["no link"] = parsed.skipped
        self.index.refresh()
        unknown = sorted(set(source.lists if source else ()) - set(self.index.list_paths()))
        if unknown:  # ranked against nothing, every item would be "below min score"
            raise WorkspaceError(
                f"{self.workspace.state_dir / 'config.toml'}: feed {name}: "
                f"lists names no list of the workspace: {', '.join(unknown)}."
            )
        is_listed = listed_checker(self.index)
        settle(self.workspace, self.store, is_listed)
        decided = self.store.decided() | load_rejected(self.workspace)
        selection = select_items(
            parsed.items,
            is_listed=is_listed,
            decided=decided,
            keywords=source.keywords if source else (),
            exclude=source.exclude if source else (),
        )
        kept = []
        for item in selection.kept:
            paper = valid_paper(item.paper)
            if paper is None:
                selection.drop("invalid")
            else:
                kept.append(FeedItem(paper, item.announce_type))
        summary.dropped.update(selection.dropped)
        if progress is not None:
            progress(total - len(kept))
        known = self.store.known()
        summary.min_score = poll_min_score(self.workspace)
        rejected = decided  # rejected.txt and this store's decisions: never proposed again
        seen = [
            (item.paper.identity, paper_text(item.paper.title, item.paper.abstract))
            for item in parsed.items
            if item.paper.identity and item.paper.title and not is_listed(item.paper)
        ]
        models, decisions = self._fit_for_poll(seen, rejected)
        rows, below = candidate_rows(
            kept,
            models.ranker,
            models.relevance,
            name,
            lists=source.lists if source else (),
            min_score=summary.min_score,
            keep_at_least=self._new_lists(
                models, decisions, int(self.workspace.setting(POLL_NEW_LIST_KEEP.key))
            ),
        )
        summary.weak = len(below)
        summary.best_weak_score = round(max(s for s, _ in below), 3) if below else None
        summary.kept_below = sum(1 for r in rows if r["score"] < summary.min_score)
        self.texts.add_background(
            str(self.workspace.root), [(i, t) for i, t in seen if i not in rejected]
        )
        summary.new = self.store.upsert_many(rows)
        summary.updated = sum(1 for r in rows if r["identity"] in known)
        if progress is not None:
            progress(len(kept))
        return summary
