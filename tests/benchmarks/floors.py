"""Floors measured beside the figures they bound: what any add costs with no list work at all."""

from __future__ import annotations

import os
import time
from pathlib import Path


def durable_rewrite_seconds(path: Path) -> float:
    """Seconds for one bare durable rewrite of `path`: read, write a temp file, fsync, rename
    over the file, fsync the folder (as `papershelf.sync.atomic` writes, without any list work)."""
    start = time.perf_counter()
    data = path.read_bytes()
    tmp = path.with_name(path.name + ".bench-tmp")
    with tmp.open("wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
    return time.perf_counter() - start
