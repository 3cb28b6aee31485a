"""Where per-machine state lives: the platform data directory, overridable for tests."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import platformdirs

log = logging.getLogger(__name__)

APP_NAME = "papershelf"


def data_dir() -> Path:
    """Per-machine state (SQLite stores, token, default workspace); `PAPERSHELF_DATA_DIR` overrides.

    Made readable by its owner only (0700). The platform's folder is papershelf's alone, so one
    left open by an older papershelf is closed; a folder named by `PAPERSHELF_DATA_DIR` may be
    shared with other things and keeps its mode (the token and the stores in it are 0600).
    """
    override = os.environ.get("PAPERSHELF_DATA_DIR")
    path = (
        Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    if not path.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir(mode=0o700, exist_ok=True)
    elif not override and stat.S_IMODE(path.stat().st_mode) & 0o077:
        log.warning("%s was readable by other users; made it 0700", path)
        os.chmod(path, 0o700)
    return path


def machine_config_path() -> Path:
    """The per-machine settings file (which workspace to use): `<data_dir>/machine.toml`."""
    return data_dir() / "machine.toml"
