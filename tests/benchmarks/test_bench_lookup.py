"""Index and lookup speed on a 50,000-entry list: id lookup must stay under 1 ms.

Run: `.venv/bin/pytest tests/benchmarks/test_bench_lookup.py`. Figures: docs/performance.md,
section "Index and lookup".
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from benchmarks.listgen import STYLES, generate_list

from papershelf.sync.check import check_document
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.workspace import open_workspace

N_ENTRIES = 50_000
#: The budget of one lookup by id or URL, after indexing.
LOOKUP_BUDGET_S = 0.001


@pytest.fixture(scope="module", params=STYLES)
def big_index(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> WorkspaceIndex:
    """A workspace with one 50,000-entry list in each seed style, indexed."""
    root: Path = tmp_path_factory.mktemp(f"bench-{request.param}")
    (root / ".papershelf").mkdir()
    (root / "big.md").write_bytes(generate_list(request.param, N_ENTRIES, seed=1))
    index = WorkspaceIndex.build(open_workspace(root))
    # Every entry of every style is a paper, except blog entries styles cannot read yet.
    assert len(index) > N_ENTRIES * 0.7
    return index


@pytest.fixture(scope="module")
def queries(big_index: WorkspaceIndex) -> list[str]:
    """Ids of listed papers in the forms people paste: bare, versioned, abs, pdf, export."""
    rng = random.Random(7)
    sample = rng.sample(big_index.locations(), 500)
    ids = [key.split(":", 1)[1] for loc in sample if (key := loc.identity)]
    forms = [
        "{}",
        "{}v2",
        "https://arxiv.org/abs/{}",
        "https://arxiv.org/pdf/{}v1.pdf",
        "http://export.arxiv.org/abs/{}v3",
    ]
    return [forms[k % len(forms)].format(i) for k, i in enumerate(ids)]


def test_lookup_by_id_under_1ms(benchmark, big_index: WorkspaceIndex, queries: list[str]) -> None:
    """A lookup of each pasted form finds the entry; the median is far under the 1 ms budget."""
    state = {"k": 0}

    def one() -> list:
        state["k"] += 1
        return big_index.lookup(queries[state["k"] % len(queries)])

    hits = benchmark(one)
    assert hits and hits[0].list == "big.md"
    assert benchmark.stats.stats.median < LOOKUP_BUDGET_S
    for query in queries[:50]:
        assert big_index.lookup(query), query


def test_lookup_miss_under_1ms(benchmark, big_index: WorkspaceIndex) -> None:
    """A paper that is not listed: an empty answer, as fast."""
    rng = random.Random(3)
    misses = [
        f"https://arxiv.org/abs/19{rng.randint(1, 12):02d}.{rng.randint(0, 99999):05d}"
        for _ in range(500)
    ]
    state = {"k": 0}

    def one() -> list:
        state["k"] += 1
        return big_index.lookup(misses[state["k"] % len(misses)])

    assert benchmark(one) == []
    assert benchmark.stats.stats.median < LOOKUP_BUDGET_S


def test_lookup_uncached_worst_case(big_index: WorkspaceIndex) -> None:
    """Never-seen query strings (no identity cache hit): still under the budget per lookup."""
    rng = random.Random(11)
    sample = rng.sample(big_index.locations(), 2000)
    ids = [key.split(":", 1)[1] for loc in sample if (key := loc.identity)]
    fresh = [
        f"https://www.arxiv.org/pdf/{i}v{k % 9 + 1}?download={k}#page=2" for k, i in enumerate(ids)
    ]
    start = time.perf_counter()
    for query in fresh:
        assert big_index.lookup(query)
    per_lookup = (time.perf_counter() - start) / len(fresh)
    assert per_lookup < LOOKUP_BUDGET_S


def test_lookup_title_fuzzy(benchmark, big_index: WorkspaceIndex) -> None:
    """A fuzzy title lookup over 50,000 titles (a possible match, never 'exists')."""
    loc = big_index.locations()[12_345]
    query = (loc.title or "").lower() + " extra"
    found = benchmark(big_index.lookup_title, query)
    assert found and found[0][0].line == loc.line and found[0][1] < 1.0


def test_refresh_unchanged(benchmark, big_index: WorkspaceIndex) -> None:
    """Refreshing when nothing changed costs one stat per list."""
    before = len(big_index)
    benchmark(big_index.refresh)
    assert len(big_index) == before


@pytest.mark.parametrize("style", ["link_date", "bold_arxiv"])
def test_build_index(benchmark, tmp_path: Path, style: str) -> None:
    """Parsing and indexing a 50,000-entry list from disk (one round: it is slow)."""
    (tmp_path / ".papershelf").mkdir()
    (tmp_path / "big.md").write_bytes(generate_list(style, N_ENTRIES, seed=1))
    workspace = open_workspace(tmp_path)
    index = benchmark.pedantic(WorkspaceIndex.build, args=(workspace,), rounds=1, iterations=1)
    assert len(index) == N_ENTRIES


def test_check_document(benchmark, big_index: WorkspaceIndex) -> None:
    """`papershelf check` of the 50,000-entry list (parsed document, fields cached)."""
    doc = big_index.documents()["big.md"]
    findings = benchmark.pedantic(check_document, args=("big.md", doc), rounds=1, iterations=1)
    assert all(f.list == "big.md" for f in findings)


@pytest.mark.parametrize("style", ["link_date", "bold_arxiv"])
def test_refresh_after_a_persons_edit(benchmark, tmp_path: Path, style: str) -> None:
    """A person adds a line to the 50,000-entry list: re-parse, re-key only what changed."""
    import os

    (tmp_path / ".papershelf").mkdir()
    path = tmp_path / "big.md"
    path.write_bytes(generate_list(style, N_ENTRIES, seed=1))
    index = WorkspaceIndex.build(open_workspace(tmp_path))
    counter = iter(range(1_000_000))

    def edit() -> None:
        n = next(counter)
        data = path.read_bytes()
        middle = data.index(b"\n\n", len(data) // 2)
        path.write_bytes(
            data[:middle] + f"\n\nA note a person typed, {n}.".encode() + data[middle:]
        )
        st = path.stat()  # a coarse-mtime file system must still see a new stamp
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))

    benchmark.pedantic(index.refresh, setup=edit, rounds=5, iterations=1)
    assert len(index) == len(WorkspaceIndex.build(open_workspace(tmp_path)))
