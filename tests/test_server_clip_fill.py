"""A clip with a title but no authors or date (a PDF page, the html page of a later version) gets
them from arXiv, so its entry has the parts its list writes; arXiv silent or down, it is written
as it came, at once."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from server_support import ArxivFixtureServer, make_workspace

from papershelf.feeds.arxiv_api import ArxivClient
from papershelf.server import clips
from papershelf.server.app import create_app
from papershelf.server.clips import RetryPolicy
from papershelf.server.services import Services
from papershelf.sync.workspace import open_workspace

TOKEN = "clip-fill-token-0123456789abcdefghij"
AUTH = {"X-Papershelf-Token": TOKEN}
# Seed 003's shape: bold title, arXiv id, links, then a tab-indented author line.
PLAZA = """\
# Plaza

## Tools

- **Version Control for Everyone**, `arXiv, 2001.00001`, [arxiv](http://arxiv.org/abs/2001.00001v1), [pdf](http://arxiv.org/pdf/2001.00001v1.pdf)

\t *Ada Lovelace, Alan Turing*

- **Merging Lists Safely**, `arXiv, 2001.00003`, [arxiv](http://arxiv.org/abs/2001.00003v1), [pdf](http://arxiv.org/pdf/2001.00003v1.pdf)

\t *Grace Hopper*

- **Tabs and Spaces**, `arXiv, 2001.00004`, [arxiv](http://arxiv.org/abs/2001.00004v1), [pdf](http://arxiv.org/pdf/2001.00004v1.pdf)

\t *Edsger Dijkstra, Barbara Liskov*
"""


def post(root: Path, arxiv_url: str, **body):
    client = ArxivClient(
        base_url=arxiv_url, min_interval_seconds=0, max_retries=0, timeout_seconds=5
    )
    services = Services.build(
        open_workspace(root), arxiv=client, retry=RetryPolicy(base_delay_seconds=0.05)
    )
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    return app.test_client().post("/api/papers", json=body, headers=AUTH)


@pytest.fixture
def arxiv():
    with ArxivFixtureServer() as server:
        yield server


def test_a_pdf_clip_gets_its_author_line_from_arxiv(tmp_path: Path, arxiv) -> None:
    root = make_workspace(tmp_path / "ws", PLAZA, "plaza.md")
    # What the popup sends from a PDF tab: the URL and the PDF's own title, nothing else.
    answer = post(
        root,
        arxiv.url,
        url="https://arxiv.org/pdf/2611.04417v1",
        title="Shelving Papers by Hand",
        list="plaza.md",
        section="Tools",
    )
    assert answer.status_code == 201, answer.get_json()
    lines = (root / "plaza.md").read_text(encoding="utf-8").splitlines()
    at = answer.get_json()["line"] - 1
    assert lines[at].startswith("- **Shelving Papers by Hand**, `arXiv, 2611.04417`")  # its title
    assert lines[at + 2] == "\t *Maren Oyelaran, Tobiah Quist, Ilse Varga-Nkemelu*"
    assert len(arxiv.requests) == 1


def test_an_html_clip_of_a_later_version_gets_the_first_version_date(tmp_path: Path, arxiv) -> None:
    root = make_workspace(tmp_path / "ws")  # reading.md: `- [Title](url), Mon. D YYYY.`
    answer = post(
        root,
        arxiv.url,
        url="https://arxiv.org/html/2611.04417v2",
        title="Shelving Papers by Hand",
        authors=["Maren Oyelaran"],
        list="reading.md",
        section="Tools",
    )
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["entry"].endswith("), Nov. 3 2026.")


def test_a_clip_with_every_part_never_asks_arxiv(tmp_path: Path, arxiv) -> None:
    root = make_workspace(tmp_path / "ws")
    answer = post(
        root,
        arxiv.url,
        arxiv_id="2611.04417",
        title="Shelving Papers by Hand",
        authors=["Maren Oyelaran"],
        published="2026-11-03",
        list="reading.md",
        section="Tools",
    )
    assert answer.status_code == 201 and arxiv.requests == []


def test_arxiv_down_writes_the_clip_as_it_came(tmp_path: Path, arxiv) -> None:
    arxiv.up = False
    root = make_workspace(tmp_path / "ws")
    answer = post(
        root, arxiv.url, arxiv_id="2611.04417", title="Shelving", list="reading.md", section="Tools"
    )
    assert answer.status_code == 201  # written now, not queued: it has a title
    # No date to write: the list's own period still closes the entry.
    assert answer.get_json()["entry"] == "- [Shelving](https://arxiv.org/abs/2611.04417)."


def test_an_arxiv_that_never_answers_holds_the_clip_only_briefly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clips, "FILL_WAIT_SECONDS", 0.5)
    root = make_workspace(tmp_path / "ws")
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/api/query"
        started = time.monotonic()
        answer = post(
            root, url, arxiv_id="2611.04417", title="Shelving", list="reading.md", section="Tools"
        )
        seconds = time.monotonic() - started
    assert answer.status_code == 201
    assert seconds < 3, f"took {seconds:.1f} s"


def test_after_arxiv_failed_clips_do_not_wait_for_it(tmp_path: Path, arxiv) -> None:
    arxiv.up = False
    root = make_workspace(tmp_path / "ws")
    client = ArxivClient(
        base_url=arxiv.url, min_interval_seconds=0, max_retries=0, timeout_seconds=5
    )
    services = Services.build(open_workspace(root), arxiv=client)
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    web = app.test_client()
    for n in (1, 2):
        body = {
            "arxiv_id": f"2611.0000{n}",
            "title": f"P{n}",
            "list": "reading.md",
            "section": "Tools",
        }
        assert web.post("/api/papers", json=body, headers=AUTH).status_code == 201
    assert len(arxiv.requests) == 1  # the second clip did not ask a server that just failed
