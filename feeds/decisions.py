"""Deciding candidates: accept through the one write path, reject into the shared rejected list,
snooze to decide later."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from papershelf.sync.atomic import atomic_write_bytes, locked, read_regular
from papershelf.sync.errors import BadInput
from papershelf.sync.identity import identity_key
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import Workspace

from .store import (
    ACCEPTED,
    PENDING,
    REJECTED,
    SNOOZED,
    Candidate,
    CandidateSketch,
    CandidateStore,
)

if TYPE_CHECKING:  # the write path (papershelf.sync.insert, papershelf.sync.styles) loads only when a paper is accepted
    from papershelf.sync.insert import AddResult

log = logging.getLogger(__name__)

REJECTED_FILENAME = "rejected.txt"
_HEADER = (
    "# Papers the curators rejected: one identity per line, kept sorted so merges are easy.\n"
    "# papershelf's feeds never propose these again. Delete a line to allow a paper back.\n"
)


def rejected_path(workspace: Workspace) -> Path:
    """`<workspace>/.papershelf/rejected.txt`, committed with the lists."""
    return workspace.state_dir / REJECTED_FILENAME


def parse_rejected(text: str) -> set[str]:
    """Identities in a rejected.txt text (comments, blanks, merge markers and junk ignored)."""
    out = set()
    for line in text.removeprefix("\ufeff").splitlines():  # a BOM some editors write
        line = line.strip()
        if not line or line.startswith(("#", "<<<<<<<", "=======", ">>>>>>>")):
            continue
        key = identity_key(line.split()[0])
        if key:
            out.add(key)
    return out


def render_rejected(identities: set[str]) -> str:
    """rejected.txt text for a set of identities: the header, then sorted unique lines."""
    return _HEADER + "".join(f"{key}\n" for key in sorted(identities))


#: The largest rejected.txt read (a million rejections are about 30 MB).
REJECTED_MAX_BYTES = 64 * 1024 * 1024


def _read_rejected(path: Path) -> str:
    """rejected.txt's text ("" when absent): only a regular file under REJECTED_MAX_BYTES (it
    arrives with a pull, and a link to /dev/zero must not be read until memory runs out)."""
    try:
        return read_regular(path, REJECTED_MAX_BYTES).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    except OSError as exc:
        log.warning("%s: cannot read (%s); no rejections are known from it", path, exc.strerror)
        return ""


def load_rejected(workspace: Workspace) -> set[str]:
    """The identities the workspace's curators rejected."""
    return parse_rejected(_read_rejected(rejected_path(workspace)))


def add_rejected(workspace: Workspace, identity: str) -> None:
    """Add one identity to rejected.txt (locked, atomic, sorted; unchanged when present)."""
    path = rejected_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        current = _read_rejected(path)
        known = parse_rejected(current)
        if identity in known and current == render_rejected(known):
            return
        atomic_write_bytes(path, render_rejected(known | {identity}).encode("utf-8"))


def listed_by_identity(index: Any) -> Callable[[Paper], bool]:
    """A test of "already in a list" by the paper's id or URL (any version or URL form)."""

    def is_listed(paper: Paper) -> bool:
        return any(index.lookup(ref) for ref in (paper.arxiv_id, paper.url) if ref)

    return is_listed


def decided_elsewhere(
    rejected: set[str],
    candidates: Iterable[Candidate | CandidateSketch],
    is_listed: Callable[[Paper], bool],
) -> dict[int, str]:
    """Open (pending, snoozed) candidates that curators decided outside this store, by id: rejected
    (in `rejected`, the identities of rejected.txt, say from a collaborator's pull) or accepted
    (listed since)."""
    out = {}
    for candidate in candidates:
        if candidate.status not in (PENDING, SNOOZED):
            continue
        if candidate.identity in rejected:
            out[candidate.id] = REJECTED
        elif is_listed(candidate.paper):
            out[candidate.id] = ACCEPTED
    return out


def open_candidates(
    workspace: Workspace, store: CandidateStore, index: Any, status: str | None, limit: int
) -> list[Candidate]:
    """Stored candidates with `status` (None: all), less the open ones that curators rejected or
    listed (by identity) elsewhere since; a poll records those as decided."""
    index.refresh()
    found = store.candidates(status, limit=limit)
    gone = decided_elsewhere(load_rejected(workspace), found, listed_by_identity(index))
    return [c for c in found if c.id not in gone]


def settle(workspace: Workspace, store: CandidateStore, is_listed: Callable[[Paper], bool]) -> int:
    """Record the open candidates that curators rejected or listed elsewhere, and make rejected
    ones whose line left rejected.txt pending again (the file is the shared truth); how many."""
    everything = store.sketches()
    rejected = load_rejected(workspace)  # read once: the open ones and the let-back-in ones
    changes = decided_elsewhere(rejected, everything, is_listed)
    for candidate in everything:
        if candidate.status == REJECTED and candidate.identity not in rejected:
            changes[candidate.id] = PENDING
    for candidate_id, status in changes.items():
        store.set_status(candidate_id, status)
    if changes:
        log.info("%d candidate(s) were decided elsewhere or let back in", len(changes))
    return len(changes)


def accept(
    workspace: Workspace,
    store: CandidateStore,
    ref: str | int,
    *,
    list_path: str | None = None,
    section: str | None = None,
    index: Any | None = None,
) -> tuple[Candidate, AddResult]:
    """Insert a candidate with `papershelf.sync.insert.add_paper` (default: its suggestion) and mark it.

    A list or section given as "" (or blanks) is refused, naming it: it is not taken as the
    suggestion, which leaving it out (None) asks for.
    """
    for field, value in (("list", list_path), ("section", section)):
        if value is not None and not value.strip():
            raise BadInput(
                f"{field} must not be empty (leave it out for the suggested {field}).",
                fields={field: "empty"},
            )
    candidate = store.get(ref)
    if candidate.status not in (PENDING, SNOOZED):
        raise BadInput(
            f"Candidate {candidate.id} is already {candidate.status}.",
            fields={"status": candidate.status},
        )
    target_list = list_path or candidate.suggested_list
    target_section = section if section is not None else candidate.suggested_section
    if section is None and list_path and list_path != candidate.suggested_list:
        target_section = next(
            (s["section"] for s in candidate.suggestions if s.get("list") == list_path), None
        )
    if not target_list or target_section is None:
        if list_path:
            workspace.resolve_list(list_path)  # an unknown list is named as such, with near names
            raise BadInput(
                f"No suggested section in {list_path} for this candidate; give a section.",
                fields={"section": "missing"},
            )
        raise BadInput(
            "No suggested list and section for this candidate; give a list and a section.",
            fields={"list": "missing", "section": "missing"},
        )
    from papershelf.sync.insert import add_paper

    result = add_paper(workspace, candidate.paper, target_list, target_section, index=index)
    store.set_status(candidate.id, ACCEPTED, result.to_dict())
    log.info(
        "accepted %s into %s › %s (%s)",
        candidate.identity,
        result.list,
        result.section,
        result.status,
    )
    return store.get(candidate.id), result


def reject(workspace: Workspace, store: CandidateStore, ref: str | int) -> Candidate:
    """Mark a candidate rejected here and in the workspace's rejected.txt."""
    candidate = store.get(ref)
    if candidate.status == ACCEPTED:
        raise BadInput(
            f"Candidate {candidate.id} was already accepted.", fields={"status": ACCEPTED}
        )
    add_rejected(workspace, candidate.identity)
    store.set_status(candidate.id, REJECTED)
    return store.get(candidate.id)


def snooze(workspace: Workspace, store: CandidateStore, ref: str | int) -> Candidate:
    """Put a pending candidate aside: status `snoozed`, out of the day's list, decided later.

    A snoozed candidate is not proposed again by the feeds (it counts as decided) but can still
    be accepted or rejected. Snoozing it again changes nothing; an accepted or rejected one is
    refused, so a decision is never undone by accident. Nothing in the workspace changes:
    snoozing is one curator's note to self, unlike a rejection, which every curator shares.
    """
    del workspace  # the same signature as accept and reject; the shared files are not touched
    candidate = store.get(ref)
    if candidate.status == SNOOZED:
        return candidate
    if candidate.status != PENDING:
        raise BadInput(
            f"Candidate {candidate.id} is already {candidate.status}.",
            fields={"status": candidate.status},
        )
    store.set_status(candidate.id, SNOOZED)
    log.info("snoozed %s", candidate.identity)
    return store.get(candidate.id)
