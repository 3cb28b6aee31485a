"""Polls learn: from decisions, from the listed papers' abstracts; a new list gets something."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES, FeedServer, Reply, Seen
from feeds_shapes import api_answer, arxiv_rss

from papershelf.feeds.arxiv_api import ArxivClient
from papershelf.feeds.decisions import accept, reject
from papershelf.feeds.knowledge import list_papers
from papershelf.feeds.poll import NEW_LIST_KEEP, Poller
from papershelf.feeds.store import CandidateStore
from papershelf.sync.workspace import Workspace, load_config

RETRIEVAL = [
    "Retrieval-augmented generation with dense passage indexes",
    "Retrieval augmented language models for open-domain question answering",
    "Chunking strategies for retrieval-augmented generation",
    "Reranking retrieved passages for grounded generation",
    "Query rewriting for retrieval-augmented language models",
    "Long context versus retrieval-augmented generation",
]
RETRIEVAL_LATER = [
    "Retrieval-augmented generation for code completion",
    "Adaptive retrieval for augmented generation in language models",
    "Evaluating faithfulness of retrieval-augmented answers",
    "Graph-based retrieval for augmented generation",
    "Multi-hop retrieval-augmented question answering",
    "Compressing retrieved documents for generation",
]
EXPLORATION = [
    "Intrinsic reward for exploration in Atari games",
    "Reward shaping for sparse-reward navigation",
    "Inverse reinforcement learning of reward functions from play",
    "Reward machines for multi-task agents",
    "Curiosity-driven reward for robot exploration",
    "Potential-based reward shaping revisited",
]
EXPLORATION_LATER = [
    "Reward shaping for multi-agent exploration",
    "Learning reward functions from demonstrations of play",
    "Dense reward design for robot manipulation",
    "Reward-free exploration in reinforcement learning",
    "Count-based exploration rewards in deep reinforcement learning",
    "Hierarchical reward decomposition for game agents",
]
OTHER = [
    "Graph neural networks for molecule property prediction",
    "Streaming speech recognition with transducers on device",
    "Sheaf cohomology of citation graphs",
    "A benchmark of table question answering",
    "Protein folding with equivariant transformers",
    "Robot grasping from tactile sensing",
    "Federated learning under differential privacy",
    "Image segmentation with diffusion priors",
    "Traffic forecasting with spatio-temporal graphs",
    "Music generation with hierarchical tokenizers",
    "Satellite imagery change detection",
    "Causal discovery from irregular time series",
]


def feed(titles: list[str], first_id: int) -> bytes:
    """An arXiv RSS feed of these titles (ids from 2604.<first_id>), abstracts their own titles."""
    return arxiv_rss([(f"2604.{first_id + k:05d}", t, t + ".") for k, t in enumerate(titles)])


def make_ws(root: Path, min_score: float = 0.0) -> Workspace:
    (root / ".papershelf").mkdir(parents=True)
    shutil.copyfile(FEED_FIXTURES / "lists" / "training.md", root / "training.md")
    (root / ".papershelf" / "config.toml").write_text(
        f'[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = {min_score}\n', encoding="utf-8"
    )
    return Workspace(root, load_config(root))


DAY2 = RETRIEVAL_LATER + EXPLORATION_LATER + OTHER[::-1]


def ranks(poller: Poller, titles: list[str]) -> float:
    """The mean rank (1 = best) of these titles among the second day's candidates."""
    order = [
        c.paper.title
        for c in poller.store.candidates(limit=1000)
        if c.identity.startswith("arxiv:2604.002")
    ]
    return sum(order.index(t) + 1 for t in titles) / len(titles)


def test_decisions_change_the_next_polls_order(tmp_path: Path) -> None:
    """Three accepts and four rejects on one day's candidates reorder the next day's."""
    day1, day2 = tmp_path / "day1.xml", tmp_path / "day2.xml"
    day1.write_bytes(feed(RETRIEVAL + EXPLORATION + OTHER, 100))
    day2.write_bytes(feed(DAY2, 200))
    pollers = {}
    for name in ("taught", "control"):
        ws = make_ws(tmp_path / name)
        store = CandidateStore(tmp_path / f"{name}.sqlite3", workspace=str(ws.root))
        pollers[name] = Poller(ws, store=store)
        pollers[name].poll_file(day1)
    taught = pollers["taught"]
    by_title = {c.paper.title: c for c in taught.store.candidates(limit=1000)}
    for title in RETRIEVAL[:3]:
        accept(
            taught.workspace,
            taught.store,
            by_title[title].id,
            list_path="training.md",
            section="Training notes > Surveys",
            index=taught.index,
        )
    for title in EXPLORATION[:4]:
        reject(taught.workspace, taught.store, by_title[title].id)
    for poller in pollers.values():
        poller.poll_file(day2)
    control, taught = pollers["control"], pollers["taught"]
    assert ranks(taught, RETRIEVAL_LATER) < ranks(control, RETRIEVAL_LATER) - 5
    assert ranks(taught, EXPLORATION_LATER) > ranks(control, EXPLORATION_LATER) + 5
    # The accepted papers are the list's papers now: the why of a retrieval paper names them.
    top = next(c for c in taught.store.candidates(limit=1000) if c.paper.title in RETRIEVAL_LATER)
    assert set(top.suggestions[0]["like"]) & set(RETRIEVAL[:3])


def test_a_new_list_keeps_its_best_and_says_what_it_dropped(tmp_path: Path) -> None:
    path = tmp_path / "day.xml"
    path.write_bytes(feed(OTHER + EXPLORATION, 300))
    ws = make_ws(tmp_path / "ws", min_score=0.99)
    poller = Poller(ws, store=CandidateStore(tmp_path / "c.sqlite3", workspace=str(ws.root)))
    summary = poller.poll_file(path)
    assert summary.new == NEW_LIST_KEEP and summary.kept_below == NEW_LIST_KEEP
    assert summary.weak == len(OTHER + EXPLORATION) - NEW_LIST_KEEP
    line = summary.line()
    assert f"{summary.weak} below poll.min_score 0.99 (best 0." in line
    assert f"{NEW_LIST_KEEP} kept below it for a new list" in line


@pytest.fixture
def server():
    srv = FeedServer()
    yield srv
    srv.close()


def _abstract_of(arxiv_id: str) -> str:
    return f"An abstract written for {arxiv_id}: preference data and reward models."


def api_route(seen: Seen) -> Reply:
    """The API: an answer for the ids asked, in the 2026 format (one id is unknown to arXiv)."""
    ids = [i for i in seen.query["id_list"][0].split(",") if i != "2401.00101"]
    return Reply(200, api_answer([(i, f"Title of {i}", _abstract_of(i)) for i in ids]))


def test_listed_papers_abstracts_are_fetched_in_batches_and_cached(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/api/query"] = api_route
    ws = make_ws(tmp_path / "ws")
    (ws.state_dir / "config.toml").write_text(
        '[lists]\ninclude = ["*.md"]\n[poll]\nabstracts_per_poll = 12\n', encoding="utf-8"
    )
    ws = Workspace(ws.root, load_config(ws.root))
    client = ArxivClient(server.url("/api/query"), min_interval_seconds=0)
    poller = Poller(ws, arxiv=client)
    assert poller.fetch_abstracts() == 12
    assert poller.fetch_abstracts() == 7  # the rest of the list's 19 papers
    assert poller.fetch_abstracts() == 0  # every one asked once: no more calls
    asked = [s.query["id_list"][0].split(",") for s in server.requests_to("/api/query")]
    assert [len(ids) for ids in asked] == [12, 7]
    cached = poller.texts.abstracts()
    assert len(cached) == 18 and "arxiv:2401.00101" not in cached  # arXiv had no answer for it
    papers = list_papers("training.md", poller.index.documents()["training.md"], cached)
    assert any(_abstract_of("2401.06161") in t for t in papers.texts)


def test_offline_the_lists_are_learned_from_titles(tmp_path: Path) -> None:
    path = tmp_path / "day.xml"
    path.write_bytes(feed(RETRIEVAL + OTHER, 400))
    ws = make_ws(tmp_path / "ws")
    poller = Poller(
        ws, arxiv=ArxivClient("http://127.0.0.1:9/api/query", max_retries=0, timeout_seconds=1)
    )
    assert poller.fetch_abstracts() == 0
    summary = poller.poll_file(path)
    assert summary.new == len(RETRIEVAL + OTHER) and not poller.texts.abstracts()


def test_suggest_answers_from_the_last_models_while_new_ones_are_fitted(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    poller = Poller(ws)
    first = poller.suggest("Reward hacking in preference alignment")
    assert first[0].section == "Training notes > Alignment"
    fitted = poller.models.fitted
    with (ws.root / "training.md").open("a", encoding="utf-8") as f:
        f.write("- [Speculative decoding](https://arxiv.org/abs/2604.99999), 2026.\n")
    again = poller.suggest("Reward hacking in preference alignment")
    assert again[0].section == "Training notes > Alignment"
    assert poller.models.wait_idle(30)
    assert poller.models.fitted is not fitted  # fitted anew in the background
