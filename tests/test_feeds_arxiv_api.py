"""The arXiv API client against a real HTTP server on 127.0.0.1 serving our own fixtures."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import pytest
import requests
from conftest import SHARED_FIXTURES
from feeds_http import FeedServer, Reply, fixture_bytes

from papershelf import __version__
from papershelf.feeds import net
from papershelf.feeds.arxiv_api import ArxivClient, ArxivUnavailable, parse_api_feed
from papershelf.feeds.fetch import fetch_feed
from papershelf.feeds.net import USER_AGENT, RateGate, retry_after_seconds
from papershelf.sync.errors import BadInput, PapershelfError

ATOM = {"Content-Type": "application/atom+xml; charset=utf-8"}


@pytest.fixture
def server():
    srv = FeedServer()
    yield srv
    srv.close()


def _client(server: FeedServer, **kw: Any) -> ArxivClient:
    opts: dict[str, Any] = {
        "min_interval_seconds": 0.0,
        "timeout_seconds": 2.0,
        "backoff_base_seconds": 0.05,
    }
    opts.update(kw)
    return ArxivClient(server.url("/api/query"), **opts)


def test_parse_current_format_fields() -> None:
    papers = parse_api_feed(fixture_bytes("api/id_list_2026_two.xml"))
    assert [p.arxiv_id for p in papers] == ["2409.01234v3", "hep-th/9901001v1"]
    first = papers[0]
    assert first.url == "https://arxiv.org/abs/2409.01234v3"
    # arXiv's own title text, line break and indent included: the renderer decides.
    assert first.title == (
        "Sparse Curriculum Distillation for Small Language Models:\n  Lessons from Forty Ablations"
    )
    assert first.authors == ("Mireille Okonkwo-Saarinen", "Jörg Almeida", "Pham Thi Lan")
    assert first.published == "2024-09-02"  # v1's date, though this is v3
    assert first.venue == "Transactions on Machine Learning Research, 2025"
    assert (first.abstract or "").startswith("We study how a small student")
    assert first.tags == ()
    assert first.extra["categories"] == ["cs.CL", "cs.LG"]  # MSC class 68T50 left out
    assert first.extra["doi"] == "10.1234/sparse.curriculum.2025"
    assert first.identity == "arxiv:2409.01234"
    old = papers[1]
    assert old.identity == "arxiv:hep-th/9901001"
    assert old.url == "https://arxiv.org/abs/hep-th/9901001v1"
    assert old.venue is None


def test_parse_classic_format_with_inline_namespaces() -> None:
    (paper,) = parse_api_feed(fixture_bytes("api/classic_2016_one.xml"))
    assert paper.arxiv_id == "1312.0042v2"
    assert paper.published == "2013-12-01"
    assert paper.venue == "J. Comb. Toys 7, 101 (2014)"
    assert paper.extra["doi"] == "10.5555/lattice.walks.2014"
    assert paper.extra["categories"] == ["math.CO"]
    assert paper.authors[1] == "Tomasz Wróbel"
    assert "\n" in (paper.title or "")


def test_error_feed_and_garbage_are_one_line_bad_input() -> None:
    with pytest.raises(BadInput) as err:
        parse_api_feed(fixture_bytes("api/error_400.xml"))
    assert str(err.value) == "arXiv API error: incorrect id format for notanid."
    with pytest.raises(BadInput) as err:
        parse_api_feed(b"<html><body>Service temporarily unavailable<p></body>")
    assert "\n" not in str(err.value)
    assert parse_api_feed(fixture_bytes("api/empty_2026.xml")) == []


def test_fetch_by_ids_keyed_by_versionless_id(server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(200, fixture_bytes("api/id_list_2026_two.xml"), ATOM)]
    found = _client(server).fetch_by_ids(["2409.01234", "hep-th/9901001v1", "2409.01234v2"])
    assert sorted(found) == ["2409.01234", "hep-th/9901001"]
    assert found["2409.01234"].arxiv_id == "2409.01234v3"
    (seen,) = server.requests_to("/api/query")
    assert seen.query["id_list"] == ["2409.01234,hep-th/9901001v1,2409.01234v2"]
    assert seen.headers["User-Agent"] == USER_AGENT
    assert f"papershelf/{__version__}" in USER_AGENT


def test_missing_ids_are_absent_not_errors(server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(200, fixture_bytes("api/empty_2026.xml"), ATOM)]
    assert _client(server).fetch_by_ids(["2001.99999"]) == {}


def test_bad_ids_refused_before_any_call(server: FeedServer) -> None:
    with pytest.raises(BadInput, match="Not an arXiv id"):
        _client(server).fetch_by_ids(["not-an-id"])
    assert server.seen == []


def test_http_400_error_feed_is_bad_input(server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(400, fixture_bytes("api/error_400.xml"), ATOM)]
    with pytest.raises(BadInput, match="incorrect id format for notanid"):
        _client(server).search("id:notanid")
    assert len(server.requests_to("/api/query")) == 1  # a 400 is not retried


def test_429_then_200_honours_retry_after(server: FeedServer) -> None:
    server.routes["/api/query"] = [
        Reply(429, b"slow down", {"Retry-After": "1"}),
        Reply(200, fixture_bytes("api/classic_2016_one.xml"), ATOM),
    ]
    found = _client(server, backoff_base_seconds=5.0).fetch_by_ids(["1312.0042"])
    assert list(found) == ["1312.0042"]
    first, second = server.requests_to("/api/query")
    assert second.at - first.at >= 0.95  # waited what Retry-After asked, not the 5 s backoff
    assert second.at - first.at < 4.0


def test_503_every_time_raises_unavailable_after_retries(server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(503, b"down")]
    with pytest.raises(ArxivUnavailable, match=r"HTTP 503 \(3 attempts\)") as err:
        _client(server, max_retries=2).fetch_by_ids(["2409.01234"])
    assert isinstance(err.value, PapershelfError)
    seen = server.requests_to("/api/query")
    assert len(seen) == 3
    assert seen[1].at - seen[0].at >= 0.045  # backoff base
    assert seen[2].at - seen[1].at >= 0.095  # doubled


def test_retry_after_beyond_patience_gives_up_at_once(server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(503, b"maintenance", {"Retry-After": "3600"})]
    with pytest.raises(ArxivUnavailable, match="retry in 3600 s"):
        _client(server, max_wait_seconds=30).fetch_by_ids(["2409.01234"])
    assert len(server.requests_to("/api/query")) == 1


def test_timeout_is_unavailable(server: FeedServer) -> None:
    body = fixture_bytes("api/classic_2016_one.xml")
    server.routes["/api/query"] = [Reply(200, body, ATOM, stall_seconds=5.0)]
    started = time.monotonic()
    with pytest.raises(ArxivUnavailable, match="timed out after 0.3 s"):
        _client(server, timeout_seconds=0.3, max_retries=1).fetch_by_ids(["1312.0042"])
    assert time.monotonic() - started < 3.0


def test_unreachable_is_unavailable() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = ArxivClient(
        f"http://127.0.0.1:{port}/api/query",
        min_interval_seconds=0,
        max_retries=1,
        backoff_base_seconds=0.01,
    )
    with pytest.raises(ArxivUnavailable, match="cannot connect"):
        client.fetch_by_ids(["2409.01234"])


def test_min_interval_between_calls_across_threads(server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(200, fixture_bytes("api/empty_2026.xml"), ATOM)]
    interval = 0.4
    clients = [_client(server, min_interval_seconds=interval) for _ in range(3)]
    threads = [
        threading.Thread(target=c.fetch_by_ids, args=([f"2001.0000{i + 1}"],))
        for i, c in enumerate(clients)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    times = sorted(s.at for s in server.requests_to("/api/query"))
    assert len(times) == 3
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= interval - 0.1, gaps


def test_search_sends_query_and_sorting(server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(200, fixture_bytes("api/id_list_2026_two.xml"), ATOM)]
    papers = _client(server).search("cat:cs.CL AND abs:distillation", max_results=2)
    assert len(papers) == 2
    (seen,) = server.requests_to("/api/query")
    assert seen.query["search_query"] == ["cat:cs.CL AND abs:distillation"]
    assert seen.query["sortBy"] == ["submittedDate"]
    with pytest.raises(BadInput):
        _client(server).search("   ")


def test_env_overrides_base_url(monkeypatch: pytest.MonkeyPatch, server: FeedServer) -> None:
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", server.url("/elsewhere"))
    server.routes["/elsewhere"] = [Reply(200, fixture_bytes("api/classic_2016_one.xml"), ATOM)]
    client = ArxivClient(min_interval_seconds=0)
    assert client.base_url == server.url("/elsewhere")
    assert "1312.0042" in client.fetch_by_ids(["1312.0042v2"])


def test_rate_gate_reserves_slots_without_holding_the_lock() -> None:
    now = [100.0]
    slept: list[float] = []
    gate = RateGate(clock=lambda: now[0], sleep=slept.append)
    assert gate.wait("k", 3.0) == 0
    assert gate.wait("k", 3.0) == 3.0
    assert gate.wait("k", 3.0) == 6.0
    assert gate.wait("other", 3.0) == 0
    assert slept == [3.0, 6.0]


def test_retry_after_forms() -> None:
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    when = retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 1445412470.0)
    assert when == pytest.approx(10.0)


@pytest.mark.skipif(not (SHARED_FIXTURES / "arxiv" / "api").is_dir(), reason="no shared fixtures")
def test_conformance_with_real_api_answers() -> None:
    folder = SHARED_FIXTURES / "arxiv" / "api"
    for path in sorted(folder.glob("*.xml")):
        data = path.read_bytes()
        if "error" in path.name:
            with pytest.raises(BadInput, match="incorrect id format"):
                parse_api_feed(data)
            continue
        papers = parse_api_feed(data)
        assert papers, path.name
        for paper in papers:
            assert paper.identity and paper.identity.startswith("arxiv:"), path.name
            assert paper.title and paper.authors and paper.abstract, path.name
            assert paper.published and len(paper.published) == 10, path.name
    old = parse_api_feed((folder / "api_2026_id_list_astro-ph_0601001.xml").read_bytes())
    assert old[0].arxiv_id == "astro-ph/0601001v1"
    assert old[0].venue == "ActaAstron.56:1-50,2006"


class _Answer:
    """A canned requests.Response stand-in (no network at all)."""

    def __init__(self, body: bytes) -> None:
        self.status_code = 200
        self.content = body
        self.headers: dict[str, str] = {}


class _Session(requests.Session):
    """Records each GET (url, User-Agent) and answers with fixture bytes."""

    def __init__(self, body: bytes) -> None:
        super().__init__()
        self.body = body
        self.calls: list[tuple[str, str]] = []

    def get(self, url, params=None, headers=None, timeout=None):
        self.calls.append((url, (headers or {}).get("User-Agent", "")))
        return _Answer(self.body)


@pytest.fixture
def fake_gate(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The process-wide gate on a frozen clock: each wait it imposes is recorded, not slept."""
    slept: list[float] = []
    monkeypatch.setattr(net, "GATE", RateGate(clock=lambda: 1000.0, sleep=slept.append))
    return slept


def test_default_clients_share_one_three_second_gate(fake_gate: list[float]) -> None:
    """Two clients with default settings, in one process: arXiv sees calls 3 s apart."""
    body = fixture_bytes("api/classic_2016_one.xml")
    first = ArxivClient("http://api.invalid/query", session=_Session(body))
    second = ArxivClient("http://api.invalid/query", session=_Session(body))
    assert first.min_interval_seconds == 3.0
    first.fetch_by_ids(["1312.0042"])
    second.fetch_by_ids(["1312.0042"])
    first.search("cat:cs.CL", max_results=1)
    assert fake_gate == [3.0, 6.0]  # the 2nd call waits 3 s, the 3rd 6 s (clock frozen)


def test_arxiv_rss_hosts_are_spaced_others_are_not(fake_gate: list[float]) -> None:
    session = _Session(fixture_bytes("rss/arxiv_cs.CL+cs.LG_mixed.xml"))
    for url in ("https://rss.arxiv.org/rss/cs.CL", "https://rss.arxiv.org/rss/cs.LG"):
        fetch_feed(url, session=session)
    fetch_feed("https://reading.example.org/feed.xml", session=session)
    fetch_feed("https://reading.example.org/feed.xml", session=session)
    assert fake_gate == [3.0]
    assert {agent for _, agent in session.calls} == {USER_AGENT}
    assert USER_AGENT.startswith(f"papershelf/{__version__} ")
