"""Helpers for the review page tests: a seeded workspace and a real server on 127.0.0.1."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask
from werkzeug.serving import make_server

from papershelf.feeds.poll import Poller
from papershelf.feeds.store import CandidateStore
from papershelf.server.app import create_app
from papershelf.server.review import pairing_link
from papershelf.server.services import Services
from papershelf.sync.workspace import open_workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "review"
FEED = FIXTURES / "cs_CL_today.xml"
LIST_NAME = "papers.md"
TOKEN = "review-test-token-0123456789abcdef"
#: Launch flags for Debian's Chromium in CI.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def make_workspace(root: Path) -> Path:
    """A workspace with the review list and a config that keeps every candidate."""
    (root / ".papershelf").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURES / LIST_NAME, root / LIST_NAME)
    shutil.copyfile(FIXTURES / "config.toml", root / ".papershelf" / "config.toml")
    return root


def build_services(root: Path) -> Services:
    """Services for the workspace with its own scoped candidate store (real SQLite)."""
    workspace = open_workspace(root)
    store = CandidateStore(workspace=str(workspace.root))
    return Services.build(workspace, candidates=store)


def seed(services: Services, feed: Path = FEED) -> int:
    """Poll the fixture feed through the feeds code; how many candidates it stored."""
    poller = Poller(services.workspace, store=services.candidates, index=services.index)
    return poller.poll_file(feed).new


@dataclass
class LiveServer:
    """A create_app server in a thread: its base URL, services, app and token."""

    base: str
    services: Services
    app: Flask
    token: str = TOKEN

    @property
    def list_file(self) -> Path:
        return self.services.workspace.root / LIST_NAME

    def pair_url(self) -> str:
        """A fresh one-time pairing link, as `papershelf serve` prints one."""
        return pairing_link(self.app, self.base)

    def status_of(self, title_part: str) -> str:
        """The store status of the candidate whose title contains `title_part`."""
        for cand in store_of(self.services).candidates(None):
            if title_part in (cand.paper.title or ""):
                return cand.status
        raise AssertionError(f"no candidate titled like {title_part!r}")


def store_of(services: Services) -> CandidateStore:
    """The candidate store the review tests always give their services."""
    assert services.candidates is not None, "these services were built without a store"
    return services.candidates


@contextmanager
def live_server(services: Services, token: str = TOKEN) -> Iterator[LiveServer]:
    """Serve a real app for `services` on a free 127.0.0.1 port until the block ends."""
    server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
    port = server.socket.getsockname()[1]
    app = create_app(
        {"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": token, "PAPERSHELF_PORT": port}
    )
    server.app = app
    thread = threading.Thread(target=server.serve_forever, name="review-test-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", services, app, token)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()
