"""Start-up, memory and the CLI's own cost, each against a reference measured in the same run.

Rows of issue 18: `serve` start to first ping and idle memory on 100,000 entries in four lists
(reference: a naive id index of the same files), `serve --no-feeds` holding no ranking code,
`papershelf --help` and a small `add` cold (reference: `python -c pass`), `/api/lookup` with a
title (reference: the same lookup by URL). Run: `.venv/bin/pytest tests/benchmarks/
test_bench_startup.py -s`; figures in docs/performance.md, "Start-up and the CLI".
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from benchmarks.seedgen import seed_workspace, seeds_present

REPO_ROOT = Path(__file__).resolve().parents[2]
N_ENTRIES = int(os.environ.get("PAPERSHELF_BENCH_ENTRIES", "100000"))
TOKEN_HEADER = "X-Papershelf-Token"
NAIVE_INDEX = """
import re, sys
from pathlib import Path
ids = {}
for path in sorted(Path(sys.argv[1]).glob('*.md')):
    for n, line in enumerate(path.read_text('utf-8', 'replace').splitlines()):
        for found in re.findall(r'(\\d{4}\\.\\d{4,5})', line):
            ids.setdefault(found, []).append((path.name, n))
print(len(ids))
"""

pytestmark = [
    pytest.mark.timeout(3600),
    pytest.mark.skipif(not seeds_present(), reason="../shared/seeds absent"),
]


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def env_for(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PAPERSHELF_DATA_DIR": str(data_dir), "NO_PROXY": "127.0.0.1"}
    env["PAPERSHELF_ARXIV_API_URL"] = "http://127.0.0.1:9/api/query"
    env.pop("PAPERSHELF_WORKSPACE", None)
    return env


@pytest.fixture(scope="module")
def big_workspace() -> Path:
    return seed_workspace(Path(tempfile.mkdtemp(prefix="bench-start-")) / "ws", N_ENTRIES)


def _serve(workspace: Path, data_dir: Path, *extra: str) -> tuple[subprocess.Popen, str, float]:
    """Start serve; (process, URL, seconds from start to the first answered ping)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [sys.executable, "-m", "papershelf.server.cli", "serve", "--port", str(port), "--no-sync"]
    started = time.perf_counter()
    proc = subprocess.Popen(
        [*argv, *extra, "--workspace", str(workspace)],
        cwd=REPO_ROOT,
        env=env_for(data_dir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    while True:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/api/ping", timeout=1).ok:
                return proc, url, time.perf_counter() - started
        assert proc.poll() is None, "serve exited"
        time.sleep(0.02)


def test_serve_start_and_idle_memory(big_workspace: Path) -> None:
    """Start to first ping and idle memory: first start (parses, saves the index), restart
    (reads the saved index), against a naive id index of the same files."""
    started = time.perf_counter()
    naive = subprocess.Popen([sys.executable, "-c", NAIVE_INDEX, str(big_workspace)])
    naive.wait()
    naive_seconds = time.perf_counter() - started
    data_dir = Path(tempfile.mkdtemp(prefix="bench-start-data-"))
    for what in ("first start (index built and saved)", "restart (saved index)"):
        proc, _, seconds = _serve(big_workspace, data_dir, "--no-feeds")
        time.sleep(2.0)  # idle: the clip worker waits, nothing else runs
        memory = rss_mb(proc.pid)
        proc.terminate()
        proc.wait(10)
        print(
            f"\nserve {what}: first ping after {seconds:.2f} s, idle {memory:.0f} MB "
            f"(naive id index {naive_seconds:.2f} s; {load()})"
        )


def test_serve_without_feeds_holds_no_ranking_code(big_workspace: Path) -> None:
    """Idle memory with --no-feeds against the same server with the feeds on."""
    data_dir = Path(tempfile.mkdtemp(prefix="bench-start-feeds-"))
    first = _serve(big_workspace, data_dir, "--no-feeds")[0]  # saves the index
    first.terminate()
    first.wait(10)  # a second serve of a served workspace is refused
    for flags in (("--no-feeds",), ()):
        proc, _, seconds = _serve(big_workspace, data_dir, *flags)
        time.sleep(2.0)
        memory = rss_mb(proc.pid)
        proc.terminate()
        proc.wait(10)
        print(f"\nserve {' '.join(flags) or '(feeds on)'}: idle {memory:.0f} MB ({load()})")


def _cold(argv: list[str], env: dict[str, str], rounds: int = 5) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def test_cli_help_and_a_small_add(tmp_path: Path) -> None:
    """`papershelf --help` and `papershelf add` into a 20-entry list, against `python -c pass`."""
    root = tmp_path / "ws"
    (root / ".papershelf").mkdir(parents=True)
    lines = [f"- [Paper {n}](https://arxiv.org/abs/2401.{n:05d}), 2024.\n" for n in range(20)]
    (root / "small.md").write_text("# Small\n\n## Papers\n\n" + "".join(lines), encoding="utf-8")
    env = env_for(tmp_path / "data")
    python = _cold([sys.executable, "-c", "pass"], env)
    helps = _cold([sys.executable, "-m", "papershelf.server.cli", "--help"], env)
    counter = iter(range(100, 10_000))

    def add_argv() -> list[str]:
        n = next(counter)
        return [sys.executable, "-m", "papershelf.server.cli", "add", f"2402.{n:05d}", "--title",
                f"Added paper {n}", "--list", "small.md", "--section", "Small > Papers",
                "--workspace", str(root)]  # fmt: skip

    adds = []
    for _ in range(5):
        started = time.perf_counter()
        subprocess.run(add_argv(), cwd=REPO_ROOT, env=env, capture_output=True, check=True)
        adds.append(time.perf_counter() - started)
    add = statistics.median(adds)
    print(
        f"\npython -c pass {python:.3f} s; papershelf --help {helps:.3f} s ({helps / python:.1f}x);"
        f" papershelf add (20 entries) {add:.3f} s ({add / python:.1f}x) ({load()})"
    )


def test_lookup_with_a_title_over_http(big_workspace: Path) -> None:
    """`/api/lookup` with a title (as the popup sends it) against the same lookup by URL."""
    data_dir = Path(tempfile.mkdtemp(prefix="bench-start-lookup-"))
    proc, url, _ = _serve(big_workspace, data_dir, "--no-feeds")
    try:
        session = requests.Session()
        session.trust_env = False
        session.headers[TOKEN_HEADER] = (data_dir / "token").read_text().strip()
        page = "https://arxiv.org/abs/2604.99999"
        title = "Part 1.3: Scaling Laws for Reward Model Overoptimization, revisited"

        def timed(params: dict[str, str]) -> float:
            times = []
            for _ in range(200):
                started = time.perf_counter()
                assert session.get(f"{url}/api/lookup", params=params, timeout=30).ok
                times.append(time.perf_counter() - started)
            return statistics.median(times) * 1000

        by_url = timed({"url": page})
        with_title = timed({"url": page, "title": title})
        print(
            f"\n/api/lookup p50: by URL {by_url:.1f} ms, with a title {with_title:.1f} ms "
            f"({with_title / by_url:.1f}x; {load()})"
        )
    finally:
        proc.terminate()
        proc.wait(10)
