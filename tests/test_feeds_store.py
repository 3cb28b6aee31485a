"""The candidate store: real SQLite (WAL), one row per identity, statuses, feed state, threads."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from papershelf.feeds import decisions
from papershelf.feeds.store import (
    ACCEPTED,
    PENDING,
    REJECTED,
    SCHEMA_VERSION,
    SNOOZED,
    CandidateStore,
)
from papershelf.sync.errors import BadInput, NotFound
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import open_workspace


def _row(
    arxiv_id: str,
    source: str = "cl",
    score: float = 0.5,
    section: str = "L > A",
    categories: list[str] | None = None,
) -> dict:
    paper = Paper(
        url=f"https://arxiv.org/abs/{arxiv_id}",
        arxiv_id=arxiv_id,
        title=f"Paper {arxiv_id}",
        extra={"source": "arxiv-rss", "categories": categories} if categories else {},
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
    (only,) = store.candidates()
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
    assert [c.identity for c in store.candidates()] == ["arxiv:2611.10002"]
    assert store.counts() == {PENDING: 1, ACCEPTED: 0, REJECTED: 1, "snoozed": 0}
    with pytest.raises(BadInput):
        store.candidates("maybe")
    with pytest.raises(NotFound):
        store.get("9999")


def test_workspaces_are_separate_but_state_of_sees_all(tmp_path: Path) -> None:
    one = CandidateStore(tmp_path / "c.sqlite3", workspace="/ws/one")
    two = CandidateStore(tmp_path / "c.sqlite3", workspace="/ws/two")
    one.upsert_many([_row("2611.10001")])
    assert two.candidates() == []
    assert CandidateStore(tmp_path / "c.sqlite3").state_of("arxiv:2611.10001") == PENDING


def test_to_dict_shape(store: CandidateStore) -> None:
    store.upsert_many([_row("2611.10001")])
    data = store.candidates()[0].to_dict()
    assert data["paper"]["arxiv_id"] == "2611.10001"
    assert data["list"] == "l.md" and data["section"] == "L > A" and data["why"] == ["w"]
    assert data["status"] == PENDING and data["first_seen"].endswith("Z")


def test_feed_state_round_trip(store: CandidateStore) -> None:
    assert store.feed_state("cl") is None
    store.save_feed_state("cl", url="http://x/", etag='"e"', last_poll=0.0, summary={"new": 2})
    store.save_feed_state("cl", state="ok", error=None)
    state = store.feed_state("cl")
    assert state is not None
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
    rows = CandidateStore(path, workspace="/ws").candidates(limit=100)
    assert len(rows) == 20
    assert all(len(r.sources) == 6 for r in rows)


# -- feed metadata (categories) and the schema version ---------------------------------------

#: The candidates table as the first papershelf release created it (schema version 0).
_V0_SCHEMA = """
CREATE TABLE candidates (
    id INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL, identity TEXT NOT NULL,
    paper TEXT NOT NULL, sources TEXT NOT NULL, first_seen REAL NOT NULL, last_seen REAL NOT NULL,
    scores TEXT NOT NULL, score REAL NOT NULL, suggested_list TEXT, suggested_section TEXT,
    suggestions TEXT NOT NULL, status TEXT NOT NULL, decided_at REAL, result TEXT,
    UNIQUE (workspace, identity)
);
CREATE INDEX candidates_status ON candidates (workspace, status, score);
CREATE TABLE feed_state (
    workspace TEXT NOT NULL, feed TEXT NOT NULL, url TEXT, etag TEXT, last_modified TEXT,
    last_poll REAL, last_ok REAL, state TEXT, error TEXT, summary TEXT,
    PRIMARY KEY (workspace, feed)
);
"""


def _old_store(path: Path) -> None:
    """A version-0 store holding one pending and one rejected candidate."""
    with sqlite3.connect(path) as db:
        db.executescript(_V0_SCHEMA)
        for n, status in ((1, PENDING), (2, REJECTED)):
            paper = f'{{"arxiv_id": "2611.0000{n}", "title": "Old {n}"}}'
            db.execute(
                "INSERT INTO candidates (workspace, identity, paper, sources, first_seen, "
                "last_seen, scores, score, suggestions, status) "
                "VALUES ('/ws', ?, ?, '[\"cl\"]', 1.0, 1.0, '{}', 0.5, '[]', ?)",
                (f"arxiv:2611.0000{n}", paper, status),
            )


def test_categories_are_kept_and_merged_across_sightings(store: CandidateStore) -> None:
    store.upsert_many([_row("2611.10001", "cl", categories=["cs.CL", "cs.LG"])])
    (cand,) = store.candidates()
    assert cand.categories == ("cs.CL", "cs.LG")
    assert cand.paper.extra["source"] == "arxiv-rss"
    assert cand.to_dict()["categories"] == ["cs.CL", "cs.LG"]
    assert (
        "categories" not in cand.to_dict()["paper"]
    )  # the Paper JSON stays docs/paper-json.md's shape
    store.upsert_many([_row("2611.10001v2", "ir", categories=["cs.IR", "cs.CL"])])
    assert store.get(cand.id).categories == ("cs.CL", "cs.LG", "cs.IR")
    store.upsert_many([_row("2611.10001", "plain")])  # a feed that names no category
    assert store.get(cand.id).categories == ("cs.CL", "cs.LG", "cs.IR")
    store.upsert_many([_row("2611.10002")])
    assert store.get("2611.10002").categories == ()
    assert store.get("2611.10002").to_dict()["categories"] == []


def test_an_old_store_is_migrated_in_place_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old_store(path)
    store = CandidateStore(path, workspace="/ws")
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert "extra" in {r[1] for r in db.execute("PRAGMA table_info(candidates)")}
    assert [c.paper.title for c in store.candidates()] == ["Old 1"]
    assert store.get("2611.00001").categories == ()  # not known before the migration
    assert store.get("2611.00002").status == REJECTED
    store.upsert_many([_row("2611.00001", "lg", categories=["cs.LG"])])  # seen again: filled in
    assert store.get("2611.00001").categories == ("cs.LG",)
    assert store.get("2611.00001").sources == ("cl", "lg")
    store.upsert_many([_row("2611.00003", categories=["cs.CL"])])
    assert store.get("2611.00003").categories == ("cs.CL",)
    CandidateStore(path, workspace="/ws")  # opening again changes nothing
    assert len(store.candidates(None)) == 3


def test_many_processes_opening_an_old_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    _old_store(path)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def open_it() -> None:
        try:
            start.wait(timeout=30)
            CandidateStore(path, workspace="/ws").upsert_many(
                [_row("2611.10001", categories=["x"])]
            )
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    store = CandidateStore(path, workspace="/ws")
    assert len(store.candidates(None)) == 3 and store.get("2611.10001").categories == ("x",)


def test_a_store_from_a_newer_papershelf_is_used_as_is(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "new.sqlite3"
    CandidateStore(path, workspace="/ws").upsert_many([_row("2611.10001", categories=["cs.CL"])])
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE candidates ADD COLUMN future TEXT")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with caplog.at_level("WARNING", logger="papershelf.feeds.store_schema"):
        store = CandidateStore(path, workspace="/ws")
    assert "newer" in caplog.text
    assert store.get("2611.10001").categories == ("cs.CL",)
    store.upsert_many([_row("2611.10002")])
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1


# -- decisions: snooze beside accept and reject ------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "l.md").write_text("# L\n\n## A\n\n- [Known](https://example.org/known)\n", "utf-8")
    return open_workspace(root)


def test_snooze_puts_a_candidate_aside_for_a_later_decision(tmp_path: Path, workspace) -> None:
    store = CandidateStore(tmp_path / "c.sqlite3", workspace=str(workspace.root))
    store.upsert_many([_row("2611.10001"), _row("2611.10002"), _row("2611.10003")])
    snoozed = decisions.snooze(workspace, store, "2611.10001")
    assert snoozed.status == SNOOZED and snoozed.decided_at
    assert decisions.snooze(workspace, store, snoozed.id).status == SNOOZED  # again: no change
    assert [c.identity for c in store.candidates(SNOOZED)] == ["arxiv:2611.10001"]
    assert "arxiv:2611.10001" not in {c.identity for c in store.candidates()}
    assert "arxiv:2611.10001" in store.decided()  # the feeds do not propose it again
    assert store.upsert_many([_row("2611.10001", "again", 0.9)]) == 0
    assert store.get(snoozed.id).status == SNOOZED
    assert not (workspace.state_dir / decisions.REJECTED_FILENAME).exists()  # nothing shared

    # Later: a snoozed candidate can still be accepted or rejected.
    _, result = decisions.accept(workspace, store, snoozed.id, section="L > A")
    assert result.status == "added" and store.get(snoozed.id).status == ACCEPTED
    decisions.snooze(workspace, store, "2611.10002")
    assert decisions.reject(workspace, store, "2611.10002").status == REJECTED

    # A decided candidate is never snoozed back; an unknown one is NotFound.
    for ref in ("2611.10001", "2611.10002"):
        with pytest.raises(BadInput, match="already"):
            decisions.snooze(workspace, store, ref)
    with pytest.raises(NotFound):
        decisions.snooze(workspace, store, "9999")
    assert store.get("2611.10003").status == PENDING


def test_search_and_sketches_sketch_a_candidate_alike(store: CandidateStore) -> None:
    # Both build CandidateSketch from the same SQL columns (one helper in store_search).
    untitled = Paper(url="https://example.org/untitled")
    bare_row = {**_row("2401.00002"), "identity": untitled.identity, "paper": untitled}
    store.upsert_many([_row("2401.00001"), bare_row])
    by_search = {s.id: s for s in store.search(PENDING)}
    by_sketch = {s.id: s for s in store.sketches()}
    assert by_search == by_sketch and len(by_sketch) == 2
    titled = next(s for s in by_sketch.values() if s.paper.arxiv_id == "2401.00001")
    assert (titled.identity, titled.status) == (_row("2401.00001")["identity"], PENDING)
    assert titled.paper == Paper(
        "https://arxiv.org/abs/2401.00001", "2401.00001", "Paper 2401.00001"
    )
    bare = next(s for s in by_sketch.values() if s.paper.url == "https://example.org/untitled")
    assert bare.paper == Paper("https://example.org/untitled", None, None)
