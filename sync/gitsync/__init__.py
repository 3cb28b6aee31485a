"""The sync daemon: watchdog + GitPython, meaningful commit messages, a list-aware merge driver.

See docs/sync.md. `daemon` runs the loop (`SyncDaemon`, `load_status`); `schedule` says when
each step is due, `commit` commits and `push` shares, `gitrepo` talks to git. The pure parts
are `messages` (commit messages from old and new bytes) and `merge` (three-way merge of list
texts). Nothing is imported here: the merge driver (`python -m papershelf.sync.gitsync.mergedriver`) runs
on every merge and should not pay for watchdog and GitPython.
"""

from __future__ import annotations

from . import settings  # noqa: F401  (registers the sync.* settings)
