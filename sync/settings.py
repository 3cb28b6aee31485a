"""The registry of workspace settings (`.papershelf/config.toml`); docs/configuration.md mirrors it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting: dotted key (`sync.quiet_seconds`), default, type and a one-line help."""

    key: str
    default: Any
    help: str
    type: type
    minimum: float | None = None

    def coerce(self, value: Any) -> Any:
        """Check a configured value against the setting's type; raise ValueError when it is wrong."""
        expected = self.type
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        # nan, inf or below the minimum is a mistake (a pull interval of 0 fetched from the
        # remote in a tight loop; a quiet period of inf never committed).
        if (
            self.minimum is not None
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and not (math.isfinite(value) and value >= self.minimum)
        ):
            raise ValueError(f"{self.key} must be a number of at least {self.minimum:g}")
        if expected is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{self.key} must be a list of strings")
            return list(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"{self.key} must be of type {expected.__name__}")
        return value


#: Every setting any part defines, by dotted key. Parts call `define` at import time.
SETTINGS: dict[str, Setting] = {}


def define(
    key: str,
    default: Any,
    help: str,
    type_: type | None = None,
    *,
    minimum: float | None = None,
) -> Setting:
    """Register a setting (idempotent for the same definition) and return it."""
    setting = Setting(
        key=key, default=default, help=help, type=type_ or type(default), minimum=minimum
    )
    existing = SETTINGS.get(key)
    if existing is not None and existing != setting:
        raise RuntimeError(f"setting {key} defined twice differently")
    SETTINGS[key] = setting
    return setting


LISTS_INCLUDE = define(
    "lists.include",
    ["**/*.md", "**/*.markdown"],
    "Glob patterns (relative to the workspace) of the markdown files that are lists.",
    list,
)
LISTS_EXCLUDE = define(
    "lists.exclude",
    ["node_modules/**", ".github/**", "CONTRIBUTING.md", "CODE_OF_CONDUCT.md", "LICENSE.md"],
    "Glob patterns of markdown files that are never lists.",
    list,
)
