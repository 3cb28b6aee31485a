"""The add path's learning cost: what a first add pays, and what later adds pay (issue 13).

An add into a 50,000-entry list must stay at p99 <= 50 ms, with what was learned of the list kept
per file state; an add into a 1,000-entry list (most real lists) at <= 5 ms once learned.
Each figure has its floor beside it: the same file's bare durable rewrite.
"""

from __future__ import annotations

import itertools
import os
import statistics
import time
from pathlib import Path

import pytest
from benchmarks.floors import durable_rewrite_seconds
from benchmarks.listgen import generate_list

from papershelf.server.serving import keep_big_buffers
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.insert import add_paper
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import open_workspace

ROUNDS = 200


@pytest.fixture(scope="module", autouse=True)
def _tuned_like_serve() -> None:
    keep_big_buffers()


def _papers():
    for n in itertools.count():
        yield Paper(
            arxiv_id=f"2611.{n:05d}",
            title=f"Benchmark paper {n} on careful insertion",
            authors=("Ada Lovelace", "Alan Turing", "Grace Hopper"),
            published="2026-11-02",
        )


@pytest.mark.timeout(1800)
@pytest.mark.parametrize(
    ("style", "entries"),
    [
        ("link_date", 1_000),
        ("bold_arxiv", 1_000),
        ("link_date", 50_000),
        ("bold_arxiv", 50_000),
        ("table", 50_000),
    ],
)
def test_adds_after_the_first_pay_no_learning(tmp_path: Path, style: str, entries: int) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    path = root / "list.md"
    path.write_bytes(generate_list(style, entries, seed=11))
    workspace = open_workspace(root)
    index = WorkspaceIndex.build(workspace)
    from papershelf.sync.listmodel import parse_list

    doc = parse_list(path.read_bytes())
    section = doc.sections_with_entries()[len(doc.sections_with_entries()) // 2].address
    papers = _papers()
    start = time.perf_counter()
    add_paper(workspace, next(papers), "list.md", section, index=index)
    first = time.perf_counter() - start
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        result = add_paper(workspace, next(papers), "list.md", section, index=index)
        times.append(time.perf_counter() - start)
        assert result.status == "added"
    floor = [durable_rewrite_seconds(path) for _ in range(20)]
    times.sort()
    p50, p99 = statistics.median(times), times[int(0.99 * len(times)) - 1]
    print(
        f"\n{style} {entries} entries ({path.stat().st_size / 1e6:.1f} MB): first add "
        f"{first * 1e3:.1f} ms; next {ROUNDS}: p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms; "
        f"durable rewrite p50 {statistics.median(floor) * 1e3:.1f} ms; load {os.getloadavg()[0]:.1f}"
    )
