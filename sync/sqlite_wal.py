"""SQLite stores in WAL mode, switched safely while other processes open the same file."""

from __future__ import annotations

import sqlite3
import time


def enable_wal(db: sqlite3.Connection, timeout_seconds: float) -> None:
    """Put the database in WAL mode (persistent), waiting out other connections that hold it.

    Switching the journal mode needs the database to itself, and SQLite answers "database is
    locked" at once instead of calling the busy handler while another connection opens or
    switches the same file: so check first (a WAL file stays WAL) and retry with backoff.
    """
    deadline = time.monotonic() + timeout_seconds
    delay_seconds = 0.005
    while True:
        try:
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]
            if str(mode).lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            if time.monotonic() + delay_seconds > deadline:
                raise
            time.sleep(delay_seconds)
            delay_seconds = min(delay_seconds * 2, 0.2)
