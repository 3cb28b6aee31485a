"""The full replay of real additions from `../shared/histories` (issue 13's targets), timed.

`pytest tests/benchmarks/test_bench_replay.py -s` prints the per-series table that
docs/list-formats.md quotes. Skips when ../shared is not beside the project.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import replay_support  # noqa: E402

pytestmark = pytest.mark.skipif(not replay_support.available(), reason="../shared is not here")


@pytest.mark.timeout(3600)
def test_full_replay_of_real_additions() -> None:
    start = time.perf_counter()
    chosen = replay_support.cases()
    results = [replay_support.run(case) for case in chosen]
    seconds = time.perf_counter() - start
    tally = replay_support.tally(chosen, results)
    print(f"\n{len(chosen)} cases in {seconds:.0f} s")
    print("| series | cases | ran | untouched | placed | exact | loose | full |")
    print("|---|---|---|---|---|---|---|---|")
    for series, row in sorted(tally.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        cells = " | ".join(f"{row[m]} ({row[m] / row['n']:.1%})" for m in replay_support.MEASURES)
        print(f"| {series} | {row['n']} | {cells} |")
    total = tally["all"]
    assert total["ok"] == total["n"]
    assert total["untouched"] == total["ok"]
