"""File-system helpers for tests: a folder nobody may write, even root."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[Path]:
    """`folder` made unwritable while inside: chmod for a user; for root (whom chmod does not
    stop) chattr +i, or the test skips where that is unavailable."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed: no way to make a folder unwritable for root")
    made = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("chattr +i is not supported here (file system or capability)")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def can_mount_tmpfs(tmp_path: Path) -> bool:
    """Whether this machine lets us mount a tmpfs in a private mount namespace (`unshare -rm`)."""
    if shutil.which("unshare") is None:
        return False
    target = tmp_path / "probe"
    target.mkdir()
    probe = subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"mount -t tmpfs -o size=64k tmpfs {target}"],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode == 0


def fill(folder: Path) -> None:
    """Write into `folder` until its disk is full."""
    with (folder / "filler").open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == 28, exc  # ENOSPC
