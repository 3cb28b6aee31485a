"""What a build of the package reads and makes, for the packaging tests: a copy of the source,
and a wheel built from it offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO_ROOT

# papershelf/ (the version) and the folders pyproject.toml's package-dir installs under it.
PACKAGE_FOLDERS = ("papershelf", "sync", "server", "feeds")


def copy_source(dest: Path) -> Path:
    """The package folders, pyproject.toml and README.md copied into `dest` (no caches); `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PACKAGE_FOLDERS:
        shutil.copytree(REPO_ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO_ROOT / name, dest / name)
    return dest


def build_wheel(work: Path) -> Path:
    """The wheel `pip install .` would install, built offline (no index, no build isolation:
    setuptools from the test extra) from a copy of the source under `work`; its path."""
    source = copy_source(work / "src")
    out = work / "dist"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--no-build-isolation"]
        + ["--quiet", "--wheel-dir", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = out.glob("papershelf-*.whl")
    return wheel
