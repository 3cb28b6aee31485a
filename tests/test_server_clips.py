"""Clip completion from arXiv (recorded answers on 127.0.0.1) and the durable queue when it is down."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from polling import wait_until
from server_support import AUTH, TOKEN, ArxivFixtureServer, queued_clip

from papershelf.feeds.arxiv_api import ArxivClient
from papershelf.server.app import create_app
from papershelf.server.clipqueue import ClipQueue
from papershelf.server.clips import RetryPolicy
from papershelf.server.completion import ArxivCompleter
from papershelf.server.services import Services
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.workspace import open_workspace

FAST_RETRY = RetryPolicy(base_delay_seconds=0.05, max_delay_seconds=0.2)


@pytest.fixture
def arxiv():
    with ArxivFixtureServer() as server:
        yield server


def build(workspace_root: Path, arxiv: ArxivFixtureServer, **kwargs) -> Services:
    client = ArxivClient(
        base_url=arxiv.url, min_interval_seconds=0, max_retries=0, timeout_seconds=5
    )
    return Services.build(open_workspace(workspace_root), arxiv=client, retry=FAST_RETRY, **kwargs)


def client_for(services: Services):
    return create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN}).test_client()


def clip(client, **body):
    return client.post("/api/papers", json=body, headers=AUTH)


def listed(workspace_root: Path, identity: str) -> list:
    return WorkspaceIndex.build(open_workspace(workspace_root)).lookup(identity)


@pytest.mark.parametrize(
    ("given", "title"),
    [
        ({"arxiv_id": "2611.04417"}, "Shelving Papers by Hand: Curation Habits of Research Groups"),
        (
            {"url": "https://arxiv.org/pdf/2611.04417v1"},
            "Shelving Papers by Hand: Curation Habits of Research Groups",
        ),
        ({"arxiv_id": "hep-th/9912001v1"}, "Notes on Indexing Preprints by Archive and Number"),
    ],
)
def test_bare_id_is_completed_from_arxiv(
    workspace_root: Path, arxiv, given: dict, title: str
) -> None:
    client = client_for(build(workspace_root, arxiv))
    response = clip(client, **given, list="reading.md", section="Tools")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert title in body["entry"]
    assert "https://arxiv.org/abs/" in body["entry"]  # arXiv's abs URL, even from a PDF clip
    assert len(arxiv.requests) == 1
    text = (workspace_root / "reading.md").read_text(encoding="utf-8")
    assert text.splitlines()[body["line"] - 1] == body["entry"]


def test_fields_the_clip_gave_win_over_arxiv(workspace_root: Path, arxiv) -> None:
    client = client_for(build(workspace_root, arxiv))
    response = clip(
        client, arxiv_id="2611.05123", published="2026-12-01", list="reading.md", section="Tools"
    )
    assert response.status_code == 201
    assert "Quiet Periods" in response.get_json()["entry"]
    assert "Dec. 1 2026" in response.get_json()["entry"]  # the list's date style, given date


def test_paper_arxiv_does_not_have_is_404(workspace_root: Path, arxiv) -> None:
    before = (workspace_root / "reading.md").read_bytes()
    response = clip(
        client_for(build(workspace_root, arxiv)),
        arxiv_id="2611.09999",
        list="reading.md",
        section="Tools",
    )
    assert response.status_code == 404
    assert response.get_json()["fields"] == {"arxiv_id": "unknown"}
    assert (workspace_root / "reading.md").read_bytes() == before


def test_bare_clip_of_a_listed_paper_never_asks_arxiv(workspace_root: Path, arxiv) -> None:
    response = clip(
        client_for(build(workspace_root, arxiv)),
        arxiv_id="2001.00001v2",
        list="reading.md",
        section="Tools",
    )
    assert response.status_code == 200 and response.get_json()["status"] == "exists"
    assert arxiv.requests == []


def test_bare_clip_to_a_wrong_section_is_refused_before_arxiv_or_queue(
    workspace_root: Path, arxiv
) -> None:
    arxiv.up = False
    services = build(workspace_root, arxiv)
    response = clip(
        client_for(services), arxiv_id="2611.04417", list="reading.md", section="Nowhere"
    )
    assert response.status_code == 404
    assert arxiv.requests == []
    assert services.clips.queue.summary()["queued"] == 0


def test_arxiv_down_queues_202_then_inserts_when_it_answers(workspace_root: Path, arxiv) -> None:
    arxiv.up = False
    services = build(workspace_root, arxiv)
    client = client_for(services)
    before = (workspace_root / "reading.md").read_bytes()
    response = clip(client, arxiv_id="2611.04417", list="reading.md", section="Methods > Surveys")
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["ok"] is True and body["status"] == "queued" and body["queue_id"] >= 1
    assert (workspace_root / "reading.md").read_bytes() == before
    # A second clip of the same paper joins the same queued clip.
    again = clip(
        client, url="https://arxiv.org/abs/2611.04417v2", list="reading.md", section="Tools"
    )
    assert again.status_code == 202 and again.get_json()["queue_id"] == body["queue_id"]
    status = client.get("/api/status", headers=AUTH).get_json()["clips"]
    assert status["queued"] == 1
    assert status["items"][0]["identity"] == "arxiv:2611.04417"
    assert "503" in status["items"][0]["last_error"]
    lookup = client.get("/api/lookup?id=2611.04417", headers=AUTH).get_json()
    assert lookup["listed"] is False and lookup["queued"]["queue_id"] == body["queue_id"]

    services.start(sync=False, feeds=False)
    try:
        # Still down: the worker retries with backoff and keeps the clip.
        wait_until(lambda: queued_clip(services, body["queue_id"]).attempts >= 2)
        assert queued_clip(services, body["queue_id"]).state == "queued"
        arxiv.up = True
        assert services.worker is not None
        services.worker.wake()
        wait_until(lambda: queued_clip(services, body["queue_id"]).state == "done")
    finally:
        services.stop()
    hits = listed(workspace_root, "arxiv:2611.04417")
    assert [(h.list, h.section) for h in hits] == [
        ("reading.md", "Reading list > Methods > Surveys")
    ]
    status = client.get("/api/status", headers=AUTH).get_json()["clips"]
    assert status["queued"] == 0 and status["done"] == 1
    assert status["items"][0]["result"]["status"] == "added"


def test_queued_clip_survives_a_restart(workspace_root: Path, arxiv) -> None:
    arxiv.up = False
    first = build(workspace_root, arxiv)
    assert (
        clip(
            client_for(first), arxiv_id="2611.05123", list="reading.md", section="Tools"
        ).status_code
        == 202
    )
    del first  # the process "ends": only the SQLite file in the data dir remains

    arxiv.up = True
    second = build(workspace_root, arxiv)
    assert second.clips.queue.summary(second.clips.key)["queued"] == 1
    second.start(sync=False, feeds=False)
    try:
        wait_until(lambda: second.clips.queue.summary(second.clips.key)["queued"] == 0)
    finally:
        second.stop()
    assert len(listed(workspace_root, "arxiv:2611.05123")) == 1


def test_queued_clip_whose_section_vanished_fails_visibly(workspace_root: Path, arxiv) -> None:
    arxiv.up = False
    services = build(workspace_root, arxiv)
    queued = clip(
        client_for(services), arxiv_id="2611.04417", list="reading.md", section="Tools"
    ).get_json()
    path = workspace_root / "reading.md"
    path.write_text(path.read_text().replace("## Tools", "## Utilities"), encoding="utf-8")
    arxiv.up = True
    services.start(sync=False, feeds=False)
    try:
        wait_until(lambda: queued_clip(services, queued["queue_id"]).state == "failed")
    finally:
        services.stop()
    item = queued_clip(services, queued["queue_id"])
    assert "Tools" in (item.last_error or "")
    assert services.status()["clips"]["failed"] == 1
    assert "2611.04417" not in path.read_text()


def test_concurrent_bare_clips_of_one_paper_ask_arxiv_once_and_write_once(
    workspace_root: Path, arxiv
) -> None:
    services = build(workspace_root, arxiv)
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    statuses: list[int] = []

    def one() -> None:
        statuses.append(
            clip(
                app.test_client(), arxiv_id="2611.04417", list="reading.md", section="Tools"
            ).status_code
        )

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [200] * 7 + [201]
    assert len(arxiv.requests) == 1
    assert (workspace_root / "reading.md").read_text().count("2611.04417") == 1


class HeldClient:
    """An arXiv client whose calls wait until the test lets them through."""

    def __init__(self, inner: ArxivClient) -> None:
        self.inner = inner
        self.entered = threading.Event()
        self.release = threading.Event()

    def fetch_by_ids(self, ids: list[str]) -> dict:
        self.entered.set()
        assert self.release.wait(30)
        return self.inner.fetch_by_ids(ids)


def test_a_clip_finding_arxiv_busy_is_queued_at_once_and_added_without_the_retry_wait(
    workspace_root: Path, arxiv
) -> None:
    held = HeldClient(
        ArxivClient(base_url=arxiv.url, min_interval_seconds=0, max_retries=0, timeout_seconds=5)
    )
    services = Services.build(open_workspace(workspace_root), arxiv=held)  # retries after 30 s
    services.clips.completer = ArxivCompleter(held, live_waiters=1)
    services.start(sync=False, feeds=False)
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    first: list[int] = []
    try:
        waiting = threading.Thread(
            target=lambda: first.append(
                clip(
                    app.test_client(), arxiv_id="2611.04417", list="reading.md", section="Tools"
                ).status_code
            )
        )
        waiting.start()
        assert held.entered.wait(10)  # the first clip waits for arXiv
        busy = clip(app.test_client(), arxiv_id="2611.05123", list="reading.md", section="Tools")
        assert busy.status_code == 202, busy.get_json()  # at once: one clip may wait, not two
        held.release.set()
        waiting.join(30)
        assert first == [201]
        wait_until(lambda: listed(workspace_root, "arxiv:2611.05123"), timeout_seconds=10)
    finally:
        held.release.set()
        services.stop()


def test_retry_policy_backs_off_exponentially_up_to_a_cap() -> None:
    policy = RetryPolicy(base_delay_seconds=30, max_delay_seconds=3600)
    assert [policy.delay_seconds(n) for n in range(8)] == [30, 60, 120, 240, 480, 960, 1920, 3600]
    assert policy.delay_seconds(500) == 3600


def test_queue_rows_round_trip_and_count(tmp_path: Path) -> None:
    from papershelf.sync.paper import Paper

    queue = ClipQueue(tmp_path / "q.sqlite3")
    paper = Paper(arxiv_id="2611.04417", tags=("x",), note="n")
    first = queue.put("/ws", paper, "a.md", "S", first_attempt_in_seconds=100)
    assert queue.put("/ws", paper.replace(arxiv_id="2611.04417v3"), "a.md", "S").id == first.id
    assert queue.put("/other", paper, "a.md", "S").id != first.id
    assert queue.due("/ws") == []  # not due for 100 s
    stored = queue.get(first.id)
    assert stored is not None and stored.paper == paper
    queue.mark_retry(first.id, "down", 0)
    assert [c.id for c in queue.due("/ws")] == [first.id]
    queue.mark_done(first.id, {"status": "added"})
    assert queue.summary("/ws")["done"] == 1 and queue.summary("/ws")["queued"] == 0
    assert queue.summary()["queued"] == 1


def _open_queue_at_once(path: Path, n_threads: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n_threads)

    def open_it() -> None:
        try:
            start.wait(timeout=30)
            ClipQueue(path)
        except BaseException as exc:  # collected for the caller's assertion
            errors.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return errors


def test_many_threads_opening_a_new_queue_at_once_all_get_it(tmp_path: Path) -> None:
    # Switching a new file to WAL needs it alone; SQLite says "locked" at once to the others.
    import sqlite3

    for round_number in range(10):
        path = tmp_path / f"queue{round_number}.sqlite3"
        sqlite3.connect(path).close()  # an empty file in rollback-journal mode, as on first run
        assert _open_queue_at_once(path, 8) == []
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
