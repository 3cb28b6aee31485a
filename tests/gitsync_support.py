"""Helpers for the sync tests: real git repositories with a bare remote, and polling waits."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TypeVar

from papershelf.sync.gitsync.daemon import SyncDaemon
from papershelf.sync.workspace import Workspace, open_workspace

T = TypeVar("T")

LIST_NAME = "training.md"
LIST = """\
# Training papers

A list of papers on training.

## Optimization

- [Gamma Paper on Optimizers](https://arxiv.org/abs/2403.00003), Mar. 3 2024.
- [Beta Paper on Schedules](https://arxiv.org/abs/2402.00002), Feb. 2 2024.
- [Alpha Paper on Warmup](https://arxiv.org/abs/2401.00001), Jan. 1 2024.

## Alignment

- [Delta Paper on Feedback](https://arxiv.org/abs/2404.00004), Apr. 4 2024.
- [Epsilon Paper on Rewards](https://arxiv.org/abs/2405.00005), May 5 2024.
"""


def entry(title: str, arxiv: str, date: str = "Jun. 6 2024") -> str:
    """One entry line in the sample list's style."""
    return f"- [{title}](https://arxiv.org/abs/{arxiv}), {date}."


def git(cwd: Path, *args: str) -> str:
    """Run git in `cwd`, fail loudly, return stdout."""
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def make_remote(tmp_path: Path, files: dict[str, str] | None = None) -> Path:
    """A bare repository (branch main) holding one commit of `files` (default: the sample list)."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(remote))
    seed = tmp_path / "seed"
    git(tmp_path, "clone", "--quiet", str(remote), str(seed))
    for name, text in (files or {LIST_NAME: LIST}).items():
        (seed / name).parent.mkdir(parents=True, exist_ok=True)
        (seed / name).write_text(text, encoding="utf-8")
    git(seed, "add", "-A")
    git(seed, "commit", "--quiet", "-m", "Start the lists")
    git(seed, "push", "--quiet", "-u", "origin", "main")
    return remote


def clone(remote: Path, dest: Path) -> Path:
    """A working clone of `remote`."""
    git(dest.parent, "clone", "--quiet", str(remote), str(dest))
    return dest


def workspace(root: Path, config: str = "") -> Workspace:
    """Open `root` as a workspace, writing `.papershelf/config.toml` first when given."""
    if config:
        (root / ".papershelf").mkdir(exist_ok=True)
        (root / ".papershelf" / "config.toml").write_text(config, encoding="utf-8")
    return open_workspace(root)


def messages(repo: Path, rev: str = "HEAD") -> list[str]:
    """Commit subjects, newest first."""
    return git(repo, "log", "--format=%s", rev).splitlines()


def remote_file(remote: Path, path: str = LIST_NAME) -> str:
    """A file's text on the remote's main branch."""
    return git(remote, "show", f"main:{path}")


def add_entry(path: Path, after: str, line: str, *, before: bool = False) -> None:
    """Insert `line` after (or before) the line starting with `after`, atomically like the server."""
    from papershelf.sync.atomic import atomic_write_bytes

    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    k = next(i for i, x in enumerate(lines) if x.startswith(after))
    lines.insert(k if before else k + 1, line + "\n")
    atomic_write_bytes(path, "".join(lines).encode("utf-8"))


#: The sync tests' quiet period: short, so each test waits little for a commit.
QUIET_SECONDS = 0.3


def start_daemon(root: Path, started: list[SyncDaemon], **kwargs: object) -> SyncDaemon:
    """Start a SyncDaemon on `root` (quiet period QUIET_SECONDS unless given); `started` keeps it
    for the `daemons` fixture to stop."""
    kwargs.setdefault("quiet_seconds", QUIET_SECONDS)
    daemon = SyncDaemon(workspace(root), **kwargs)  # type: ignore[arg-type]
    started.append(daemon)
    daemon.start()
    return daemon
