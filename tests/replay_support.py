"""Running the shared replay tool (`../shared/tools/replay`) in-process, through `papershelf add`.

The tool replays real additions from real list histories and scores them; it calls the
`papershelf` command. Here that command runs in this process (the same `main` a shell runs), so
a sample of cases takes seconds instead of a process start per case.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import random
import sys
import types
from collections import Counter
from typing import Any

from conftest import SHARED

REPLAY_DIR = SHARED / "tools" / "replay"
HISTORIES = SHARED / "histories"
MEASURES = ("ok", "untouched", "placed", "exact", "loose", "full")


def available() -> bool:
    """Whether the shared replay tool and histories are here (they live beside the project)."""
    return (REPLAY_DIR / "replay.py").is_file() and HISTORIES.is_dir()


def _tool() -> Any:
    if str(REPLAY_DIR) not in sys.path:
        sys.path.insert(0, str(REPLAY_DIR))
    return importlib.import_module("replay")  # the shared tool, found on its own path


def _papershelf(args: list[str], env: dict[str, str] | None = None, **_: Any) -> Any:
    """`subprocess.run(["papershelf", ...])` as the tool calls it, run in this process."""
    from papershelf.server.cli import main

    assert args[0] == "papershelf"
    out, err = io.StringIO(), io.StringIO()
    saved = dict(os.environ)
    os.environ.update(env or {})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(args[1:])
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return types.SimpleNamespace(returncode=code or 0, stdout=out.getvalue(), stderr=err.getvalue())


def cases(per_series: int | None = None, seed: int = 7) -> list[dict[str, Any]]:
    """The tool's cases (table rows and paragraphs included), `per_series` of each series."""
    found = _tool().cases(str(HISTORIES), True)
    if per_series is None:
        return found
    rng = random.Random(seed)
    by_series: dict[str, list] = {}
    for case in found:
        by_series.setdefault(case["series"], []).append(case)
    out = []
    for series in sorted(by_series):
        group = by_series[series]
        out += rng.sample(group, min(per_series, len(group)))
    return out


def run(case: dict[str, Any]) -> dict[str, Any]:
    """One case through `papershelf add`, scored by the tool."""
    replay = _tool()
    # The tool reaches `subprocess.run` through its module attribute; give it a stand-in module
    # rather than patching the real one, which every other test's git calls go through.
    real = replay.subprocess
    replay.subprocess = types.SimpleNamespace(**{**vars(real), "run": _papershelf})
    try:
        return replay.run_case(case)
    finally:
        replay.subprocess = real


def tally(chosen: list[dict[str, Any]], results: list[dict[str, Any]]) -> dict[str, Counter]:
    """Per series (and `all`): how many cases, and how many met each measure."""
    out: dict[str, Counter] = {"all": Counter()}
    for case, result in zip(chosen, results, strict=True):
        for key in ("all", case["series"]):
            row = out.setdefault(key, Counter())
            row["n"] += 1
            for measure in MEASURES:
                row[measure] += bool(result.get(measure))
    return out
