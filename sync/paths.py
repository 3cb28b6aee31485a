"""Where per-machine state lives: the platform data directory, overridable for tests."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "papershelf"


def data_dir() -> Path:
    """Per-machine state (SQLite stores, token, default workspace); `PAPERSHELF_DATA_DIR` overrides."""
    override = os.environ.get("PAPERSHELF_DATA_DIR")
    path = (
        Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def machine_config_path() -> Path:
    """The per-machine settings file (which workspace to use): `<data_dir>/machine.toml`."""
    return data_dir() / "machine.toml"
