"""Clip latency (p50/p99) and throughput of a real `papershelf serve` on a 50,000-entry list.

Beside each clip figure, the same measure of a bare route on the same server (`GET /api/ping`:
routing, Host/Origin checks and JSON, no list work) gives the ratio. Run:
`.venv/bin/pytest tests/benchmarks/test_bench_server.py -s` (figures in docs/performance.md).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from benchmarks.floors import durable_rewrite_seconds
from benchmarks.listgen import generate_list
from polling import free_port

from papershelf.sync.listmodel import parse_list

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The issue's list size; PAPERSHELF_BENCH_ENTRIES=5000 measures a list of a more usual size.
N_ENTRIES = int(os.environ.get("PAPERSHELF_BENCH_ENTRIES", "50000"))
#: The list style (tests/benchmarks/listgen.py); PAPERSHELF_BENCH_STYLE=bold_arxiv measures another.
STYLE = os.environ.get("PAPERSHELF_BENCH_STYLE", "link_date")
#: The server process is pinned to two cores (the issue's "throughput on 2 cores").
SERVER_CPUS = {0, 1}
THROUGHPUT_CLIENTS = 8
#: Enough added clips for a p99 that is not just the maximum.
THROUGHPUT_CLIPS = 200
ADDED_ROUNDS = 200

# Indexing the 50,000-entry list at start-up alone takes tens of seconds on a busy VM.
pytestmark = pytest.mark.timeout(1800)
TOKEN_HEADER = "X-Papershelf-Token"


def _pin_to_cores() -> None:
    cpus = SERVER_CPUS & os.sched_getaffinity(0) or os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)


@pytest.fixture(scope="module")
def server():
    """A serve subprocess on a workspace holding one 50,000-entry list; yields (url, token, section)."""
    tmp = Path(tempfile.mkdtemp(prefix="bench-server-"))
    data_dir, root = tmp / "data", tmp / "ws"
    (root / ".papershelf").mkdir(parents=True)
    data = generate_list(STYLE, N_ENTRIES, seed=3)
    (root / "big.md").write_bytes(data)
    sections = [s for s in parse_list(data).sections if s.entries]
    section = sections[len(sections) // 2].address
    port = free_port()
    env = {**os.environ, "PAPERSHELF_DATA_DIR": str(data_dir), "NO_PROXY": "127.0.0.1"}
    env.pop("PAPERSHELF_WORKSPACE", None)
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "papershelf.server.cli",
            "serve",
            "--port",
            str(port),
            "--no-sync",
            "--no-feeds",
            "--workspace",
            str(root),
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=_pin_to_cores,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # indexing 50,000 entries takes a while on a busy VM
    while True:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/api/ping", timeout=2).ok:
                break
        assert proc.poll() is None, (tmp / "serve.log").read_text()
        assert time.monotonic() < deadline, "serve did not come up"
        time.sleep(0.2)
    token = (data_dir / "token").read_text().strip()
    yield url, token, section, root / "big.md"
    proc.terminate()
    proc.wait(10)


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.headers[TOKEN_HEADER] = token
    return session


_counter = itertools.count()


def _new_clip(section: str) -> dict:
    n = next(_counter)
    return {
        "arxiv_id": f"2612.{n:05d}",
        "title": f"Benchmark clip {n} on careful insertion",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "published": "2026-11-22",
        "list": "big.md",
        "section": section,
    }


def _percentiles(benchmark) -> dict[str, float]:
    data = sorted(benchmark.stats.stats.data)
    pick = lambda q: data[min(len(data) - 1, int(round(q * (len(data) - 1))))]  # noqa: E731
    figures = {"p50_ms": pick(0.50) * 1000, "p99_ms": pick(0.99) * 1000, "max_ms": data[-1] * 1000}
    benchmark.extra_info.update({k: round(v, 2) for k, v in figures.items()})
    print(f"\n{benchmark.name}: " + ", ".join(f"{k} {v:.1f}" for k, v in figures.items()))
    return figures


def test_clip_latency_added(benchmark, server) -> None:
    url, token, section, path = server
    session = _session(token)

    def clip(body: dict) -> int:
        return session.post(f"{url}/api/papers", json=body, timeout=900).status_code

    statuses = []
    benchmark.pedantic(
        lambda body: statuses.append(clip(body)),
        setup=lambda: ((_new_clip(section),), {}),
        rounds=ADDED_ROUNDS,
        warmup_rounds=1,
        iterations=1,
    )
    assert set(statuses) == {201}
    _percentiles(benchmark)
    assert parse_list(path.read_bytes()).render() == path.read_bytes()


def test_clip_latency_exists(benchmark, server) -> None:
    url, token, section, _ = server
    session = _session(token)
    body = _new_clip(section)
    assert session.post(f"{url}/api/papers", json=body, timeout=900).status_code == 201
    result = benchmark.pedantic(
        lambda: session.post(f"{url}/api/papers", json=body, timeout=60).status_code,
        rounds=300,
        warmup_rounds=5,
        iterations=1,
    )
    assert result == 200
    _percentiles(benchmark)


def test_bare_route_latency(benchmark, server) -> None:
    url, token, _, _ = server
    session = _session(token)
    result = benchmark.pedantic(
        lambda: session.get(f"{url}/api/ping", timeout=10).status_code,
        rounds=300,
        warmup_rounds=5,
        iterations=1,
    )
    assert result == 200
    _percentiles(benchmark)


def _throughput(make_request, n_requests: int) -> float:
    local = threading.local()

    def one(_: int) -> int:
        return make_request(local)

    started = time.perf_counter()
    with ThreadPoolExecutor(THROUGHPUT_CLIENTS) as pool:
        codes = list(pool.map(one, range(n_requests)))
    elapsed = time.perf_counter() - started
    assert all(200 <= c < 300 for c in codes), sorted(set(codes))
    return n_requests / elapsed


def test_throughput_clips_vs_bare_route(benchmark, server) -> None:
    url, token, section, path = server

    def clip(local) -> int:
        if not hasattr(local, "s"):
            local.s = _session(token)
        return local.s.post(f"{url}/api/papers", json=_new_clip(section), timeout=900).status_code

    def ping(local) -> int:
        if not hasattr(local, "s"):
            local.s = _session(token)
        return local.s.get(f"{url}/api/ping", timeout=30).status_code

    clips_per_second = benchmark.pedantic(
        _throughput, args=(clip, THROUGHPUT_CLIPS), rounds=1, iterations=1
    )
    pings_per_second = _throughput(ping, 2_000)
    ratio = pings_per_second / clips_per_second
    benchmark.extra_info.update(
        clips_per_second=round(clips_per_second, 1),
        bare_requests_per_second=round(pings_per_second, 1),
        bare_over_clip=round(ratio, 1),
    )
    print(
        f"\nthroughput ({THROUGHPUT_CLIENTS} clients, server on {len(SERVER_CPUS)} cores): "
        f"{clips_per_second:.1f} clips/s, {pings_per_second:.0f} bare requests/s, ratio {ratio:.0f}"
    )
    assert path.read_bytes().count(b"Benchmark clip") >= THROUGHPUT_CLIPS


def test_durable_rewrite_reference(benchmark, server) -> None:
    """The reference of an added clip: read the list, write it anew to a temp file, fsync, rename
    over it and fsync the folder, as `papershelf.sync.atomic` does, without any list work."""
    _, _, _, path = server
    benchmark.pedantic(
        durable_rewrite_seconds, args=(path,), rounds=ADDED_ROUNDS, warmup_rounds=1, iterations=1
    )
    _percentiles(benchmark)
