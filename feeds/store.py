"""The candidate store: SQLite (WAL) in the data dir, one row per paper identity and workspace."""

from __future__ import annotations

import builtins  # `list` below is also a method of CandidateStore
import contextlib
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from papershelf.sync.digits import whole_number
from papershelf.sync.errors import BadInput, NotFound
from papershelf.sync.identity import identity_key
from papershelf.sync.paper import Paper, paper_from_dict
from papershelf.sync.paths import data_dir
from papershelf.sync.sqlite_wal import create_store, transaction

from .store_schema import SCHEMA_VERSION as SCHEMA_VERSION  # re-exported: the store's version
from .store_schema import extra_json, load_extra, merge_extra, migrate
from .store_search import SKETCH_COLUMNS, facet_values, search_rows, sketch
from .store_search import CandidateSketch as CandidateSketch  # re-exported: search's result

log = logging.getLogger(__name__)

STORE_FILENAME = "candidates.sqlite3"
PENDING, ACCEPTED, REJECTED, SNOOZED = "pending", "accepted", "rejected", "snoozed"
STATUSES = (PENDING, ACCEPTED, REJECTED, SNOOZED)
_BUSY_TIMEOUT_SECONDS = 10.0
_WHAT = "candidate store"


@dataclass(frozen=True)
class Candidate:
    """One stored candidate with its scores and suggestions."""

    id: int
    workspace: str
    identity: str
    paper: Paper
    sources: tuple[str, ...]
    first_seen: float
    last_seen: float
    scores: dict[str, float]
    score: float
    suggested_list: str | None
    suggested_section: str | None
    suggestions: list[dict[str, Any]] = field(default_factory=list)
    status: str = PENDING
    decided_at: float | None = None
    result: dict[str, Any] | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        """The paper's feed categories (e.g. cs.CL, cs.LG), primary first; () when unknown."""
        values = self.paper.extra.get("categories") or ()
        return tuple(str(v) for v in values) if isinstance(values, list | tuple) else ()

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `papershelf candidates --json` and `GET /api/candidates`."""
        top = self.suggestions[0] if self.suggestions else {}
        return {
            "id": self.id,
            "identity": self.identity,
            "paper": self.paper.to_dict(),
            "categories": list(self.categories),
            "sources": list(self.sources),
            "first_seen": _iso(self.first_seen),
            "score": round(self.score, 4),
            "scores": self.scores,
            "list": self.suggested_list,
            "section": self.suggested_section,
            "why": top.get("why", []),
            "suggestions": self.suggestions,
            "status": self.status,
            "decided_at": _iso(self.decided_at) if self.decided_at else None,
            "result": self.result,
        }


def _iso(epoch_seconds: float) -> str:
    """UTC ISO-8601 to the second."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


def paper_json(paper: Paper) -> str:
    """A Paper as stored: its Paper JSON (its `extra` goes in a column of its own)."""
    return json.dumps(paper.to_dict(), ensure_ascii=False, sort_keys=True)


def _row_to_candidate(row: sqlite3.Row) -> Candidate:
    """A stored row as a Candidate (its paper with the stored `extra`)."""
    paper = paper_from_dict(json.loads(row["paper"]))
    extra = load_extra(row["extra"])
    if extra:
        paper = paper.replace(extra=extra)
    return Candidate(
        id=row["id"],
        workspace=row["workspace"],
        identity=row["identity"],
        paper=paper,
        sources=tuple(json.loads(row["sources"])),
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        scores=json.loads(row["scores"]),
        score=row["score"],
        suggested_list=row["suggested_list"],
        suggested_section=row["suggested_section"],
        suggestions=json.loads(row["suggestions"]),
        status=row["status"],
        decided_at=row["decided_at"],
        result=json.loads(row["result"]) if row["result"] else None,
    )


class CandidateStore:
    """Candidates of one workspace (or of all, when `workspace` is None) in SQLite with WAL."""

    def __init__(self, path: Path | str | None = None, workspace: str | None = None) -> None:
        """Open (creating, mode 0600) the store at `path` (default `<data dir>/candidates.sqlite3`);
        StoreUnavailable, naming the file, when it is damaged or cannot be read or written."""
        self.path = Path(path) if path is not None else data_dir() / STORE_FILENAME
        self.workspace = workspace
        self._lock = threading.Lock()
        create_store(self.path, _WHAT, _BUSY_TIMEOUT_SECONDS, lambda db: migrate(db, self.path))

    @contextlib.contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A short-lived connection in one transaction (IMMEDIATE for writes: no upgrade races)."""
        begin = "BEGIN IMMEDIATE" if write else "BEGIN"
        with transaction(self.path, _WHAT, _BUSY_TIMEOUT_SECONDS, begin=begin) as db:
            yield db

    def _scope(self) -> tuple[str, tuple[Any, ...]]:
        """The WHERE fragment limiting queries to this store's workspace."""
        if self.workspace is None:
            return "1=1", ()
        return "workspace = ?", (self.workspace,)

    def _need_workspace(self) -> str:
        if self.workspace is None:
            raise RuntimeError("this CandidateStore was opened without a workspace")
        return self.workspace

    # -- lookups -----------------------------------------------------------------------------

    def state_of(self, identity: str) -> str | None:
        """The status of a paper (by identity key, id or URL), or None if never a candidate."""
        key = identity if identity.split(":", 1)[0] in _KEY_PREFIXES else identity_key(identity)
        if not key:
            return None
        where, args = self._scope()
        with self._connect() as db:
            row = db.execute(
                f"SELECT status FROM candidates WHERE {where} AND identity = ? "
                "ORDER BY decided_at IS NULL, decided_at DESC LIMIT 1",
                (*args, key),
            ).fetchone()
        return row["status"] if row else None

    def decided(self) -> set[str]:
        """Identities already accepted, rejected or snoozed (never proposed again)."""
        where, args = self._scope()
        with self._connect() as db:
            rows = db.execute(
                f"SELECT identity FROM candidates WHERE {where} AND status != ?", (*args, PENDING)
            ).fetchall()
        return {r["identity"] for r in rows}

    def known(self) -> set[str]:
        """Every identity this store holds, whatever its status."""
        where, args = self._scope()
        with self._connect() as db:
            rows = db.execute(f"SELECT identity FROM candidates WHERE {where}", args).fetchall()
        return {r["identity"] for r in rows}

    def get(self, ref: str | int) -> Candidate:
        """A candidate by numeric id, identity key, arXiv id or URL; NotFound otherwise."""
        where, args = self._scope()
        text = str(ref).strip()
        row_id = whole_number(text, _MAX_ROW_ID)  # bounded: SQLite cannot bind a bigger one
        if row_id is None and text.isdigit():  # digits, but no row id (too big, other script)
            raise NotFound(f"No candidate {text[:40]!r}.", fields={"id": text[:40]})
        with self._connect() as db:
            if row_id is not None:
                row = db.execute(
                    f"SELECT * FROM candidates WHERE {where} AND id = ?", (*args, row_id)
                ).fetchone()
            else:
                key = text if text.split(":", 1)[0] in _KEY_PREFIXES else identity_key(text)
                row = db.execute(
                    f"SELECT * FROM candidates WHERE {where} AND identity = ?", (*args, key)
                ).fetchone()
        if row is None:
            raise NotFound(f"No candidate {text!r}.", fields={"id": text})
        return _row_to_candidate(row)

    def candidates(self, status: str | None = PENDING, limit: int = 500) -> list[Candidate]:
        """Candidates with `status` (None: all), best score first."""
        if status is not None and status not in STATUSES:
            raise BadInput(
                f"Unknown status {status!r}; use one of {', '.join(STATUSES)}.",
                fields={"status": status},
            )
        where, args = self._scope()
        query = f"SELECT * FROM candidates WHERE {where}"
        if status is not None:
            query += " AND status = ?"
            args = (*args, status)
        query += " ORDER BY score DESC, first_seen DESC, id LIMIT ?"
        with self._connect() as db:
            rows = db.execute(query, (*args, int(limit))).fetchall()
        return [_row_to_candidate(r) for r in rows]

    def search(
        self,
        status: str,
        *,
        list_path: str = "",
        source: str = "",
        seen_since: float | None = None,
        words: Sequence[str] = (),
    ) -> builtins.list[CandidateSketch]:
        """Every candidate with `status` that passes the filters (in SQL: `store_search`),
        sketched, best score first."""
        where, args = self._scope()
        with self._connect() as db:
            rows = search_rows(
                db, where, args, status, list_path, source=source, since=seen_since, words=words
            )
        return [sketch(r) for r in rows]

    def facets(self, status: str) -> tuple[builtins.list[str], builtins.list[str]]:
        """The suggested lists and the sources of the candidates with `status`, sorted."""
        where, args = self._scope()
        with self._connect() as db:
            return facet_values(db, where, args, status)

    def get_many(self, ids: Sequence[int]) -> builtins.list[Candidate]:
        """The candidates with these ids, in the order given (ids not found left out)."""
        if not ids:
            return []
        where, args = self._scope()
        marks = ", ".join("?" for _ in ids)
        with self._connect() as db:
            rows = db.execute(
                f"SELECT * FROM candidates WHERE {where} AND id IN ({marks})",
                (*args, *(int(i) for i in ids)),
            ).fetchall()
        found = {r["id"]: _row_to_candidate(r) for r in rows}
        return [found[i] for i in ids if i in found]

    def sketches(self) -> builtins.list[CandidateSketch]:
        """Every candidate, sketched (no JSON decoded in Python: fast for a long history)."""
        where, args = self._scope()
        with self._connect() as db:
            rows = db.execute(
                f"SELECT {SKETCH_COLUMNS} FROM candidates WHERE {where}", args
            ).fetchall()
        return [sketch(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """How many candidates have each status."""
        where, args = self._scope()
        with self._connect() as db:
            rows = db.execute(
                f"SELECT status, COUNT(*) AS n FROM candidates WHERE {where} GROUP BY status", args
            ).fetchall()
        out = dict.fromkeys(STATUSES, 0)
        out.update({r["status"]: r["n"] for r in rows})
        return out

    # -- writes ------------------------------------------------------------------------------

    def upsert_many(self, rows: Iterable[dict[str, Any]], now: float | None = None) -> int:
        """Add new pending candidates or refresh pending ones; decided ones are left alone.

        Each row: identity, paper (Paper), source, scores {list: relevance}, suggestions [dict],
        and score (its best relevance; default: the first suggestion's score).
        Returns how many rows were new.
        """
        workspace = self._need_workspace()
        now = time.time() if now is None else now
        added = 0
        with self._lock, self._connect(write=True) as db:
            for row in rows:
                suggestions = row["suggestions"]
                best = suggestions[0] if suggestions else {}
                existing = db.execute(
                    "SELECT id, status, sources, extra FROM candidates "
                    "WHERE workspace = ? AND identity = ?",
                    (workspace, row["identity"]),
                ).fetchone()
                extra = row["paper"].extra or {}
                if existing is None:
                    db.execute(
                        "INSERT INTO candidates (workspace, identity, paper, sources, first_seen, "
                        "last_seen, scores, score, suggested_list, suggested_section, suggestions, "
                        "status, extra) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            workspace,
                            row["identity"],
                            paper_json(row["paper"]),
                            json.dumps([row["source"]]),
                            now,
                            now,
                            json.dumps(row["scores"], sort_keys=True),
                            float(row.get("score", best.get("score", 0.0))),
                            best.get("list"),
                            best.get("section"),
                            json.dumps(suggestions, ensure_ascii=False),
                            PENDING,
                            extra_json(extra),
                        ),
                    )
                    added += 1
                elif existing["status"] == PENDING:
                    sources = json.loads(existing["sources"])
                    if row["source"] not in sources:
                        sources.append(row["source"])
                    db.execute(
                        "UPDATE candidates SET sources = ?, last_seen = ?, scores = ?, score = ?, "
                        "suggested_list = ?, suggested_section = ?, suggestions = ?, extra = ? "
                        "WHERE id = ?",
                        (
                            json.dumps(sources),
                            now,
                            json.dumps(row["scores"], sort_keys=True),
                            float(row.get("score", best.get("score", 0.0))),
                            best.get("list"),
                            best.get("section"),
                            json.dumps(suggestions, ensure_ascii=False),
                            extra_json(merge_extra(load_extra(existing["extra"]), extra)),
                            existing["id"],
                        ),
                    )
        return added

    def set_status(
        self, candidate_id: int, status: str, result: dict[str, Any] | None = None
    ) -> None:
        """Record a decision about one candidate."""
        if status not in STATUSES:
            raise BadInput(f"Unknown status {status!r}.", fields={"status": status})
        decided_at = None if status == PENDING else time.time()
        with self._lock, self._connect(write=True) as db:
            db.execute(
                "UPDATE candidates SET status = ?, decided_at = ?, result = ? WHERE id = ?",
                (status, decided_at, json.dumps(result) if result else None, candidate_id),
            )

    # -- per-feed state (validators for conditional GET, last poll, errors) ------------------

    def feed_state(self, feed: str) -> dict[str, Any] | None:
        """What the last poll of `feed` left: url, validators, times, state, error, summary."""
        workspace = self._need_workspace()
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM feed_state WHERE workspace = ? AND feed = ?", (workspace, feed)
            ).fetchone()
        return _feed_row(row) if row else None

    def feed_states(self) -> dict[str, dict[str, Any]]:
        """Every feed's last state, by feed name."""
        where, args = self._scope()
        with self._connect() as db:
            rows = db.execute(f"SELECT * FROM feed_state WHERE {where}", args).fetchall()
        return {r["feed"]: _feed_row(r) for r in rows}

    def save_feed_state(self, feed: str, **values: Any) -> None:
        """Update some columns of a feed's state (creating it)."""
        workspace = self._need_workspace()
        allowed = {"url", "etag", "last_modified", "last_poll", "last_ok", "state", "error"}
        columns = {k: v for k, v in values.items() if k in allowed}
        if "summary" in values:
            columns["summary"] = json.dumps(values["summary"])
        with self._lock, self._connect(write=True) as db:
            db.execute(
                "INSERT OR IGNORE INTO feed_state (workspace, feed) VALUES (?, ?)",
                (workspace, feed),
            )
            if columns:
                sets = ", ".join(f"{k} = ?" for k in columns)
                db.execute(
                    f"UPDATE feed_state SET {sets} WHERE workspace = ? AND feed = ?",
                    (*columns.values(), workspace, feed),
                )


_KEY_PREFIXES = ("arxiv", "doi", "openreview", "acl", "url")
_MAX_ROW_ID = 2**63 - 1  # SQLite's largest INTEGER


def _feed_row(row: sqlite3.Row) -> dict[str, Any]:
    """A feed_state row as a dict with ISO times."""
    out = {k: row[k] for k in row.keys() if k not in ("workspace", "summary")}  # noqa: SIM118
    for key in ("last_poll", "last_ok"):
        out[key] = _iso(out[key]) if out.get(key) else None
    out["summary"] = json.loads(row["summary"]) if row["summary"] else None
    return out
