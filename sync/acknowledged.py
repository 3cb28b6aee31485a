"""Clips papershelf acknowledged and has not seen committed yet, so a vanished one is noticed.

An editor that read a list before a clip and saves after it (a stale buffer) replaces the clip:
that is the editor's save, and papershelf keeps it. But the clip was acknowledged (201) and the
curator believes it is listed, so every entry papershelf adds is noted here (`note_added`) until
the sync daemon sees it in a commit; one that is gone from the lists before that is reported
(`settle`), by title and list, in the sync status.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock

from .atomic import atomic_write_bytes
from .paths import data_dir

log = logging.getLogger(__name__)

#: Entries older than this are dropped unseen (a workspace no daemon syncs keeps no backlog).
KEEP_DAYS = 30


@dataclass(frozen=True)
class Acknowledged:
    """An entry papershelf added: which list, the paper's identity key, its id or URL as given
    (what a lookup takes), its title, and when."""

    list: str
    identity: str
    ref: str
    title: str
    time: str


def _journal(root: Path) -> Path:
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    folder = data_dir() / "sync"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"acknowledged-{digest[:24]}.jsonl"


def _lock(path: Path) -> FileLock:
    return FileLock(str(path) + ".lock", timeout=10)


def note_added(root: Path, list_path: str, identity: str, ref: str, title: str) -> None:
    """Note an entry papershelf just wrote (best effort: a failure is logged, never raised)."""
    now = datetime.now(UTC).isoformat(timespec="seconds")
    item = Acknowledged(list_path, identity, ref, title, now)
    line = json.dumps(asdict(item), ensure_ascii=True)
    path = _journal(root)
    try:
        with _lock(path), open(path, "a", encoding="ascii") as fh:
            fh.write(line + "\n")
    except (OSError, TimeoutError) as exc:
        log.warning("cannot note the clip of %s: %s", title, exc)


def _read(path: Path) -> list[Acknowledged]:
    out = []
    with contextlib.suppress(FileNotFoundError):
        for line in path.read_text(encoding="ascii", errors="replace").splitlines():
            with contextlib.suppress(ValueError, TypeError):
                out.append(Acknowledged(**json.loads(line)))
    return out


#: What became of a noted entry: still waiting for a commit, committed (or moved to another
#: list by a person), or vanished before it was committed.
WAITING, DONE, VANISHED = "waiting", "done", "vanished"


def settle(root: Path, state: Callable[[Acknowledged], str]) -> list[Acknowledged]:
    """Settle the noted entries by their `state`: done ones are forgotten, vanished ones are
    forgotten and returned, waiting ones kept for the next look."""
    path = _journal(root)
    if not path.exists():
        return []
    cutoff = datetime.now(UTC).timestamp() - KEEP_DAYS * 86400
    vanished, waiting = [], []
    try:
        with _lock(path):
            noted = _read(path)
            for item in noted:
                now = DONE if _timestamp(item.time) < cutoff else state(item)
                if now == WAITING:
                    waiting.append(item)
                elif now == VANISHED:
                    vanished.append(item)
            if len(waiting) != len(noted):
                text = "".join(json.dumps(asdict(i), ensure_ascii=True) + "\n" for i in waiting)
                atomic_write_bytes(path, text.encode("ascii"))
    except (OSError, TimeoutError) as exc:
        log.warning("cannot read the clips waiting for a commit: %s", exc)
        return []
    return vanished


def _timestamp(text: str) -> float:
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return 0.0


def vanished_line(items: list[Acknowledged]) -> str:
    """The status's one line about clips that vanished before they were committed."""
    first = items[0]
    if len(items) == 1:
        what = f'the clip "{first.title}" ({first.list}, acknowledged {first.time})'
        verb = "was"
    else:
        names = ", ".join(f'"{i.title}"' for i in items[:3])
        more = f" and {len(items) - 3} more" if len(items) > 3 else ""
        what = f"{len(items)} clips ({names}{more})"
        verb = "were"
    return (
        f"{what} {verb} removed from the list before it was committed, by another save of the "
        "file (an editor's stale buffer?); clip it again if it should stay"
    )
