"""The last good config.toml: what papershelf runs with while the workspace's own cannot be used.

`.papershelf/config.toml` is shared through the lists repository, so a broken one (a typo, a
half-resolved merge, a link to /dev/zero) can arrive with a pull. Rather than refuse to start
(and so never pull the fix), papershelf runs with the last config it could use, says so, and
the sync daemon never commits a config papershelf cannot use (`held_back_config`).
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .atomic import atomic_write_bytes, read_regular
from .config import CONFIG_MAX_BYTES, CONFIG_NAME, STATE_DIRNAME, config_problem, parse_toml
from .errors import WorkspaceError
from .paths import data_dir

log = logging.getLogger(__name__)

#: Commits of config.toml looked at for one papershelf could use, newest first.
HISTORY_DEPTH = 20
GIT_TIMEOUT_SECONDS = 10


def config_path(root: Path) -> Path:
    """`<root>/.papershelf/config.toml`."""
    return root / STATE_DIRNAME / CONFIG_NAME


def _kept_path(root: Path) -> Path:
    digest = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return data_dir() / "config" / f"last-good-{digest}.toml"


def usable(root: Path, data: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """(the config in `data`, None) when papershelf can run with it, else (None, why not)."""
    try:
        config = parse_toml(config_path(root), data)
    except WorkspaceError as exc:
        return None, exc.message
    problem = config_problem(root, config)
    return (None, problem) if problem else (config, None)


def _read(root: Path) -> tuple[bytes | None, str | None]:
    """config.toml's bytes (b"" when there is none), or None and why it cannot be read."""
    path = config_path(root)
    try:
        return read_regular(path, CONFIG_MAX_BYTES), None
    except FileNotFoundError:
        return b"", None
    except OSError as exc:
        return None, f"{path}: cannot read ({exc.strerror or exc})"


def held_back_config(root: Path) -> str | None:
    """Why config.toml as it is on disk must not be committed (papershelf cannot use it), or None."""
    data, problem = _read(root)
    if data is None:
        return problem
    return usable(root, data)[1]


def config_or_last_good(root: Path) -> tuple[dict[str, Any], str | None]:
    """The workspace's config and None; or, when it cannot be used, the last good one and the
    line saying so (also logged as a warning)."""
    data, problem = _read(root)
    if data is not None:
        config, problem = usable(root, data)
        if config is not None:
            _keep(root, data)
            return config, None
    good, source = last_good(root)
    notice = f"{problem}; papershelf runs with {source} until it is fixed"
    log.warning("%s", notice)
    return good, notice


def _keep(root: Path, data: bytes) -> None:
    """Keep a copy of a config papershelf could use (best effort)."""
    kept = _kept_path(root)
    try:
        if kept.exists() and kept.read_bytes() == data:
            return
        kept.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(kept, data)
    except OSError as exc:
        log.debug("cannot keep a copy of the config: %s", exc)


def last_good(root: Path) -> tuple[dict[str, Any], str]:
    """The newest config papershelf could use (its own copy, else the repository's history),
    else the defaults; with where it came from, in words."""
    for data, source in _candidates(root):
        config, _problem = usable(root, data)
        if config is not None:
            return config, source
    return {}, "the default settings"


def _candidates(root: Path) -> Iterator[tuple[bytes, str]]:
    kept = _kept_path(root)
    try:
        data = read_regular(kept, CONFIG_MAX_BYTES)
        when = datetime.fromtimestamp(kept.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
        yield data, f"the last config it could use (kept on {when})"
    except OSError:
        pass
    yield from _from_history(root)


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _from_history(root: Path) -> Iterator[tuple[bytes, str]]:
    """Versions of config.toml in the repository's history, newest first."""
    rel = f"{STATE_DIRNAME}/{CONFIG_NAME}"
    found = _git(root, "log", f"-n{HISTORY_DEPTH}", "--format=%H %cs", "--", rel)
    if found is None or found.returncode != 0:
        return
    for line in found.stdout.decode("ascii", "replace").splitlines():
        sha, _, day = line.partition(" ")
        shown = _git(root, "show", f"{sha}:./{rel}")
        if shown is not None and shown.returncode == 0 and len(shown.stdout) <= CONFIG_MAX_BYTES:
            yield shown.stdout, f"the config of commit {sha[:10]} ({day})"
