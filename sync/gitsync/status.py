"""The daemon's status and a cycle's result (typed), and the status persisted in the data dir so
`papershelf status` in another process reads it."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from ..atomic import atomic_write_bytes
from ..paths import data_dir

log = logging.getLogger(__name__)


class CommitRecord(TypedDict, total=False):
    """A commit sync made: `sha`, `message`, `time`; in a cycle's result also its `files`, and
    `dropped` when a rebase dropped it (the remote already had its change)."""

    sha: str
    message: str
    time: str
    files: list[str]
    dropped: bool


class PullRecord(TypedDict):
    """The last fetch from the remote."""

    time: str
    ok: bool


class PushRecord(TypedDict):
    """The last push (or the failure to reach the remote)."""

    time: str
    ok: bool
    error: str | None


class ConflictRecord(TypedDict):
    """What paused sharing: the files, one line per entry, and the two sides it was decided on."""

    files: list[str]
    details: list[str]
    time: str
    head: str | None
    upstream: str


@dataclass
class SyncStatus:
    """What the daemon of one workspace reports (`/api/status`'s `sync`, `papershelf status`)."""

    workspace: str
    running: bool = False
    pid: int | None = None
    remote: str | None = None
    last_commit: CommitRecord | None = None
    pending: list[str] = field(default_factory=list)
    ahead: int = 0
    last_pull: PullRecord | None = None
    last_push: PushRecord | None = None
    error: str | None = None
    conflict: ConflictRecord | None = None
    paused: bool = False
    notice: str | None = None
    updated: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (docs/http-api.md)."""
        return copy.deepcopy(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, root: Path, stored: dict[str, Any]) -> SyncStatus:
        """A status from its JSON shape (unknown keys left out, missing ones defaulted)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in stored.items() if k in known and k != "workspace"}
        return cls(workspace=str(root), **values)


@dataclass
class CycleResult:
    """What one commit-and-share cycle did (`papershelf sync --once --json`)."""

    ok: bool = True
    committed: CommitRecord | None = None
    pulled: bool = False
    pushed: bool = False
    busy: bool = False
    error: str | None = None
    conflict: ConflictRecord | None = None
    remote: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (docs/cli.md); `busy` only when another process's cycle kept it out."""
        out = dataclasses.asdict(self)
        if not self.busy:
            del out["busy"]
        return out


class LiveStatus:
    """The running daemon's status, shared by its threads under `lock`, saved for other
    processes."""

    def __init__(self, status: SyncStatus, lock: threading.Condition) -> None:
        self.current = status
        self.lock = lock

    def set(self, **values: Any) -> None:
        """Update fields in memory (`save` persists them); each name must be a status field."""
        with self.lock:
            for name, value in values.items():
                if not hasattr(self.current, name):
                    raise AttributeError(f"SyncStatus has no field {name}")
                setattr(self.current, name, value)

    def snapshot(self) -> SyncStatus:
        """A copy of the status, safe to read while the daemon goes on."""
        with self.lock:
            return copy.deepcopy(self.current)

    def save(self, root: Path) -> None:
        """Stamp and persist the status for other processes (`read`)."""
        with self.lock:
            self.current.updated = now_iso()
            snapshot = self.current.to_dict()
        save(root, snapshot)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def empty_status(root: Path) -> dict[str, Any]:
    """The status of a workspace no daemon has reported on yet."""
    return SyncStatus(workspace=str(root)).to_dict()


def resumed(root: Path, notice: str | None = None) -> SyncStatus:
    """A new daemon's status: what the last one recorded of its commits, pulls, pushes and
    conflict, with `notice` (a template or a config papershelf cannot use)."""
    stored = read(root)
    out = SyncStatus(workspace=str(root), notice=notice, paused=bool(stored.get("paused")))
    out.last_commit, out.last_pull = stored.get("last_commit"), stored.get("last_pull")
    out.last_push, out.conflict = stored.get("last_push"), stored.get("conflict")
    if stored["running"]:
        # A daemon is alive elsewhere (read() checked its pid): a one-shot `sync --once`
        # saving its status must not show that daemon as stopped.
        out.running, out.pid = True, stored["pid"]
    return out


def status_path(root: Path) -> Path:
    """Where the status of the workspace at `root` is kept: `<data dir>/sync/<hash>.json`."""
    digest = hashlib.sha256(str(root.resolve()).encode("utf-8", "surrogateescape")).hexdigest()
    folder = data_dir() / "sync"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"status-{digest[:24]}.json"


def save(root: Path, status: dict[str, Any]) -> None:
    """Write the status atomically; a failure is logged, never raised (status is best effort)."""
    try:
        data = json.dumps(status, ensure_ascii=False, indent=2).encode("utf-8")
        atomic_write_bytes(status_path(root), data)
    except (OSError, TypeError, ValueError) as exc:
        log.warning("cannot save the sync status: %s", exc)


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def read(root: Path) -> dict[str, Any]:
    """The persisted status (defaults for missing keys); `running` checked against the pid."""
    status = empty_status(root)
    with contextlib.suppress(OSError, ValueError):
        stored = json.loads(status_path(root).read_text(encoding="utf-8"))
        if isinstance(stored, dict):
            status.update(stored)
    if status.get("running") and not _alive(status.get("pid")):
        status["running"] = False
    return status
