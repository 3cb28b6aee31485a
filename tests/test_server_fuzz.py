"""Fuzzing `POST /api/papers` (hypothesis): never a 5xx, and a 4xx never changes a list file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from server_support import ArxivFixtureServer, make_workspace

from papershelf.feeds.arxiv_api import ArxivClient
from papershelf.server.app import create_app
from papershelf.server.clips import RetryPolicy
from papershelf.server.services import Services
from papershelf.sync.listmodel import parse_list
from papershelf.sync.workspace import open_workspace

TOKEN = "fuzz-test-token-0123456789abcdefghij"
HEADERS = {"X-Papershelf-Token": TOKEN, "Content-Type": "application/json"}

scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)
tricky_text = st.sampled_from(
    [
        "",
        " ",
        "]",
        "[x](y)",
        "a\nb",
        "| pipe |",
        "`code`",
        "<b>",
        "Ünïcödé — “quotes”",
        "\x00",
        "#",
        "- item",
        "\r\n",
    ]
)
texts = st.text(max_size=60) | tricky_text
FIELDS = {
    "url": st.sampled_from(
        [
            "https://arxiv.org/abs/2611.04417",
            "https://arxiv.org/pdf/2611.05123v1",
            "https://example.org/paper",
            "ftp://example.org/x",
            "javascript:alert(1)",
            "https://arxiv.org/abs/2001.00001",
        ]
    )
    | texts
    | json_values,
    "arxiv_id": st.sampled_from(
        ["2611.04417", "hep-th/9912001", "2611.09999", "2001.00001v9", "1234.5"]
    )
    | texts
    | json_values,
    "title": texts | json_values,
    "authors": st.lists(texts, max_size=4) | json_values,
    "published": st.sampled_from(["2026-11-03", "2026-11", "2026-13-01", "yesterday"])
    | json_values,
    "venue": texts,
    "abstract": texts,
    "code_url": st.sampled_from(["https://github.com/o/r", "not a url"]) | json_values,
    "links": st.lists(st.fixed_dictionaries({"label": texts, "url": texts}), max_size=2)
    | json_values,
    "tags": st.lists(texts, max_size=3) | json_values,
    "note": texts,
    "list": st.sampled_from(["reading.md", "nope.md", "../outside.md", "/etc/passwd", "sub/", ""])
    | texts
    | json_values,
    "section": st.sampled_from(
        ["Tools", "Surveys", "Methods > Surveys", "Reading list", "Nope", ""]
    )
    | texts
    | json_values,
}
PAPER_FIELDS = {k: v for k, v in FIELDS.items() if k not in ("list", "section")}
paper_like = st.fixed_dictionaries({}, optional=FIELDS) | st.fixed_dictionaries(
    {"list": st.just("reading.md"), "section": st.sampled_from(["Tools", "Surveys"])},
    optional=PAPER_FIELDS,
)
VALID_LIKE = {
    "title": st.text(min_size=1, max_size=80) | tricky_text,
    "authors": st.lists(st.text(min_size=1, max_size=20), max_size=3),
    "published": st.sampled_from(["2026-11-03", "2026-11", "1999-12-01"]),
    "venue": st.text(max_size=20),
    "code_url": st.just("https://github.com/owner/repo"),
    "tags": st.lists(st.text(min_size=1, max_size=10), max_size=2),
    "note": st.text(max_size=40),
    "abstract": st.text(max_size=80),
}
valid_like = st.fixed_dictionaries(
    {
        "arxiv_id": st.sampled_from(
            ["2611.04417", "2611.05123v1", "hep-th/9912001", "2611.09999", "2001.00001"]
        )
        | st.from_regex(r"\A2[0-4](0[1-9]|1[0-2])\.\d{5}\Z"),
        "list": st.just("reading.md"),
        "section": st.sampled_from(["Tools", "Surveys", "Methods > Surveys", "Methods"]),
    },
    optional=VALID_LIKE,
)
bodies = (
    valid_like.map(lambda d: json.dumps(d).encode())
    | valid_like.map(lambda d: json.dumps(d).encode())
    | paper_like.map(lambda d: json.dumps(d).encode())
    | st.dictionaries(st.text(max_size=10), json_values, max_size=4).map(
        lambda d: json.dumps(d).encode()
    )
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=80)
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, arxiv_up=st.booleans())
def test_fuzzed_clips_never_5xx_and_4xx_change_nothing(
    tmp_path: Path, arxiv_server, body: bytes, arxiv_up: bool
) -> None:
    root = make_workspace(Path(tempfile.mkdtemp(dir=tmp_path)) / "ws")  # fresh per example
    server, client_for = arxiv_server
    server.up = arxiv_up
    client = client_for(root)
    before = {p: p.read_bytes() for p in sorted(root.rglob("*.md"))}
    response = client.post("/api/papers", data=body, headers=HEADERS)
    assert response.status_code < 500, (response.status_code, response.get_json(), body)
    answer = response.get_json()
    event(f"HTTP {response.status_code}")
    assert isinstance(answer, dict) and isinstance(answer.get("ok"), bool)
    after = {p: p.read_bytes() for p in sorted(root.rglob("*.md"))}
    if response.status_code >= 400:
        assert set(answer) == {"ok", "error", "fields"} and answer["ok"] is False
        assert after == before, body
        return
    assert answer["ok"] is True
    for data in after.values():
        assert parse_list(data).render() == data
    if response.status_code == 201:
        lines = after[root / answer["list"]].decode("utf-8").split("\n")
        entry = answer["entry"].rstrip("\n").split("\n")
        start = answer["line"] - 1
        assert lines[start : start + len(entry)] == entry
    else:
        assert after == before


@pytest.fixture
def arxiv_server():
    """A factory of test clients for a workspace, completing clips from a local arXiv API."""
    with ArxivFixtureServer() as server:
        client = ArxivClient(
            base_url=server.url, min_interval_seconds=0, max_retries=0, timeout_seconds=5
        )

        def client_for(root: Path):
            workspace = open_workspace(root)
            services = Services.build(workspace, arxiv=client, retry=RetryPolicy(60, 60))
            app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
            return app.test_client()

        yield server, client_for
