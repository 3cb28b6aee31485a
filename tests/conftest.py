"""Shared fixtures: every test gets its own data dir and workspace; nothing leaves 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from flask import Flask
    from flask.testing import FlaskClient

    from papershelf.server.services import Services

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = REPO_ROOT.parent / "shared"
SHARED_SEEDS = SHARED / "seeds"
SHARED_FIXTURES = SHARED / "fixtures"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Point the data dir and git identity at temp places so no test sees the user's state."""
    data = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("PAPERSHELF_DATA_DIR", str(data))
    monkeypatch.delenv("PAPERSHELF_WORKSPACE", raising=False)
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test Curator")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "curator@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test Curator")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "curator@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # Proxies could route 127.0.0.1 traffic elsewhere; tests talk to loopback only.
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # A clip lacking authors or a date, and a poll fetching listed papers' abstracts, ask arXiv:
    # in a test that did not set up its own stand-in, a closed local port (refused at once),
    # never the internet.
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", "http://127.0.0.1:9/api/query")


@pytest.fixture
def workspace_dir(tmp_path: Path) -> Path:
    """An empty workspace folder."""
    root = tmp_path / "ws"
    (root / ".papershelf").mkdir(parents=True)
    return root


@pytest.fixture
def workspace_root(tmp_path: Path) -> Path:
    """A workspace folder holding one list (`server_support.LIST_TEXT` as reading.md); a module
    that needs more asks for this fixture in its own `workspace_root` and adds to it."""
    from server_support import make_workspace

    return make_workspace(tmp_path / "ws")


@pytest.fixture
def feeds_workspace(tmp_path: Path) -> Path:
    """A workspace with the feeds tests' training.md and every candidate kept (min_score 0)."""
    root = tmp_path / "ws"
    (root / ".papershelf").mkdir(parents=True)
    shutil.copyfile(FIXTURES / "feeds" / "lists" / "training.md", root / "training.md")
    (root / ".papershelf" / "config.toml").write_text(
        '[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = 0.0\n', encoding="utf-8"
    )
    return root


@pytest.fixture
def services(workspace_root: Path) -> Services:
    """The server's parts for `workspace_root` (none started)."""
    from papershelf.server.services import Services
    from papershelf.sync.workspace import open_workspace

    return Services.build(open_workspace(workspace_root))


@pytest.fixture
def app(services: Services) -> Flask:
    """A fresh app over `services`, its token `server_support.TOKEN`."""
    from server_support import TOKEN

    from papershelf.server.app import create_app

    return create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of `app` (send `server_support.AUTH` for the token)."""
    return app.test_client()


def copy_fixture_list(name: str, dest: Path) -> Path:
    """Copy one of tests/fixtures/lists into a workspace, bytes unchanged."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / "lists" / name, dest)
    return dest


def chromium_available() -> bool:
    """Whether Debian's Chromium and Playwright are here for the browser tests."""
    if not CHROMIUM.exists():
        return False
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return os.access(CHROMIUM, os.X_OK)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    """A bare remote holding the sync tests' list (gitsync_support.LIST), cloned by each test."""
    from gitsync_support import make_remote

    return make_remote(tmp_path)


@pytest.fixture
def daemons() -> Iterator[list]:
    """SyncDaemons a test starts (`gitsync_support.start_daemon`), all stopped at its end."""
    started: list = []
    yield started
    for daemon in started:
        daemon.stop()
