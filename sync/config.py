"""A workspace's `.papershelf/config.toml`: read (bounded, a regular file), parsed, and each
registered setting's value checked (pure but for the reading)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from .atomic import read_regular
from .errors import WorkspaceError
from .settings import SETTINGS

STATE_DIRNAME = ".papershelf"
CONFIG_NAME = "config.toml"


def setting_value(config: dict[str, Any], key: str, where: Path) -> Any:
    """The value `config` gives the registered setting `key`, or its default; WorkspaceError
    naming `where` (the config file) for a value it cannot use."""
    spec = SETTINGS[key]
    check_table(config, key.split(".", 1)[0], where)
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return spec.default
        node = node[part]
    try:
        return spec.coerce(node)
    except ValueError as exc:
        raise WorkspaceError(f"{where}: {exc}.") from None


def check_table(config: dict[str, Any], table: str, where: Path) -> None:
    """Refuse a table of settings that is not a table (`sync = 3`) or holds a key no setting
    has (`quiet_second`): either would be ignored, leaving the default in force unseen."""
    value = config.get(table)
    if value is None:
        return
    if not isinstance(value, dict):
        kind = _TOML_KINDS.get(type(value), type(value).__name__)
        raise WorkspaceError(f"{where}: {table} must be a table ([{table}]), not {kind}.")
    prefix = f"{table}."
    known = sorted(k[len(prefix) :] for k in SETTINGS if k.startswith(prefix))
    unknown = [k for k in value if k not in known]
    if not unknown:
        return
    from .closest import closest_names  # rapidfuzz, only for a config with a typo

    name = unknown[0]
    near = closest_names(name, known, limit=1)
    hint = f"did you mean {near[0]}?" if near else f"known: {', '.join(known)}"
    raise WorkspaceError(f"{where}: [{table}] has an unknown key {name} ({hint}).")


_TOML_KINDS = {
    int: "an integer",
    float: "a number",
    str: "a string",
    bool: "true or false",
    list: "an array",
}


#: The largest config.toml papershelf reads (a real one is a few KB).
CONFIG_MAX_BYTES = 1024 * 1024


def read_toml(path: Path) -> dict[str, Any] | None:
    """A TOML file's tables, None when there is no such file. Only a regular file of at most
    CONFIG_MAX_BYTES is read (a committed link to /dev/zero is refused, not read until memory
    runs out); WorkspaceError naming the file when it cannot be read or parsed."""
    try:
        data = read_regular(path, CONFIG_MAX_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WorkspaceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return parse_toml(path, data)


def parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    """The tables of TOML `data` (read from `path`); WorkspaceError naming the file if broken."""
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path}: not valid TOML ({exc})") from None


def load_config(root: Path) -> dict[str, Any]:
    """Read `<root>/.papershelf/config.toml` ({} when absent); a broken file is a WorkspaceError."""
    return read_toml(root / STATE_DIRNAME / CONFIG_NAME) or {}


def config_problem(root: Path, config: dict[str, Any]) -> str | None:
    """Why papershelf cannot run with `config` (a table that is no table, an unknown key, a
    value of the wrong type or range, in any table whose settings are known), or None."""
    from .gitsync import settings as _sync_settings  # noqa: F401  (registers the sync.* keys)

    where = root / STATE_DIRNAME / CONFIG_NAME
    for key in list(SETTINGS):
        try:
            setting_value(config, key, where)
        except WorkspaceError as exc:
            return exc.message
    return None
