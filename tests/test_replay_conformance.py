"""Real additions from real list histories, replayed through `papershelf add` (a sample).

Conformance: this reads `../shared` (the histories of eleven public lists and the replay tool
that scores papershelf against them) and skips when it is not there. The full replay is a
benchmark (`tests/benchmarks/test_bench_replay.py`); docs/list-formats.md has its figures.
"""

from __future__ import annotations

import pytest
import replay_support

pytestmark = pytest.mark.skipif(
    not replay_support.available(),
    reason="../shared/tools/replay and ../shared/histories are not beside the project",
)

#: Cases per series: about 60 over the nine series with replayable additions.
PER_SERIES = 7


@pytest.fixture(scope="module")
def replayed() -> dict:
    chosen = replay_support.cases(PER_SERIES)
    results = [replay_support.run(case) for case in chosen]
    failures = [
        (case["series"], case["rev"], result.get("why"))
        for case, result in zip(chosen, results, strict=True)
        if not result.get("ok")
    ]
    return {"tally": replay_support.tally(chosen, results), "failures": failures}


def test_every_case_runs_and_changes_nothing_but_the_new_lines(replayed) -> None:
    total = replayed["tally"]["all"]
    assert total["n"] >= 55
    assert total["ok"] == total["n"], replayed["failures"]
    assert total["untouched"] == total["ok"]


def test_most_entries_land_where_the_curator_put_them(replayed) -> None:
    total = replayed["tally"]["all"]
    # The full replay places 89.8% (docs/list-formats.md); a sample varies around it.
    assert total["placed"] >= 0.8 * total["n"]


def test_most_entries_are_written_as_the_curator_wrote_them(replayed) -> None:
    total = replayed["tally"]["all"]
    # Full replay: loose 90.5%, exact 86.6%. The sample weighs every series alike, and three of
    # the nine are one generated list whose entries carry a per-paper star and citation count.
    assert total["loose"] >= 0.75 * total["n"]
    assert total["exact"] >= 0.65 * total["n"]


@pytest.mark.parametrize(
    ("series", "floor"),
    [
        ("paper-jam/training_pipeline", 0.85),
        ("Awesome-Code-LLM/README", 0.85),
        ("Awesome-Diffusion-Models/README", 0.85),
        ("awesome-RLHF/README", 0.85),
    ],
)
def test_each_style_is_learned_not_defaulted(replayed, series: str, floor: float) -> None:
    """Lists in four different shapes each get entries in their own shape (loose match)."""
    row = replayed["tally"][series]
    assert row["loose"] >= floor * row["n"], dict(row)
