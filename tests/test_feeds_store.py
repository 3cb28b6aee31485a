"""The candidate store: real SQLite (WAL), one row per identity, statuses, feed state, threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from feeds.store import ACCEPTED, PENDING, REJECTED, CandidateStore
from sync.errors import BadInput, NotFound
from sync.paper import Paper


def _row(arxiv_id: str, source: str = "cl", score: float = 0.5, section: str = "L > A") -> dict:
    paper = Paper(
        url=f"https://arxiv.org/abs/{arxiv_id}", arxiv_id=arxiv_id, title=f"Paper {arxiv_id}"
    )
    return {
        "identity": paper.identity,
        "paper": paper,
        "source": source,
        "scores": {"l.md": score},
        "suggestions": [
            {"list": "l.md", "section": section, "score": score, "why": ["w"], "similar": None}
        ],
    }


@pytest.fixture
def store(tmp_path: Path) -> CandidateStore:
    return CandidateStore(tmp_path / "c.sqlite3", workspace="/ws/one")


def test_default_path_is_in_the_data_dir_and_uses_wal() -> None:
    default = CandidateStore(workspace="/ws")
    assert default.path.name == "candidates.sqlite3"
    with sqlite3.connect(default.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_one_row_per_identity_across_versions_and_sources(store: CandidateStore) -> None:
    assert store.upsert_many([_row("2611.10001v1", "cl", 0.4)]) == 1
    assert store.upsert_many([_row("2611.10001v2", "lg", 0.6, "L > B")]) == 0
    (only,) = store.list()
    assert only.identity == "arxiv:2611.10001"
    assert only.sources == ("cl", "lg")
    assert only.score == pytest.approx(0.6) and only.suggested_section == "L > B"
    assert only.first_seen <= only.last_seen
    assert store.state_of("arxiv:2611.10001") == PENDING
    assert store.state_of("https://arxiv.org/pdf/2611.10001v3") == PENDING
    assert store.state_of("arxiv:2101.00001") is None


def test_decisions_stick(store: CandidateStore) -> None:
    store.upsert_many([_row("2611.10001"), _row("2611.10002", score=0.9)])
    first = store.get("2611.10001")
    store.set_status(first.id, REJECTED)
    store.upsert_many([_row("2611.10001", "again", 0.99)])  # seen again: stays rejected
    assert store.get(first.id).status == REJECTED
    assert store.get(first.id).sources == ("cl",)
    assert store.decided() == {"arxiv:2611.10001"}
    assert [c.identity for c in store.list()] == ["arxiv:2611.10002"]
    assert store.counts() == {PENDING: 1, ACCEPTED: 0, REJECTED: 1, "snoozed": 0}
    with pytest.raises(BadInput):
        store.list("maybe")
    with pytest.raises(NotFound):
        store.get("9999")


def test_workspaces_are_separate_but_state_of_sees_all(tmp_path: Path) -> None:
    one = CandidateStore(tmp_path / "c.sqlite3", workspace="/ws/one")
    two = CandidateStore(tmp_path / "c.sqlite3", workspace="/ws/two")
    one.upsert_many([_row("2611.10001")])
    assert two.list() == []
    assert CandidateStore(tmp_path / "c.sqlite3").state_of("arxiv:2611.10001") == PENDING


def test_to_dict_shape(store: CandidateStore) -> None:
    store.upsert_many([_row("2611.10001")])
    data = store.list()[0].to_dict()
    assert data["paper"]["arxiv_id"] == "2611.10001"
    assert data["list"] == "l.md" and data["section"] == "L > A" and data["why"] == ["w"]
    assert data["status"] == PENDING and data["first_seen"].endswith("Z")


def test_feed_state_round_trip(store: CandidateStore) -> None:
    assert store.feed_state("cl") is None
    store.save_feed_state("cl", url="http://x/", etag='"e"', last_poll=0.0, summary={"new": 2})
    store.save_feed_state("cl", state="ok", error=None)
    state = store.feed_state("cl")
    assert state["etag"] == '"e"' and state["state"] == "ok" and state["summary"] == {"new": 2}
    assert list(store.feed_states()) == ["cl"]


def test_concurrent_writers(tmp_path: Path) -> None:
    path = tmp_path / "c.sqlite3"
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            own = CandidateStore(path, workspace="/ws")
            own.upsert_many([_row(f"2611.{10000 + (i % 20):05d}", f"feed{k}") for i in range(40)])
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    rows = CandidateStore(path, workspace="/ws").list(limit=100)
    assert len(rows) == 20
    assert all(len(r.sources) == 6 for r in rows)
