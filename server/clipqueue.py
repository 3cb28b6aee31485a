"""The durable clip queue: clips waiting for arXiv, kept in SQLite in the data dir across restarts."""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from papershelf.sync.errors import StoreUnavailable
from papershelf.sync.paper import Paper, paper_from_dict
from papershelf.sync.paths import data_dir
from papershelf.sync.sqlite_wal import create_store, transaction

log = logging.getLogger(__name__)

QUEUE_FILENAME = "clipqueue.sqlite3"
QUEUED, DONE, FAILED = "queued", "done", "failed"
_WHAT = "clip queue"
_BUSY_TIMEOUT_SECONDS = 10.0

_SCHEMA = """
CREATE TABLE IF NOT EXISTS clips (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL,
    identity TEXT NOT NULL,
    paper TEXT NOT NULL,
    list TEXT NOT NULL,
    section TEXT NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    next_attempt_at REAL NOT NULL,
    last_error TEXT,
    result TEXT
);
CREATE INDEX IF NOT EXISTS clips_due ON clips (state, workspace, next_attempt_at);
CREATE INDEX IF NOT EXISTS clips_identity ON clips (identity, state);
"""
#: Added after the first release: a queue file made before it gets the column on open.
_ALSO_COLUMN = "ALTER TABLE clips ADD COLUMN also INTEGER NOT NULL DEFAULT 0"


@dataclass(frozen=True)
class QueuedClip:
    """One row of the queue."""

    id: int
    workspace: str
    identity: str
    paper: Paper
    list: str
    section: str
    state: str
    attempts: int
    created_at: float
    next_attempt_at: float
    last_error: str | None
    result: dict[str, Any] | None
    #: Added to its list even when another list has the paper (`also` of the clip).
    also: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape `/api/status` and `papershelf status --json` show."""
        return {
            "id": self.id,
            "identity": self.identity,
            "arxiv_id": self.paper.arxiv_id,
            "url": self.paper.url,
            "list": self.list,
            "section": self.section,
            "also": self.also,
            "state": self.state,
            "attempts": self.attempts,
            "queued_at": _iso(self.created_at),
            "next_attempt_at": _iso(self.next_attempt_at) if self.state == QUEUED else None,
            "last_error": self.last_error,
            "result": self.result,
        }


def _iso(epoch_seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))


def _row_to_clip(row: sqlite3.Row) -> QueuedClip:
    return QueuedClip(
        id=row["id"],
        workspace=row["workspace"],
        identity=row["identity"],
        paper=paper_from_dict(json.loads(row["paper"])),
        list=row["list"],
        section=row["section"],
        state=row["state"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        result=json.loads(row["result"]) if row["result"] else None,
        also=bool(row["also"]),
    )


def _create_schema(db: sqlite3.Connection) -> None:
    """The queue's table, made or brought up to date."""
    db.executescript(_SCHEMA)
    _add_also_column(db)


def _add_also_column(db: sqlite3.Connection) -> None:
    """Give a queue file made before `also` existed its column (once, whoever opens it first)."""
    if "also" in {row[1] for row in db.execute("PRAGMA table_info(clips)")}:
        return
    try:
        db.execute(_ALSO_COLUMN)
    except sqlite3.OperationalError as exc:  # another process added it first
        if "duplicate column" not in str(exc):
            raise


class ClipQueue:
    """Clips that could not be completed yet; one SQLite file (WAL), safe across threads and processes.

    A queue that cannot be used (a damaged file, a full disk) does not stop papershelf: opening
    it is tried again on each use, and each use meanwhile raises StoreUnavailable naming the file.
    """

    def __init__(self, path: Path | None = None) -> None:
        """Open (creating, mode 0600) the queue at `path`, default `<data dir>/clipqueue.sqlite3`."""
        self.path = path or data_dir() / QUEUE_FILENAME
        self._ready = False
        try:
            self._open()
        except StoreUnavailable as exc:  # said at start; each use says it again until it opens
            log.warning("%s", exc.message)

    def _open(self) -> None:
        """Create the file and its schema once; StoreUnavailable when the file cannot be used."""
        if self._ready:
            return
        create_store(self.path, _WHAT, _BUSY_TIMEOUT_SECONDS, _create_schema)
        self._ready = True

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection in one transaction (committed on success)."""
        self._open()
        with transaction(
            self.path,
            _WHAT,
            _BUSY_TIMEOUT_SECONDS,
            begin="BEGIN IMMEDIATE",
            pragmas=("PRAGMA synchronous=FULL",),
        ) as db:
            yield db

    def put(
        self,
        workspace: str,
        paper: Paper,
        list_path: str,
        section: str,
        *,
        first_attempt_in_seconds: float = 0.0,
        error: str | None = None,
        also: bool = False,
    ) -> QueuedClip:
        """Queue a clip (durably, before returning); a paper already queued keeps its one row."""
        identity = paper.identity or ""
        now = time.time()
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM clips WHERE identity = ? AND workspace = ? AND state = ?",
                (identity, workspace, QUEUED),
            ).fetchone()
            if row is not None:
                return _row_to_clip(row)
            cursor = db.execute(
                "INSERT INTO clips (workspace, identity, paper, list, section, state, created_at,"
                " updated_at, next_attempt_at, last_error, also)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    workspace,
                    identity,
                    json.dumps(paper.to_dict(), ensure_ascii=False),
                    list_path,
                    section,
                    QUEUED,
                    now,
                    now,
                    now + first_attempt_in_seconds,
                    error,
                    int(also),
                ),
            )
            row = db.execute("SELECT * FROM clips WHERE id = ?", (cursor.lastrowid,)).fetchone()
        log.info("queued clip %s (%s) for %s", row["id"], identity, list_path)
        return _row_to_clip(row)

    def get(self, clip_id: int) -> QueuedClip | None:
        """One clip by id."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM clips WHERE id = ?", (clip_id,)).fetchone()
        return _row_to_clip(row) if row else None

    def queued_for(self, workspace: str, identity: str) -> QueuedClip | None:
        """The queued clip of this paper in this workspace, if any."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM clips WHERE identity = ? AND workspace = ? AND state = ?",
                (identity, workspace, QUEUED),
            ).fetchone()
        return _row_to_clip(row) if row else None

    def due(self, workspace: str, now: float | None = None, limit: int = 20) -> list[QueuedClip]:
        """Queued clips of `workspace` whose next attempt is due, oldest first."""
        now = time.time() if now is None else now
        with self._connect() as db:
            rows = db.execute(
                "SELECT * FROM clips WHERE state = ? AND workspace = ? AND next_attempt_at <= ?"
                " ORDER BY next_attempt_at, id LIMIT ?",
                (QUEUED, workspace, now, limit),
            ).fetchall()
        return [_row_to_clip(r) for r in rows]

    def next_due_at(self, workspace: str) -> float | None:
        """When the earliest queued clip of `workspace` is due, or None when none is queued."""
        with self._connect() as db:
            row = db.execute(
                "SELECT MIN(next_attempt_at) FROM clips WHERE state = ? AND workspace = ?",
                (QUEUED, workspace),
            ).fetchone()
        return row[0]

    def _finish(self, clip_id: int, state: str, error: str | None, result: Any) -> None:
        with self._connect() as db:
            db.execute(
                "UPDATE clips SET state = ?, last_error = ?, result = ?, updated_at = ?,"
                " attempts = attempts + 1 WHERE id = ?",
                (state, error, json.dumps(result) if result else None, time.time(), clip_id),
            )

    def mark_done(self, clip_id: int, result: dict[str, Any]) -> None:
        """The clip was inserted (or found already listed): `result` is the AddResult JSON."""
        self._finish(clip_id, DONE, None, result)

    def mark_failed(self, clip_id: int, error: str) -> None:
        """The clip can never succeed (unknown paper, section gone): kept and shown, not retried."""
        self._finish(clip_id, FAILED, error, None)

    def mark_retry(self, clip_id: int, error: str, delay_seconds: float) -> None:
        """Try again in `delay_seconds`."""
        now = time.time()
        with self._connect() as db:
            db.execute(
                "UPDATE clips SET attempts = attempts + 1, last_error = ?, updated_at = ?,"
                " next_attempt_at = ? WHERE id = ? AND state = ?",
                (error, now, now + delay_seconds, clip_id, QUEUED),
            )

    def summary(self, workspace: str | None = None, recent: int = 20) -> dict[str, Any]:
        """Counts by state and the queued, and latest failed and done, clips (for status)."""
        where, args = ("WHERE workspace = ?", (workspace,)) if workspace else ("", ())
        with self._connect() as db:
            counts = dict(
                db.execute(
                    f"SELECT state, COUNT(*) FROM clips {where} GROUP BY state", args
                ).fetchall()
            )
            rows = db.execute(
                f"SELECT * FROM clips {where} ORDER BY (state = 'queued') DESC, updated_at DESC"
                " LIMIT ?",
                (*args, recent),
            ).fetchall()
        return {
            "queued": counts.get(QUEUED, 0),
            "failed": counts.get(FAILED, 0),
            "done": counts.get(DONE, 0),
            "items": [_row_to_clip(r).to_dict() for r in rows],
        }
