"""The feeds' persisted state, readable without a running server (`papershelf status`)."""

from __future__ import annotations

from typing import Any

from papershelf.sync.errors import WorkspaceError
from papershelf.sync.workspace import Workspace

from .sources import load_sources
from .store import CandidateStore


def feed_status(workspace: Workspace, store: CandidateStore | None = None) -> dict[str, Any]:
    """Per configured feed: last poll, last success, state, error, last summary; candidate counts."""
    store = store or CandidateStore(workspace=str(workspace.root))
    states = store.feed_states()
    out: dict[str, Any] = {"feeds": {}, "candidates": store.counts()}
    try:
        sources = load_sources(workspace)
    except WorkspaceError as exc:
        out["config_error"] = exc.message
        sources = []
    names = [s.name for s in sources] + sorted(set(states) - {s.name for s in sources})
    for name in names:
        state = states.get(name, {})
        out["feeds"][name] = {
            "last_poll": state.get("last_poll"),
            "last_ok": state.get("last_ok"),
            "state": state.get("state") or "never polled",
            "error": state.get("error"),
            "summary": state.get("summary"),
            "configured": name in {s.name for s in sources},
        }
    out["errors"] = {n: f["error"] for n, f in out["feeds"].items() if f["error"]}
    last = [f["last_poll"] for f in out["feeds"].values() if f["last_poll"]]
    out["last_poll"] = max(last) if last else None
    return out


def load_status(workspace: Workspace) -> dict[str, Any]:
    """What the last polls of this workspace's feeds left behind."""
    return feed_status(workspace)
