"""What relevance learns from beyond the lists: cached abstracts and the feeds' background (SQLite).

`texts.sqlite3` sits beside the candidate store. `abstracts` caches arXiv's abstract of listed
papers by identity (NULL: arXiv has none, so it is not asked again). `background` keeps the text
of recent feed items per workspace, the unlabeled papers each list is told apart from (as
arxiv-sanity trains against its whole database); only the newest `MAX_BACKGROUND_KEPT` stay.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from papershelf.sync.sqlite_wal import create_store, transaction

TEXTS_FILENAME = "texts.sqlite3"
_WHAT = "relevance text store"
#: Feed items kept per workspace as background (a few days of cs.CL + cs.LG).
MAX_BACKGROUND_KEPT = 5_000
_BUSY_TIMEOUT_SECONDS = 10.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS abstracts (
    identity TEXT PRIMARY KEY,
    abstract TEXT,
    fetched REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS background (
    workspace TEXT NOT NULL,
    identity TEXT NOT NULL,
    text TEXT NOT NULL,
    seen REAL NOT NULL,
    PRIMARY KEY (workspace, identity)
);
CREATE INDEX IF NOT EXISTS background_seen ON background (workspace, seen);
"""


class TextStore:
    """Abstracts by identity, and feed background by workspace, in one SQLite file (WAL)."""

    def __init__(self, path: Path | str) -> None:
        """Open (creating, mode 0600) the store at `path`; StoreUnavailable, naming the file, when
        it is damaged or cannot be read or written."""
        self.path = Path(path)
        self._lock = threading.Lock()
        create_store(self.path, _WHAT, _BUSY_TIMEOUT_SECONDS, lambda db: db.executescript(_SCHEMA))

    @contextlib.contextmanager
    def _connect(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """One short transaction (IMMEDIATE for writes)."""
        begin = "BEGIN IMMEDIATE" if write else "BEGIN"
        with transaction(self.path, _WHAT, _BUSY_TIMEOUT_SECONDS, begin=begin) as db:
            yield db

    # -- abstracts ------------------------------------------------------------------------

    def abstracts(self) -> dict[str, str]:
        """Every cached abstract, by identity."""
        with self._connect() as db:
            rows = db.execute("SELECT identity, abstract FROM abstracts WHERE abstract IS NOT NULL")
            return {identity: abstract for identity, abstract in rows}

    def count_abstracts(self) -> int:
        """How many abstracts are cached."""
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM abstracts").fetchone()[0])

    def asked(self) -> set[str]:
        """Identities already asked of arXiv (found or not)."""
        with self._connect() as db:
            return {row[0] for row in db.execute("SELECT identity FROM abstracts")}

    def save_abstracts(self, found: Mapping[str, str | None], now: float | None = None) -> None:
        """Record arXiv's answers: an abstract, or None for a paper it has none for."""
        now = time.time() if now is None else now
        with self._lock, self._connect(write=True) as db:
            db.executemany(
                "INSERT OR REPLACE INTO abstracts (identity, abstract, fetched) VALUES (?, ?, ?)",
                [(identity, abstract, now) for identity, abstract in found.items()],
            )

    # -- background -----------------------------------------------------------------------

    def add_background(
        self, workspace: str, items: Iterable[tuple[str, str]], now: float | None = None
    ) -> None:
        """Remember feed items `(identity, text)` as seen now; keep the newest ones only."""
        now = time.time() if now is None else now
        rows = [(workspace, identity, text, now) for identity, text in items if text.strip()]
        if not rows:
            return
        with self._lock, self._connect(write=True) as db:
            db.executemany(
                "INSERT OR REPLACE INTO background (workspace, identity, text, seen) "
                "VALUES (?, ?, ?, ?)",
                rows,
            )
            db.execute(
                "DELETE FROM background WHERE workspace = ? AND identity NOT IN ("
                "SELECT identity FROM background WHERE workspace = ? "
                "ORDER BY seen DESC, identity LIMIT ?)",
                (workspace, workspace, MAX_BACKGROUND_KEPT),
            )

    def background(self, workspace: str, limit: int) -> list[tuple[str, str]]:
        """The newest `limit` background items `(identity, text)` of a workspace."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT identity, text FROM background WHERE workspace = ? "
                "ORDER BY seen DESC, identity LIMIT ?",
                (workspace, int(limit)),
            )
            return [(identity, text) for identity, text in rows]
