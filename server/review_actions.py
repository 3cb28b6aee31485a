"""What the review page does: read candidates, decide them through papershelf.feeds.decisions, fix lists."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from papershelf.sync.errors import BadInput, PapershelfError
from papershelf.sync.section_label import section_label

from .services import Services

log = logging.getLogger(__name__)

#: Commits shown as a list's latest additions.
LATEST_COMMITS = 10


class ReviewUnavailable(PapershelfError):
    """The candidate store (the feeds part) is not installed or could not be opened."""

    http_status = 503


@dataclass(frozen=True)
class Outcome:
    """What one decision did, for the flash line and the JSON answer."""

    id: int
    action: str
    ok: bool
    message: str
    list: str | None = None
    section: str | None = None
    line: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the page's script reads."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Found:
    """One page of the queue: its candidates, how many match the filters, how many there are,
    and the lists and sources to filter by."""

    candidates: list[Any]
    matching: int
    total: int
    lists: list[str]
    sources: list[str]


def find(
    services: Services,
    status: str = "pending",
    *,
    list_path: str = "",
    source: str = "",
    seen_since: float | None = None,
    words: tuple[str, ...] = (),
    limit: int = 100,
) -> Found:
    """The best `limit` candidates with `status` that pass the filters, searched in SQL over all
    of them, less those curators rejected or listed elsewhere since (a poll records those)."""
    store = services.review_candidates()
    if store is None:
        return Found([], 0, 0, [], [])
    from papershelf.feeds.decisions import decided_elsewhere, listed_by_identity, load_rejected

    services.index.refresh()
    everything = store.search(status)
    rejected = load_rejected(services.workspace)
    gone = set(decided_elsewhere(rejected, everything, listed_by_identity(services.index)))
    narrowed = bool(list_path or source or seen_since is not None or words)
    found = (
        store.search(status, list_path=list_path, source=source, seen_since=seen_since, words=words)
        if narrowed
        else everything
    )
    ids = [s.id for s in found if s.id not in gone]
    lists, sources = store.facets(status)
    return Found(store.get_many(ids[:limit]), len(ids), len(everything) - len(gone), lists, sources)


def decide(
    services: Services,
    candidate_id: int,
    action: str,
    target: tuple[str, str] | None = None,
) -> Outcome:
    """Accept (through `papershelf.feeds.decisions.accept` and so `papershelf.sync.insert.add_paper`), reject or snooze."""
    store = services.review_candidates()
    if store is None:
        raise ReviewUnavailable("The candidate store is not available; is feeds installed?")
    from papershelf.feeds import decisions

    if action == "accept":
        list_path, section = target if target else (None, None)
        _, result = decisions.accept(
            services.workspace,
            store,
            candidate_id,
            list_path=list_path,
            section=section,
            index=services.index,
        )
        verb = "Added" if result.status == "added" else "Already listed"
        title = services.index.title(result.list)
        return Outcome(
            candidate_id,
            action,
            True,
            f"{verb}: {result.list} › {section_label(result.section, title)}, line {result.line}.",
            result.list,
            result.section,
            result.line,
        )
    if action == "reject":
        decisions.reject(services.workspace, store, candidate_id)
        return Outcome(candidate_id, action, True, "Rejected: it will not be proposed again.")
    if action == "snooze":
        decisions.snooze(services.workspace, store, candidate_id)
        return Outcome(candidate_id, action, True, "Snoozed: it waits under Show: Snoozed.")
    raise BadInput(f"Unknown decision {action!r}.", fields={"action": action})


def decide_many(
    services: Services, ids: list[int], action: str, targets: dict[int, tuple[str, str]]
) -> list[Outcome]:
    """Decide several candidates; one failing does not stop the others."""
    outcomes = []
    for candidate_id in ids:
        try:
            outcomes.append(decide(services, candidate_id, action, targets.get(candidate_id)))
        except PapershelfError as exc:
            outcomes.append(Outcome(candidate_id, action, False, exc.message))
    return outcomes


def accepted(services: Services, limit: int = 200) -> list[Any]:
    """Accepted candidates (for a list's latest additions)."""
    store = services.review_candidates()
    if store is None:
        return []
    return list(store.candidates("accepted", limit=limit))


def list_findings(services: Services, list_path: str) -> list[Any]:
    """`papershelf check` findings of one list (cross-list duplicates included)."""
    from papershelf.sync.check import check_workspace

    return check_workspace(services.workspace, [list_path])


def fix_list(services: Services, list_path: str) -> int:
    """Apply the safe fixes to one list; how many findings were fixed."""
    from papershelf.sync.check import fix_file

    result = fix_file(services.workspace, list_path)  # the clip's checks: in the workspace
    services.index.refresh()
    return len(result.fixed)


def recent_commits(services: Services, list_path: str, limit: int = LATEST_COMMITS) -> list[dict]:
    """The newest commits touching `list_path` (subject and date), empty without git."""
    try:
        import git

        repo = git.Repo(services.workspace.root, search_parent_directories=False)
    except Exception:
        return []
    try:
        with repo:
            commits = list(repo.iter_commits(paths=list_path, max_count=limit))
            return [
                {"subject": c.summary, "when": c.committed_datetime.strftime("%Y-%m-%d %H:%M")}
                for c in commits
            ]
    except Exception as exc:  # an empty repo, a broken HEAD: nothing to show
        log.debug("no commits for %s: %s", list_path, exc)
        return []
