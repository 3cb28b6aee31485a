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
    maximum: float | None = None

    def coerce(self, value: Any) -> Any:
        """Check a configured value against the setting's type; raise ValueError when it is wrong."""
        expected = self.type
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        # nan, inf or out of range is a mistake (a pull interval of 0 fetched from the remote
        # in a tight loop; a quiet period of inf never committed; one of 1e12 overflowed the
        # daemon thread's Condition.wait and killed it).
        if (self.minimum is not None or self.maximum is not None) and _is_number(value):
            low = -math.inf if self.minimum is None else self.minimum
            high = math.inf if self.maximum is None else self.maximum
            if not (math.isfinite(value) and low <= value <= high):
                raise ValueError(f"{self.key} must be {self._range_text()}")
        if expected is list:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{self.key} must be a list of strings")
            return list(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise ValueError(f"{self.key} must be of type {expected.__name__}")
        return value

    def _range_text(self) -> str:
        if self.maximum is None:
            return f"a number of at least {self.minimum:g}"
        if self.minimum is None:
            return f"a number of at most {self.maximum:g}"
        return f"a number from {self.minimum:g} to {self.maximum:g}"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: Every setting any part defines, by dotted key. Parts call `define` at import time.
SETTINGS: dict[str, Setting] = {}


def define(
    key: str,
    default: Any,
    help: str,
    type_: type | None = None,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Setting:
    """Register a setting (idempotent for the same definition) and return it."""
    setting = Setting(
        key=key,
        default=default,
        help=help,
        type=type_ or type(default),
        minimum=minimum,
        maximum=maximum,
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
