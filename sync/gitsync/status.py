"""The daemon's status, persisted in the data dir so `papershelf status` in another process reads it."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..atomic import atomic_write_bytes
from ..paths import data_dir

log = logging.getLogger(__name__)


def now_iso() -> str:
    """The current UTC time as ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def empty_status(root: Path) -> dict[str, Any]:
    """The status of a workspace no daemon has reported on yet."""
    return {
        "workspace": str(root),
        "running": False,
        "pid": None,
        "remote": None,
        "last_commit": None,
        "pending": [],
        "ahead": 0,
        "last_pull": None,
        "last_push": None,
        "error": None,
        "conflict": None,
        "paused": False,
        "notice": None,
        "updated": None,
    }


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
