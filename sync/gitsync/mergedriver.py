"""The git merge driver for list files: `python -m papershelf.sync.gitsync.mergedriver %O %A %B %P`.

git hands over three temp files (base, ours, theirs) and the path; the merged list replaces
%A and the exit status is 0. When the sides changed one entry two ways, %A keeps "ours" as it
was (never conflict markers), the conflicts go to stderr, and the exit status is 1, so git
reports the path as conflicted (papershelf then aborts its rebase and reports the conflict).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from pathlib import Path

from .merge import merge_lists


def _replace(path: Path, data: bytes) -> None:
    """Replace `path` with `data` by a rename, so git never reads half a file.

    No fsync: `path` is git's temporary copy, which git reads back and deletes as soon as the
    driver exits (a crash loses the whole merge anyway, and git starts it again).
    """
    tmp = path.with_name(f"{path.name}.papershelf-{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        with contextlib.suppress(FileNotFoundError):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def merge_files(base: Path, ours: Path, theirs: Path, name: str = "") -> list[str]:
    """Merge the three files into `ours`; the conflicts (nothing written when there are any)."""
    result = merge_lists(base.read_bytes(), ours.read_bytes(), theirs.read_bytes())
    if result.data is None:
        return result.conflicts or [f"{name or ours}: cannot merge"]
    _replace(ours, result.data)
    return []


def main(argv: list[str] | None = None) -> int:
    """Run as git's merge driver; 0 merged, 1 conflict, 2 usage."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) not in (3, 4):
        print("usage: python -m papershelf.sync.gitsync.mergedriver BASE OURS THEIRS [PATH]", file=sys.stderr)
        return 2
    name = args[3] if len(args) == 4 else args[1]
    try:
        conflicts = merge_files(Path(args[0]), Path(args[1]), Path(args[2]), name)
    except OSError as exc:
        print(f"papershelf merge: {name}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a driver crash must read as a conflict, never as a merge
        print(f"papershelf merge: {name}: unexpected {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    for line in conflicts:
        print(f"papershelf merge: {name}: changed on both sides: {line}", file=sys.stderr)
    return 1 if conflicts else 0


if __name__ == "__main__":
    # A short-lived process that builds a few big lists of lines and then exits: the cyclic
    # garbage collector would only walk them again and again (about a tenth of the CPU).
    gc.disable()
    sys.exit(main())
