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


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "3m") -> Iterator[Path]:
    """`folder` as a tmpfs of `size` (a disk to fill); the test skips where mounting is not
    allowed (not root, or no such capability)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` to the last byte; the filler file (delete it to free)."""
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        except OSError:
            pass
    with contextlib.suppress(OSError), open(filler, "ab") as fh:
        while True:  # the last few bytes, one at a time
            fh.write(b"\0")
            fh.flush()
    return filler
