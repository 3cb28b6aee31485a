"""Feed ingest speed: a 2,000-item arXiv feed ingested and ranked against a 50,000-entry workspace.

Run: `.venv/bin/pytest tests/benchmarks/test_bench_feeds.py`. Figures: docs/performance.md, "Feeds".
The baseline is feedparser alone on the same bytes; the budget is 3 s for the whole ingest
(parse, drop listed and decided, rank every item against every section, store the candidates).
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from xml.sax.saxutils import escape

import feedparser
import pytest
from benchmarks.listgen import generate_list

from papershelf.feeds.parse import parse_feed
from papershelf.feeds.poll import Poller
from papershelf.feeds.store import CandidateStore
from papershelf.sync.workspace import open_workspace

pytestmark = pytest.mark.timeout(1800)  # indexing 50,000 entries on a loaded VM takes minutes

N_ITEMS = 2_000
N_ENTRIES = 50_000
INGEST_BUDGET_SECONDS = 3.0
_STYLES = ("link_date", "bold_arxiv", "plain", "table", "link_date")
_TYPES = ["new"] * 6 + ["cross"] * 2 + ["replace", "replace-cross"]
_WORDS = [
    "sparse",
    "attention",
    "scaling",
    "laws",
    "tokens",
    "curriculum",
    "distillation",
    "preference",
    "reward",
    "policy",
    "gradient",
    "mixture",
    "experts",
    "routing",
    "adapters",
    "low-rank",
    "quantized",
    "optimizer",
    "warmup",
    "schedule",
    "batch",
    "momentum",
    "alignment",
    "feedback",
    "retrieval",
    "reasoning",
    "chain",
    "thought",
    "agents",
    "planning",
    "vision",
    "speech",
    "graphs",
    "molecules",
    "proteins",
    "robots",
    "control",
    "privacy",
    "fairness",
    "robustness",
    "calibration",
    "benchmark",
    "dataset",
    "evaluation",
    "transformer",
    "recurrent",
    "diffusion",
    "contrastive",
    "pretraining",
    "finetuning",
]


def make_feed(n_items: int, seed: int = 0) -> bytes:
    """An arXiv RSS feed of `n_items` items shaped like rss.arxiv.org's (announce types mixed)."""
    rng = random.Random(seed)
    items = []
    for k in range(n_items):
        arxiv_id = f"2611.{20000 + k:05d}"
        kind = rng.choice(_TYPES)
        version = 1 if kind in ("new", "cross") else rng.randint(2, 4)
        title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(6, 12))).capitalize()
        abstract = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(90, 160))).capitalize()
        authors = ", ".join(
            f"Author{rng.randint(1, 9999)} Name{rng.randint(1, 999)}"
            for _ in range(rng.randint(1, 8))
        )
        cats = "".join(
            f"      <category>{c}</category>\n"
            for c in rng.sample(["cs.CL", "cs.LG", "cs.AI", "stat.ML"], 2)
        )
        items.append(
            "    <item>\n"
            f"      <title>{escape(title)}</title>\n"
            f"      <link>https://arxiv.org/abs/{arxiv_id}</link>\n"
            f"      <description>arXiv:{arxiv_id}v{version} Announce Type: {kind} \n"
            f"Abstract: {escape(abstract)}.</description>\n"
            f'      <guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v{version}</guid>\n'
            f"{cats}"
            "      <pubDate>Thu, 19 Nov 2026 00:00:00 -0500</pubDate>\n"
            f"      <arxiv:announce_type>{kind}</arxiv:announce_type>\n"
            "      <dc:rights>http://creativecommons.org/licenses/by/4.0/</dc:rights>\n"
            f"      <dc:creator>{escape(authors)}</dc:creator>\n"
            "    </item>\n"
        )
    head = (
        '<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0">\n  <channel>\n'
        "    <title>cs.CL updates on arXiv.org</title>\n    <link>http://rss.arxiv.org/rss/cs.CL</link>\n"
        "    <description>cs.CL updates on the arXiv.org e-print archive.</description>\n"
        "    <pubDate>Thu, 19 Nov 2026 00:00:00 -0500</pubDate>\n"
        "    <skipDays>\n      <day>Saturday</day>\n      <day>Sunday</day>\n    </skipDays>\n"
    )
    return (head + "".join(items) + "    </channel>\n</rss>\n").encode("utf-8")


@pytest.fixture(scope="module")
def feed_bytes() -> bytes:
    return make_feed(N_ITEMS)


@pytest.fixture(scope="module")
def big_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five lists of 10,000 entries each, in the seed styles."""
    root = tmp_path_factory.mktemp("bench-feeds")
    (root / ".papershelf").mkdir()
    (root / ".papershelf" / "config.toml").write_text(
        '[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = 0.0\n', encoding="utf-8"
    )
    for i, style in enumerate(_STYLES):
        (root / f"list{i}.md").write_bytes(generate_list(style, N_ENTRIES // len(_STYLES), seed=i))
    return root


@pytest.fixture(scope="module")
def poller(big_workspace: Path, tmp_path_factory: pytest.TempPathFactory) -> Poller:
    ws = open_workspace(big_workspace)
    store_dir = tmp_path_factory.mktemp("bench-store")
    poller = Poller(ws, store=CandidateStore(store_dir / "c.sqlite3", workspace=str(ws.root)))
    assert len(poller.index) >= N_ENTRIES * 0.9
    started = time.perf_counter()
    poller.ranker()
    print(f"\nranker fit on {len(poller.index)} entries: {time.perf_counter() - started:.2f} s")
    return poller


#: The issue's budget: 3 s where feedparser alone takes about 1 s on the same bytes.
BUDGET_RATIO = INGEST_BUDGET_SECONDS / 1.0
_BASELINE: dict[str, float] = {}


def test_feedparser_alone(benchmark, feed_bytes: bytes) -> None:
    parsed = benchmark.pedantic(feedparser.parse, args=(feed_bytes,), rounds=3, iterations=1)
    assert len(parsed.entries) == N_ITEMS
    _BASELINE["feedparser"] = benchmark.stats.stats.median


def test_ingest_and_rank_2000_items(benchmark, poller: Poller, feed_bytes: bytes) -> None:
    counter = iter(range(10_000))

    def ingest():
        # A fresh store each round so every round stores every candidate anew.
        poller.store = CandidateStore(
            poller.store.path.with_name(f"round{next(counter)}.sqlite3"),
            workspace=poller.store.workspace,
        )
        return poller.ingest("bench", parse_feed(feed_bytes))

    summary = benchmark.pedantic(ingest, rounds=3, iterations=1)
    assert summary.items == N_ITEMS
    assert summary.new + summary.weak == N_ITEMS - summary.dropped.get("replaced", 0)
    assert summary.new > N_ITEMS * 0.7
    ingest_seconds = benchmark.stats.stats.median
    baseline = _BASELINE.get("feedparser") or _time(lambda: feedparser.parse(feed_bytes))
    ratio = ingest_seconds / baseline
    print(f"\ningest {ingest_seconds:.2f} s, feedparser alone {baseline:.2f} s, ratio {ratio:.2f}")
    # On a quiet machine the budget is 3 s; on a shared one both figures stretch alike.
    assert ingest_seconds <= INGEST_BUDGET_SECONDS or ratio <= BUDGET_RATIO


def _time(func) -> float:
    started = time.perf_counter()
    func()
    return time.perf_counter() - started
