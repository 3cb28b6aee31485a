"""`POST /api/papers` with `also`: a paper another list has is filed in a second list on purpose."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from polling import wait_until
from server_support import ArxivFixtureServer, make_workspace, queued_clip

from papershelf.feeds.arxiv_api import ArxivClient
from papershelf.server.app import create_app
from papershelf.server.clipqueue import ClipQueue
from papershelf.server.clips import RetryPolicy
from papershelf.server.services import Services
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.workspace import open_workspace

TOKEN = "clip-also-token-0123456789abcdefghij"
AUTH = {"X-Papershelf-Token": TOKEN}
TOPICS = "# Topics\n\n## Versioning\n\n- [Branching Models](https://arxiv.org/abs/2003.00003), Mar. 1 2020.\n"


@pytest.fixture
def arxiv():
    with ArxivFixtureServer() as server:
        yield server


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = make_workspace(tmp_path / "ws")
    (root / "topics.md").write_text(TOPICS, encoding="utf-8")
    return root


def services_for(root: Path, arxiv: ArxivFixtureServer) -> Services:
    client = ArxivClient(
        base_url=arxiv.url, min_interval_seconds=0, max_retries=0, timeout_seconds=5
    )
    retry = RetryPolicy(base_delay_seconds=0.05, max_delay_seconds=0.2)
    return Services.build(open_workspace(root), arxiv=client, retry=retry)


def post(services: Services, **body):
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    return app.test_client().post("/api/papers", json=body, headers=AUTH)


def places(root: Path, identity: str) -> list[tuple[str, str]]:
    return [
        (h.list, h.section) for h in WorkspaceIndex.build(open_workspace(root)).lookup(identity)
    ]


VERSION_CONTROL = {"arxiv_id": "2001.00001", "title": "Version Control for Everyone"}


def test_without_also_a_paper_in_another_list_is_200_exists_and_nothing_written(
    root: Path, arxiv
) -> None:
    before = (root / "topics.md").read_bytes()
    answer = post(
        services_for(root, arxiv), **VERSION_CONTROL, list="topics.md", section="Versioning"
    )
    assert answer.status_code == 200
    assert (answer.get_json()["status"], answer.get_json()["list"]) == ("exists", "reading.md")
    assert (root / "topics.md").read_bytes() == before


def test_also_adds_it_to_the_second_list_once(root: Path, arxiv) -> None:
    services = services_for(root, arxiv)
    body = {**VERSION_CONTROL, "list": "topics.md", "section": "Versioning", "also": True}
    answer = post(services, **body)
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["list"] == "topics.md"
    assert sorted(places(root, "arxiv:2001.00001")) == [
        ("reading.md", "Reading list > Tools"),
        ("topics.md", "Topics > Versioning"),
    ]
    again = post(services, **body)
    assert again.status_code == 200 and again.get_json()["list"] == "topics.md"
    assert len(places(root, "arxiv:2001.00001")) == 2


def test_also_must_be_true_or_false(root: Path, arxiv) -> None:
    answer = post(
        services_for(root, arxiv),
        **VERSION_CONTROL,
        list="topics.md",
        section="Versioning",
        also="yes",
    )
    assert answer.status_code == 400 and "also" in answer.get_json()["fields"]


def test_a_bare_also_clip_queued_while_arxiv_is_down_is_still_added_to_its_list(
    root: Path, arxiv
) -> None:
    services = services_for(root, arxiv)
    # Complete already (title, authors, date): arXiv is not asked, nothing is cached.
    shelved = {
        "arxiv_id": "2611.04417",
        "title": "Shelving Papers by Hand",
        "authors": ["Maren Oyelaran"],
        "published": "2026-11-03",
    }
    assert post(services, **shelved, list="reading.md", section="Tools").status_code == 201
    arxiv.up = False
    answer = post(
        services, arxiv_id="2611.04417", list="topics.md", section="Versioning", also=True
    )
    assert answer.status_code == 202, answer.get_json()
    queue_id = answer.get_json()["queue_id"]
    assert queued_clip(services, queue_id).also is True
    arxiv.up = True
    services.start(sync=False, feeds=False)
    try:
        wait_until(lambda: queued_clip(services, queue_id).state != "queued")
    finally:
        services.stop()
    # Not settled as "exists in reading.md": that would drop the clip without a word.
    assert (queued_clip(services, queue_id).result or {}).get("list") == "topics.md"
    assert sorted(places(root, "arxiv:2611.04417")) == [
        ("reading.md", "Reading list > Tools"),
        ("topics.md", "Topics > Versioning"),
    ]


def test_a_queue_file_from_before_also_gets_the_column(tmp_path: Path) -> None:
    path = tmp_path / "clipqueue.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE clips (id INTEGER PRIMARY KEY AUTOINCREMENT, workspace TEXT NOT NULL,"
        " identity TEXT NOT NULL, paper TEXT NOT NULL, list TEXT NOT NULL, section TEXT NOT NULL,"
        " state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL,"
        " updated_at REAL NOT NULL, next_attempt_at REAL NOT NULL, last_error TEXT, result TEXT);"
        "INSERT INTO clips (workspace, identity, paper, list, section, state, created_at,"
        " updated_at, next_attempt_at) VALUES ('/w', 'arxiv:1', '{\"arxiv_id\": \"2001.00001\"}',"
        " 'a.md', 'A', 'queued', 0, 0, 0);"
    )
    db.close()
    queue = ClipQueue(path)
    (clip,) = queue.due("/w")
    assert clip.also is False and clip.list == "a.md"
