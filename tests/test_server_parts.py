"""The server's views use its running parts, typed: `/api/suggest` and the candidates ask the
running feed scheduler's poller (over the server's index, with the models its polls keep
current), not a second poller of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from server_support import AUTH

from papershelf.feeds.poll import Poller
from papershelf.feeds.scheduler import FeedScheduler
from papershelf.server.services import ERROR, RUNNING, Services, Slot


@pytest.fixture
def workspace_root(feeds_workspace: Path) -> Path:
    return feeds_workspace


def _scheduler_poller(services: Services, state: str) -> Poller:
    """A feed scheduler in the services' feeds slot (not started: no thread), its poller."""
    poller = Poller(services.workspace, index=services.index)
    services.feeds = Slot("feeds", FeedScheduler(services.workspace, poller=poller), state)
    return poller


def test_suggest_and_candidates_ask_the_running_schedulers_poller(
    services: Services, app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    poller = _scheduler_poller(services, RUNNING)
    asked: list[str] = []
    suggest = poller.suggest

    def counted(*args: object, **kwargs: object) -> object:
        asked.append("suggest")
        return suggest(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(poller, "suggest", counted)
    answer = client.get("/api/suggest", query_string={"title": "Scaling laws"}, headers=AUTH)
    assert answer.status_code == 200, answer.get_json()
    assert client.get("/api/candidates", headers=AUTH).status_code == 200
    assert asked == ["suggest"]
    assert "papershelf_feeds" not in app.extensions  # no poller of the app's own was made


def test_without_a_running_scheduler_the_app_makes_one_poller(
    services: Services, app: Flask, client: FlaskClient
) -> None:
    _scheduler_poller(services, ERROR)  # it failed to start: its poller is not asked
    for _ in range(2):
        answer = client.get("/api/suggest", query_string={"title": "Scaling laws"}, headers=AUTH)
        assert answer.status_code == 200, answer.get_json()
    own = app.extensions["papershelf_feeds"]
    assert isinstance(own, Poller) and own.index is services.index
