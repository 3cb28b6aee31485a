"""The sync daemon's workspace settings (`[sync]` in `.papershelf/config.toml`)."""

from __future__ import annotations

from ..settings import define

#: The longest any `sync.*_seconds` may be: longer waits are a typo (1e12 overflowed the
#: daemon thread's Condition.wait), and a day is already far beyond any sensible value.
DAY = 86400.0

QUIET_SECONDS = define(
    "sync.quiet_seconds",
    2.0,
    "Seconds (0 to 86400, a day) without a change to the lists before the daemon commits them.",
    float,
    minimum=0.0,
    maximum=DAY,
)
PULL_INTERVAL_SECONDS = define(
    "sync.pull_interval_seconds",
    60.0,
    "Seconds (1 to 86400, a day) between pulls (with rebase) from the remote, so curators see "
    "each other's additions.",
    float,
    minimum=1.0,
    maximum=DAY,
)
REMOTE = define(
    "sync.remote",
    "",
    'The git remote to pull from and push to; "" uses the branch\'s upstream (or the only remote).',
    str,
)
PUSH = define(
    "sync.push",
    True,
    "Push after each commit; false keeps commits local (pulls still happen).",
    bool,
)
MESSAGE_TEMPLATE = define(
    "sync.message_template",
    "{summary}",
    "Commit subject template; placeholders: {summary}, {files}, {papers}, {added}, {removed}.",
    str,
)
RETRY_SECONDS = define(
    "sync.retry_seconds",
    5.0,
    "Seconds (0.1 to 86400, a day) of the first wait before retrying an unreachable remote; "
    "it doubles on each failure.",
    float,
    minimum=0.1,
    maximum=DAY,
)
RETRY_MAX_SECONDS = define(
    "sync.retry_max_seconds",
    300.0,
    "Longest wait, in seconds (0.1 to 86400, a day), between retries of an unreachable remote.",
    float,
    minimum=0.1,
    maximum=DAY,
)
STALE_LOCK_SECONDS = define(
    "sync.stale_lock_seconds",
    5.0,
    "Age in seconds (0 to 86400, a day) after which a .git/index.lock with no live git process "
    "in the repo is removed.",
    float,
    minimum=0.0,
    maximum=DAY,
)
REPOSITORY = define(
    "sync.repository",
    "",
    "The git repository to sync when the workspace is a folder inside it: its top folder, "
    'relative to the workspace (such as ".."). "" syncs only a repository whose top folder is '
    "the workspace itself.",
    str,
)
