"""The workspace: a folder of markdown lists with `.papershelf/config.toml`, found or created."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from .config import (
    CONFIG_NAME,
    STATE_DIRNAME,
    config_problem,
    load_config,
    read_toml,
    setting_value,
)
from .errors import NotFound, WorkspaceError
from .lastgood import config_or_last_good
from .paths import data_dir, machine_config_path
from .settings import LISTS_EXCLUDE, LISTS_INCLUDE

log = logging.getLogger(__name__)


SAMPLE_LIST_NAME = "papers.md"
SAMPLE_LIST = """\
# Papers

A sample list papershelf created so the first run works. Clip a paper from arXiv with the
browser extension, or run `papershelf add <arXiv id> --list papers.md --section "Language models"`.

## Language models

- [Attention Is All You Need](https://arxiv.org/abs/1706.03762), Jun. 12 2017.
- [Language Models are Few-Shot Learners](https://arxiv.org/abs/2005.14165), May 28 2020.

## Retrieval

- [Dense Passage Retrieval for Open-Domain Question Answering](https://arxiv.org/abs/2004.04906), Apr. 10 2020.
"""

SAMPLE_CONFIG = """\
# papershelf workspace settings; every key is documented in docs/configuration.md.
[lists]
include = ["**/*.md", "**/*.markdown"]
"""


def _never_lists(folder: str) -> bool:
    """Hidden folders (.git, .papershelf, .venv) and node_modules never hold lists."""
    return folder.startswith(".") or folder == "node_modules"


@dataclass(frozen=True)
class ListRule:
    """The `[lists]` include and exclude globs of a workspace (pure)."""

    include: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]

    def is_list(self, rel: str) -> bool:
        """Whether `rel` (workspace-relative POSIX) names a list file, present or not."""
        if any(_never_lists(p) for p in PurePosixPath(rel).parts[:-1]):
            return False
        return any(r.match(rel) for r in self.include) and not any(
            r.match(rel) for r in self.exclude
        )


@dataclass
class Workspace:
    """A workspace root and its parsed configuration."""

    root: Path
    config: dict[str, Any] = field(default_factory=dict)
    #: Set when config.toml could not be used and the last good config runs instead: why.
    config_notice: str | None = None

    @property
    def state_dir(self) -> Path:
        """`<root>/.papershelf`: shared decisions and the config, committed with the lists."""
        return self.root / STATE_DIRNAME

    def setting(self, key: str) -> Any:
        """The configured value of a registered setting, or its default."""
        return setting_value(self.config, key, self.state_dir / CONFIG_NAME)

    def list_rule(self) -> ListRule:
        """Which paths name lists: the one rule for discovery, the daemon and its messages."""
        return ListRule(
            tuple(_glob_regex(p) for p in self.setting(LISTS_INCLUDE.key)),
            tuple(_glob_regex(p) for p in self.setting(LISTS_EXCLUDE.key)),
        )

    def list_paths(self) -> list[str]:
        """Every list file, as sorted workspace-relative POSIX paths."""
        rule = self.list_rule()
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not _never_lists(d))
            rel_dir = PurePosixPath(Path(dirpath).relative_to(self.root).as_posix())
            for name in filenames:
                rel = (rel_dir / name).as_posix() if str(rel_dir) != "." else name
                if not rule.is_list(rel):
                    continue
                if self.links_outside(rel):
                    continue  # a file outside the workspace is no list of it: never read
                if not _is_utf8(rel):
                    _warn_once(rel)
                    continue
                found.append(rel)
        return sorted(found)

    def links_outside(self, rel: str) -> bool:
        """Whether `rel` is a symlink to something outside the workspace (or to nowhere).

        Git stores symlinks, so one can arrive from the shared repository: papershelf neither
        reads (index, lookups, review) nor writes through it, and the daemon does not commit it.
        """
        path = self.root / rel
        if not os.path.islink(path):
            return False
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return True
        return not target.is_relative_to(self.root.resolve())

    def resolve_list(self, list_path: str) -> Path:
        """The absolute path of a list given relative to the workspace; NotFound names close ones."""
        rel = str(list_path).replace("\\", "/").strip()
        if "\x00" in rel:
            # No file name holds a NUL byte, and the OS refuses to resolve one.
            raise NotFound(f"No list {list_path!r} in {self.root}.", fields={"list": "unknown"})
        candidate = (self.root / rel).resolve()
        root = self.root.resolve()
        if root not in candidate.parents and candidate != root:
            raise NotFound(
                f"List {list_path!r} is outside the workspace.", fields={"list": "outside"}
            )
        known = self.list_paths()
        if rel in known:
            return candidate
        from .closest import closest_names

        raise NotFound(
            f"No list {list_path!r} in {self.root}.",
            closest=closest_names(rel, known),
            fields={"list": "unknown"},
        )

    def relpath(self, path: Path) -> str:
        """A path inside the workspace as a workspace-relative POSIX path."""
        return path.resolve().relative_to(self.root.resolve()).as_posix()


def _is_utf8(rel: str) -> bool:
    """Whether a file name (as os.fsdecode gives it) was valid UTF-8 on disk."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:  # bytes that were not UTF-8 come back as lone surrogates
        return False
    return True


_warned: set[str] = set()


def _warn_once(rel: str) -> None:
    """Say once per process why a list file with a name that is not UTF-8 is left out."""
    if rel in _warned:
        return
    _warned.add(rel)
    shown = rel.encode("utf-8", "surrogateescape").decode("ascii", "backslashreplace")
    log.warning(
        "%s: the file name is not UTF-8, so papershelf leaves it out of the lists (rename it; "
        "sync still commits it)",
        shown,
    )


@lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Translate a glob with `**` (any folders, including none), `*` and `?` into a regex."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"\Z")


def default_workspace_dir() -> Path:
    """Where the default workspace lives: `<data_dir>/workspace`."""
    return data_dir() / "workspace"


def create_default_workspace(root: Path) -> Path:
    """Create a workspace with a sample list (idempotent: existing files are kept)."""
    root.mkdir(parents=True, exist_ok=True)
    state = root / STATE_DIRNAME
    state.mkdir(exist_ok=True)
    config = state / CONFIG_NAME
    if not config.exists():
        config.write_text(SAMPLE_CONFIG, encoding="utf-8")
    sample = root / SAMPLE_LIST_NAME
    if not sample.exists() and not any(root.glob("*.md")):
        sample.write_text(SAMPLE_LIST, encoding="utf-8")
        log.info("created the default workspace at %s", root)
    return root


def configured_workspace_dir() -> Path | None:
    """The workspace named by `PAPERSHELF_WORKSPACE` or the machine settings, if any."""
    env = os.environ.get("PAPERSHELF_WORKSPACE")
    if env:
        return Path(env).expanduser()
    value = (read_toml(machine_config_path()) or {}).get("workspace")
    if isinstance(value, str) and value:
        return Path(value).expanduser()
    return None


def open_workspace(
    path: str | Path | None = None, *, create_default: bool = True, last_good: bool = True
) -> Workspace:
    """Open the given workspace, else the configured one, else the default (created if asked).

    A config.toml papershelf cannot use is replaced by the last good one, and said
    (`config_notice`); with `last_good=False` it is a WorkspaceError instead (`papershelf init`
    sets nothing up on it).
    """
    chosen = Path(path).expanduser() if path else configured_workspace_dir()
    if chosen is None:
        chosen = default_workspace_dir()
        if create_default:
            create_default_workspace(chosen)
    if not chosen.is_dir():
        raise WorkspaceError(f"Workspace {chosen} does not exist or is not a folder.")
    root = chosen.resolve()
    if not last_good:
        config = load_config(root)
        problem = config_problem(root, config)
        if problem:
            raise WorkspaceError(problem)
        return Workspace(root=root, config=config)
    config, notice = config_or_last_good(root)
    return Workspace(root=root, config=config, config_notice=notice)
