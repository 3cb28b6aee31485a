"""The sync daemon: watchdog + GitPython, meaningful commit messages, a list-aware merge driver.

See docs/sync.md. The pure parts are `messages` (commit messages from old/new bytes) and `merge`
(three-way merge of list texts); `daemon` orchestrates, `gitrepo` talks to git.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import settings  # noqa: F401  (registers the sync.* settings)

# Lazy: the merge driver runs `python -m sync.gitsync.mergedriver` on every merge, and should not
# pay for importing watchdog and GitPython.
_WHERE = {
    "SyncDaemon": "daemon",
    "load_status": "daemon",
    "MergeResult": "merge",
    "merge_lists": "merge",
    "FileChange": "messages",
    "build_message": "messages",
    "describe_change": "messages",
    "ensure_repo_setup": "setup",
}


def __getattr__(name: str) -> Any:
    """Import the public names on first use."""
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)


__all__ = [
    "FileChange",
    "MergeResult",
    "SyncDaemon",
    "build_message",
    "describe_change",
    "ensure_repo_setup",
    "load_status",
    "merge_lists",
]
