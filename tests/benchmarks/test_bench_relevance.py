"""Relevance at size: a whole poll against feedparser, /api/suggest right after a clip, model memory.

On a 50,000-entry workspace built from the real seed lists with distinct titles (`seedgen`), four
lists. Run: `.venv/bin/pytest tests/benchmarks/test_bench_relevance.py -s` (figures in
docs/performance.md, "Relevance"). Each figure is printed with the machine's load.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from benchmarks.seedgen import seed_workspace, seeds_present
from benchmarks.test_bench_feeds import make_feed

REPO_ROOT = Path(__file__).resolve().parents[2]
N_ENTRIES = int(os.environ.get("PAPERSHELF_BENCH_ENTRIES", "50000"))
N_ITEMS = 2_000
SUGGEST_ROUNDS = 40
TOKEN_HEADER = "X-Papershelf-Token"

pytestmark = [
    pytest.mark.timeout(3600),
    pytest.mark.skipif(not seeds_present(), reason="../shared/seeds absent"),
]


def load() -> str:
    """The 1-minute load average, as `uptime` says it."""
    return f"load {os.getloadavg()[0]:.2f}"


@pytest.fixture(scope="module")
def workspace() -> Path:
    return seed_workspace(Path(tempfile.mkdtemp(prefix="bench-relevance-")) / "ws", N_ENTRIES)


@pytest.fixture(scope="module")
def feed_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("feed") / "feed.xml"
    path.write_bytes(make_feed(N_ITEMS))
    return path


def _env(data_dir: Path) -> dict[str, str]:
    env = {**os.environ, "PAPERSHELF_DATA_DIR": str(data_dir), "NO_PROXY": "127.0.0.1"}
    env["PAPERSHELF_ARXIV_API_URL"] = "http://127.0.0.1:9/api/query"  # never the internet
    env.pop("PAPERSHELF_WORKSPACE", None)
    return env


def _timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 0, done.stderr[-2000:]
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return elapsed, cpu


def _day_feed(directory: Path, day: int) -> Path:
    """Another day's 2,000 items: other words, other arXiv ids (a valid month each day)."""
    path = directory / f"feed-day{day}.xml"
    path.write_bytes(make_feed(N_ITEMS, seed=day).replace(b"2611.", b"27%02d." % day))
    return path


def test_whole_poll_against_feedparser(workspace: Path, feed_file: Path) -> None:
    """`papershelf poll --from-file` of 2,000 items against a process that only parses the same
    file with feedparser (run just before and just after it; the faster one is the reference).

    In order, in one data dir: a fresh one (every list parsed, both models fitted from zero); the
    same file again; three new days' feeds (the saved index and section ranker read, the relevance
    model fitted from the last one's counts and weights with the day's items as background); the
    next day after a clip into one list (that list parsed again, the section ranker refitted)."""
    parse = [sys.executable, "-c", "import sys, feedparser; feedparser.parse(open(sys.argv[1], 'rb').read())"]  # fmt: skip
    data_dir = Path(tempfile.mkdtemp(prefix="bench-relevance-data-"))
    env = _env(data_dir)
    poll = [sys.executable, "-m", "papershelf.server.cli", "poll", "--workspace", str(workspace)]
    days = [_day_feed(feed_file.parent, day) for day in (1, 2, 3, 4)]
    runs = [("fresh data dir", feed_file), ("the same file again", feed_file)]
    runs += [(f"a new day ({k})", path) for k, path in enumerate(days[:3], 1)]
    runs += [("a new day after a clip", days[3])]
    warm: list[float] = []
    for what, path in runs:
        if what.endswith("after a clip"):
            with (workspace / "list0.md").open("a", encoding="utf-8") as f:
                f.write(
                    "- [Clipped: routing in mixture-of-experts](https://arxiv.org/abs/2612.99999)\n"
                )
        before = _timed([*parse, str(path)], env)
        polled = _timed([*poll, "--from-file", str(path)], env)
        after = _timed([*parse, str(path)], env)
        reference = min(before, after)
        ratio = polled[0] / reference[0]
        if what.startswith(("the same", "a new day (")):
            warm.append(ratio)
        print(
            f"\nwhole poll ({what}) {polled[0]:.2f} s (cpu {polled[1]:.2f} s), feedparser alone "
            f"{reference[0]:.2f} s (cpu {reference[1]:.2f} s), ratio {ratio:.2f} "
            f"(cpu {polled[1] / reference[1]:.2f}; {load()})"
        )
    print(
        f"warm polls: ratio {min(warm):.2f}-{max(warm):.2f}, median {statistics.median(warm):.2f}"
    )


@pytest.fixture(scope="module")
def server(workspace: Path):
    """`papershelf serve --no-sync --no-feeds` on the workspace; yields (url, token)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    data_dir = Path(tempfile.mkdtemp(prefix="bench-relevance-serve-"))
    log = (data_dir / "serve.log").open("wb")
    argv = [sys.executable, "-m", "papershelf.server.cli", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        [*argv, "--no-sync", "--no-feeds", "--workspace", str(workspace)],
        cwd=REPO_ROOT,
        env=_env(data_dir),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/api/ping", timeout=2).ok:
                break
        assert proc.poll() is None and time.monotonic() < deadline, "serve did not come up"
        time.sleep(0.2)
    yield url, (data_dir / "token").read_text().strip()
    proc.terminate()
    proc.wait(10)


def test_suggest_right_after_a_clip(server, workspace: Path) -> None:
    """Each round clips a paper into a list (the lists change) and at once asks /api/suggest."""
    url, token = server
    session = requests.Session()
    session.trust_env = False
    session.headers[TOKEN_HEADER] = token
    query = {"title": "Scaling laws for mixture-of-experts language model pretraining"}
    started = time.perf_counter()
    first = session.get(f"{url}/api/suggest", params=query, timeout=900)
    assert first.status_code == 200 and first.json()
    print(f"\nfirst /api/suggest (the first fit) {time.perf_counter() - started:.1f} s ({load()})")
    from papershelf.sync.listmodel import parse_list

    doc = parse_list((workspace / "list0.md").read_bytes())
    section = next(s.address for s in doc.sections if s.entries and s.address)
    latencies, clips = [], []
    for n in range(SUGGEST_ROUNDS):
        body = {
            "arxiv_id": f"2612.{n:05d}",
            "title": f"Benchmark clip {n}: mixture-of-experts routing at scale",
            "list": "list0.md",
            "section": section,
        }
        t0 = time.perf_counter()
        assert session.post(f"{url}/api/papers", json=body, timeout=300).status_code == 201
        t1 = time.perf_counter()
        answer = session.get(f"{url}/api/suggest", params=query, timeout=300)
        latencies.append(time.perf_counter() - t1)
        clips.append(t1 - t0)
        assert answer.status_code == 200 and answer.json()
    latencies.sort()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(0.99 * (len(latencies) - 1))]
    print(
        f"/api/suggest right after a clip: p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, "
        f"max {latencies[-1] * 1000:.0f} ms over {SUGGEST_ROUNDS} clips "
        f"(clip p50 {sorted(clips)[len(clips) // 2] * 1000:.0f} ms; {load()})"
    )


def test_fitted_model_memory(workspace: Path) -> None:
    """The fitted models' size (pickled) and the process's resident memory before and after."""
    from papershelf.feeds.poll import Poller
    from papershelf.feeds.store import CandidateStore
    from papershelf.sync.workspace import open_workspace

    def rss_mb() -> float:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    data_dir = Path(tempfile.mkdtemp(prefix="bench-relevance-mem-"))
    ws = open_workspace(workspace)
    poller = Poller(ws, store=CandidateStore(data_dir / "c.sqlite3", workspace=str(ws.root)))
    before = rss_mb()
    started = time.perf_counter()
    fitted = poller.current_models()
    fit_seconds = time.perf_counter() - started
    after = rss_mb()
    ranker_mb = len(pickle.dumps(fitted.ranker)) / 2**20
    relevance_mb = len(pickle.dumps(fitted.relevance)) / 2**20
    print(
        f"\nmodels of {len(poller.index)} entries fitted in {fit_seconds:.1f} s: section ranker "
        f"{ranker_mb:.1f} MB, relevance {relevance_mb:.1f} MB pickled; resident memory "
        f"{before:.0f} MB with the index, {after:.0f} MB after the fit ({load()})"
    )
