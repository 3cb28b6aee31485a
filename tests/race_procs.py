"""Processes for the race tests: a person saving a list, and papershelf clipping into it.

`python race_procs.py editor PATH MODE COUNT TAG [PAUSE_SECONDS] [GAP_MS]` saves COUNT times,
each time reading the list, adding one line under `## Tools` and saving it:
- `rename`: into a temp file renamed over the list (vim, most editors);
- `inplace`: truncating the list and writing it in two halves (nano, VS Code), PAUSE_SECONDS
  between the halves.
`python race_procs.py clip ROOT LIST SECTION FIRST COUNT` adds COUNT papers through
`papershelf.sync.insert.add_paper`, as the server does for each clip.
Each prints one JSON line at its end: what it wrote (save numbers, or arXiv ids acknowledged).
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time

MARKER = b"## Tools\n\n"


def line_of(tag: str, n: int) -> bytes:
    """The line save `n` of writer `tag` adds."""
    return f"- [Human {tag} {n}](https://example.org/{tag}/{n}), Jan. 1 2024.\n".encode()


def arxiv_id(n: int) -> str:
    """The arXiv id of the `n`th clipped paper."""
    return f"2501.{n:05d}"


def save(path: str, mode: str, new: bytes, pause: float) -> None:
    """Save `new` over `path` the way an editor of kind `mode` does."""
    if mode == "rename":
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".human.", suffix=".tmp")
        os.write(fd, new)
        os.close(fd)
        os.replace(tmp, path)
        return
    with open(path, "r+b") as fh:
        fh.truncate(0)
        half = len(new) // 2
        fh.write(new[:half])
        fh.flush()
        if pause:
            time.sleep(pause)
        fh.write(new[half:])
        fh.flush()


def editor(path: str, mode: str, count: str, tag: str, pause="0", gap_ms="10") -> dict:
    """Save `count` times; the save numbers written."""
    written: list[int] = []
    for n in range(int(count)):
        with open(path, "rb") as fh:
            data = fh.read()
        at = data.find(MARKER) + len(MARKER)
        save(path, mode, data[:at] + line_of(tag, n) + data[at:], float(pause))
        written.append(n)
        time.sleep(random.uniform(0, 2 * float(gap_ms)) / 1000)
    return {"written": written}


def clip(root: str, list_path: str, section: str, first: str, count: str) -> dict:
    """Add `count` papers one after another; the ids acknowledged, and errors by kind."""
    from papershelf.sync.errors import PapershelfError
    from papershelf.sync.insert import add_paper
    from papershelf.sync.paper import Paper
    from papershelf.sync.workspace import open_workspace

    workspace = open_workspace(root)
    added: list[str] = []
    errors: dict[str, int] = {}
    for n in range(int(first), int(first) + int(count)):
        paper = Paper(arxiv_id=arxiv_id(n), title=f"Clipped paper {n}", published="2025-01-02")
        try:
            add_paper(workspace, paper, list_path, section)
            added.append(arxiv_id(n))
        except PapershelfError as exc:
            key = type(exc).__name__
            errors[key] = errors.get(key, 0) + 1
    return {"added": added, "errors": errors}


if __name__ == "__main__":
    kind, args = sys.argv[1], sys.argv[2:]
    out = editor(*args) if kind == "editor" else clip(*args)
    print(json.dumps(out), flush=True)
