"""What the SQLite stores in the data dir share: WAL mode (switched safely while other processes
open the same file), files only their owner can read, and errors that name the file."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import StoreUnavailable

#: The files SQLite keeps beside a database in WAL mode (made with the database's own mode).
_SIDE_FILES = ("-wal", "-shm")
#: SQLite's answers (result code names) that mean the file itself is not a usable database.
_DAMAGED = ("SQLITE_CORRUPT", "SQLITE_NOTADB")
_NO_SPACE = ("SQLITE_FULL", "SQLITE_IOERR")
_BUSY = ("SQLITE_BUSY", "SQLITE_LOCKED")


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


def make_private(path: Path) -> None:
    """Create the database file `path` readable by its owner only (0600), or make it and its
    WAL files so: a store holds what a curator clipped and decided, not for other users."""
    fd = os.open(path, os.O_CREAT | os.O_RDONLY, 0o600)
    os.close(fd)
    for file in (path, *(path.with_name(path.name + side) for side in _SIDE_FILES)):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(file.stat().st_mode) & 0o077:
                os.chmod(file, 0o600)


def store_problem(exc: BaseException, path: Path, what: str) -> StoreUnavailable:
    """The one line a person reads when the store `what` at `path` failed with `exc`."""
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        name = "SQLITE_FULL" if exc.errno == 28 else ""
    else:
        reason = str(exc)
        name = getattr(exc, "sqlite_errorname", "") or ""
    if name.startswith(_DAMAGED) or "not a database" in reason or "malformed" in reason:
        message = (
            f"The {what} {path} is damaged ({reason}): papershelf cannot use it. Move it aside "
            "(papershelf then starts an empty one) and restart."
        )
    elif name.startswith(_NO_SPACE):
        message = f"The {what} {path} cannot be written ({reason}): is the disk full?"
    elif name.startswith(_BUSY):
        message = f"The {what} {path} is busy ({reason}); try again in a moment."
    else:
        message = f"The {what} {path} cannot be used ({reason})."
    return StoreUnavailable(message, fields={"store": str(path)})


@contextlib.contextmanager
def store_errors(path: Path, what: str) -> Iterator[None]:
    """Turn SQLite and file errors of the store `what` into StoreUnavailable naming `path`
    (a programming error, such as a broken constraint, stays what it is)."""
    try:
        yield
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
        raise
    except (sqlite3.DatabaseError, OSError) as exc:
        raise store_problem(exc, path, what) from exc


def connect(path: Path, timeout_seconds: float) -> sqlite3.Connection:
    """The one way a papershelf store is opened: autocommit (transactions are explicit), waiting
    up to `timeout_seconds` for another writer."""
    return sqlite3.connect(path, timeout=timeout_seconds, isolation_level=None)


def create_store(
    path: Path, what: str, timeout_seconds: float, setup: Callable[[sqlite3.Connection], object]
) -> None:
    """Open (creating, mode 0600) the store `what` at `path` in WAL mode and run `setup` (its
    schema) on it; StoreUnavailable, naming the file, when it cannot be used."""
    with store_errors(path, what):
        make_private(path)
        db = connect(path, timeout_seconds)
        try:
            enable_wal(db, timeout_seconds)
            setup(db)
        finally:
            db.close()


@contextlib.contextmanager
def transaction(
    path: Path,
    what: str,
    timeout_seconds: float,
    *,
    begin: str = "BEGIN",
    pragmas: tuple[str, ...] = (),
) -> Iterator[sqlite3.Connection]:
    """A short-lived connection to the store `what` in one transaction (`begin`, e.g. BEGIN
    IMMEDIATE for writes), committed on success and rolled back on error; its errors name
    `path` (StoreUnavailable)."""
    with store_errors(path, what):
        db = connect(path, timeout_seconds)
        db.row_factory = sqlite3.Row
        try:
            for pragma in pragmas:
                db.execute(pragma)
            db.execute(begin)
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        finally:
            db.close()
