"""The candidate store's SQLite schema, its version and migrations, and the stored `extra` JSON."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: `PRAGMA user_version` of the store this code writes. 0: the first schema, which kept no
#: feed metadata; 2: `candidates.extra` holds the JSON of the paper's `extra` (categories...).
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS candidates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace TEXT NOT NULL,
    identity TEXT NOT NULL,
    paper TEXT NOT NULL,
    sources TEXT NOT NULL,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    scores TEXT NOT NULL,
    score REAL NOT NULL,
    suggested_list TEXT,
    suggested_section TEXT,
    suggestions TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_at REAL,
    result TEXT,
    extra TEXT,
    UNIQUE (workspace, identity)
);
CREATE INDEX IF NOT EXISTS candidates_status ON candidates (workspace, status, score);
CREATE TABLE IF NOT EXISTS feed_state (
    workspace TEXT NOT NULL,
    feed TEXT NOT NULL,
    url TEXT,
    etag TEXT,
    last_modified TEXT,
    last_poll REAL,
    last_ok REAL,
    state TEXT,
    error TEXT,
    summary TEXT,
    PRIMARY KEY (workspace, feed)
);
"""


def extra_json(extra: dict[str, Any] | None) -> str | None:
    """A paper's `extra` (feed metadata such as categories) as stored; None when empty."""
    if not extra:
        return None
    return json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)


def merge_extra(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """`extra` of a paper seen again: new values win, categories of every sighting are kept."""
    merged = {**old, **new}
    categories = [*(old.get("categories") or ()), *(new.get("categories") or ())]
    if categories:
        merged["categories"] = list(dict.fromkeys(str(c) for c in categories))
    return merged


def load_extra(text: str | None) -> dict[str, Any]:
    """A stored `extra` column as a dict (empty for NULL or anything that is not an object)."""
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Create the tables, or bring an older store up to SCHEMA_VERSION, in one transaction.

    Only additive steps (a new nullable column), so a store shared by several processes is safe:
    the first to take the write lock migrates, the others find it done. A store from a newer
    papershelf is read and written as it is (its extra columns are left alone).
    """
    if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        return  # set only after the tables and columns of this version exist
    db.execute("BEGIN IMMEDIATE")
    try:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            log.warning(
                "%s has schema version %d, newer than this papershelf's %d; using it as is",
                path,
                version,
                SCHEMA_VERSION,
            )
        for statement in _SCHEMA.split(";"):
            if statement.strip():
                db.execute(statement)
        columns = {r[1] for r in db.execute("PRAGMA table_info(candidates)")}
        if "extra" not in columns:  # version 0: the paper's feed metadata was not kept
            db.execute("ALTER TABLE candidates ADD COLUMN extra TEXT")
            log.info("%s: added candidates.extra (schema version %d)", path, SCHEMA_VERSION)
        if version < SCHEMA_VERSION:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")
