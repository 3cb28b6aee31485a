"""Polling against a real HTTP server on 127.0.0.1: conditional GET, 429/503, bozo, decisions."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES, FeedServer, Reply, conditional, fixture_bytes

from papershelf.feeds.arxiv_api import ArxivClient
from papershelf.feeds.decisions import (
    add_rejected,
    load_rejected,
    open_candidates,
    parse_rejected,
    reject,
    render_rejected,
)
from papershelf.feeds.poll import Poller
from papershelf.feeds.store import CandidateStore
from papershelf.sync.errors import WorkspaceError
from papershelf.sync.workspace import Workspace, load_config

RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
MIXED = "rss/arxiv_cs.CL+cs.LG_mixed.xml"


@pytest.fixture
def server():
    srv = FeedServer()
    yield srv
    srv.close()


def make_ws(root: Path, feeds_toml: str = "") -> Workspace:
    """A workspace with the training list fixture and the given [[feeds]] config."""
    (root / ".papershelf").mkdir(parents=True)
    shutil.copyfile(FEED_FIXTURES / "lists" / "training.md", root / "training.md")
    (root / ".papershelf" / "config.toml").write_text(
        '[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = 0.0\ntimeout_seconds = 2.0\n'
        + feeds_toml,
        encoding="utf-8",
    )
    return Workspace(root, load_config(root))


def rss_feed(name: str, url: str, extra: str = "") -> str:
    return f'[[feeds]]\nname = "{name}"\ntype = "arxiv-rss"\ncategory = "cs.CL+cs.LG"\nurl = "{url}"\n{extra}\n'


def pending_ids(poller: Poller) -> list[str]:
    return sorted(c.identity for c in poller.store.candidates())


def test_poll_keeps_new_and_cross_and_drops_replacements_and_listed(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    before = (ws.root / "training.md").read_bytes()
    poller = Poller(ws)
    (summary,) = poller.poll()
    assert summary.state == "ok" and summary.items == 6 and summary.new == 4
    assert summary.dropped == {"replaced": 2}
    assert pending_ids(poller) == [
        "arxiv:2611.09876",
        "arxiv:2611.10001",
        "arxiv:2611.10017",
        "arxiv:2611.10033",
    ]
    # A replacement of a listed paper changes nothing in the list.
    assert (ws.root / "training.md").read_bytes() == before
    by_id = {c.identity: c for c in poller.store.candidates()}
    dpo = by_id["arxiv:2611.10001"]
    assert (
        dpo.suggested_list == "training.md"
        and dpo.suggested_section == "Training notes > Alignment"
    )
    assert {"preference", "reward"} & set(dpo.suggestions[0]["why"])
    assert by_id["arxiv:2611.10017"].suggested_section == "Training notes > Optimization"
    assert (
        by_id["arxiv:2611.10033"].suggested_section
        == "Training notes > Parameter-efficient fine-tuning"
    )
    assert dpo.score > by_id["arxiv:2611.09876"].score  # the sheaf paper is the least relevant
    assert dpo.sources == ("cl",) and dpo.scores == {"training.md": pytest.approx(dpo.score)}


def test_conditional_get_etag_then_304(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/rss"] = conditional(
        fixture_bytes(MIXED), '"v1"', time.time() - 60, RSS["Content-Type"]
    )
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    poller = Poller(ws)
    assert poller.poll()[0].new == 4
    (second,) = poller.poll()
    assert second.state == "not-modified"
    first_req, second_req = server.requests_to("/rss")
    assert "If-None-Match" not in first_req.headers
    assert second_req.headers["If-None-Match"] == '"v1"'
    assert second_req.headers["If-Modified-Since"]
    assert second_req.headers["User-Agent"].startswith("papershelf/")
    state = poller.store.feed_state("cl")
    assert state is not None
    assert state["etag"] == '"v1"' and state["state"] == "not-modified" and state["error"] is None


def test_a_feed_that_failed_is_fetched_whole_again_not_called_unmodified(
    tmp_path: Path, server: FeedServer
) -> None:
    html = fixture_bytes("rss/not_a_feed.html")
    server.routes["/rss"] = conditional(html, '"v1"', time.time() - 60, "text/html")
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    poller = Poller(ws)
    assert poller.poll()[0].state == "error"
    (second,) = poller.poll()  # still the same broken page: still an error, not "not modified"
    assert second.state == "error" and (second.error or "").startswith("malformed feed")
    assert "If-None-Match" not in server.requests_to("/rss")[1].headers
    assert (poller.store.feed_state("cl") or {}).get("last_ok", "absent") is None


@pytest.mark.parametrize("seconds", ["-1", "0", "nan", "inf", "1e12"])
def test_a_timeout_out_of_range_is_a_config_error_of_one_line(
    tmp_path: Path, server: FeedServer, seconds: str
) -> None:
    # inf and 1e12 reached requests: 'OverflowError: timestamp out of range for platform time_t'.
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    config = ws.root / ".papershelf" / "config.toml"
    config.write_text(
        config.read_text().replace("timeout_seconds = 2.0", f"timeout_seconds = {seconds}")
    )
    (summary,) = Poller(Workspace(ws.root, load_config(ws.root))).poll()
    assert summary.state == "error" and "\n" not in (summary.error or "")
    assert summary.error == f"{config}: poll.timeout_seconds must be a number from 0.1 to 86400."
    assert server.requests_to("/rss") == []


@pytest.mark.parametrize("score", ["1.5", "-0.1", "nan", "inf"])
def test_a_min_score_outside_0_to_1_is_a_config_error_of_one_line(
    tmp_path: Path, server: FeedServer, score: str
) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    config = ws.root / ".papershelf" / "config.toml"
    config.write_text(config.read_text().replace("min_score = 0.0", f"min_score = {score}"))
    poller = Poller(Workspace(ws.root, load_config(ws.root)))
    (summary,) = poller.poll()
    assert summary.state == "error"
    assert summary.error == f"{config}: poll.min_score must be a number from 0 to 1."
    assert server.requests_to("/rss") == []  # refused before fetching
    with pytest.raises(WorkspaceError, match=r"poll\.min_score must be a number from 0 to 1."):
        poller.poll_file(FEED_FIXTURES / MIXED)
    assert poller.store.candidates(None) == []


def test_last_modified_alone_is_honoured(tmp_path: Path, server: FeedServer) -> None:
    stamp = "Thu, 19 Nov 2026 05:00:03 GMT"

    def route(seen):
        if seen.headers.get("If-Modified-Since") == stamp:
            return Reply(304, b"", {"Last-Modified": stamp})
        return Reply(200, fixture_bytes(MIXED), {**RSS, "Last-Modified": stamp})

    server.routes["/rss"] = route
    poller = Poller(make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss"))))
    assert poller.poll()[0].state == "ok"
    assert poller.poll()[0].state == "not-modified"


def test_429_then_200_and_503_recorded_while_other_feeds_go_on(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/busy"] = [
        Reply(429, b"", {"Retry-After": "0"}),
        Reply(200, fixture_bytes(MIXED), RSS),
    ]
    server.routes["/down"] = [Reply(503, b"", {"Retry-After": "0"})]
    toml = rss_feed("down", server.url("/down")) + rss_feed("busy", server.url("/busy"))
    poller = Poller(make_ws(tmp_path / "ws", toml))
    down, busy = poller.poll()
    assert (
        down.state == "error"
        and "HTTP 503" in (down.error or "")
        and "\n" not in (down.error or "")
    )
    assert busy.state == "ok" and busy.new == 4
    assert len(server.requests_to("/busy")) == 2
    assert len(server.requests_to("/down")) == 3  # the first try and two retries
    state = poller.store.feed_state("down")
    assert state is not None
    assert state["state"] == "error" and "HTTP 503" in state["error"] and state["last_ok"] is None


def test_timeout_is_recorded(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/slow"] = [Reply(200, fixture_bytes(MIXED), RSS, stall_seconds=10)]
    ws = make_ws(tmp_path / "ws", rss_feed("slow", server.url("/slow")))
    (ws.root / ".papershelf" / "config.toml").write_text(
        (ws.root / ".papershelf" / "config.toml")
        .read_text()
        .replace("timeout_seconds = 2.0", "timeout_seconds = 0.2"),
        encoding="utf-8",
    )
    started = time.monotonic()
    poller = Poller(Workspace(ws.root, load_config(ws.root)), backoff_base_seconds=0.05)
    (summary,) = poller.poll()
    assert summary.state == "error" and "timed out after 0.2 s (3 attempts)" in (
        summary.error or ""
    )
    assert time.monotonic() - started < 5


def test_weekend_empty_feed_and_malformed_feed(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/weekend"] = [
        Reply(200, fixture_bytes("rss/arxiv_cs.CL_weekend_empty.xml"), RSS)
    ]
    server.routes["/broken"] = [Reply(200, fixture_bytes("rss/malformed_truncated.xml"), RSS)]
    server.routes["/html"] = [
        Reply(200, fixture_bytes("rss/not_a_feed.html"), {"Content-Type": "text/html"})
    ]
    toml = (
        rss_feed("weekend", server.url("/weekend"))
        + rss_feed("broken", server.url("/broken"))
        + rss_feed("html", server.url("/html"))
    )
    poller = Poller(make_ws(tmp_path / "ws", toml))
    weekend, broken, html = poller.poll()
    assert weekend.state == "no-announcements" and weekend.error is None
    assert "no announcements" in weekend.line()
    assert (
        broken.state == "ok"
        and broken.new == 1
        and (broken.problem or "").startswith("malformed feed")
    )
    assert html.state == "error" and (html.error or "").startswith("malformed feed")
    assert pending_ids(poller) == ["arxiv:2611.10101"]


def test_rejected_by_a_collaborator_is_never_proposed(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    # A collaborator's rejection arrives with a pull: the file is all this machine knows.
    add_rejected(ws, "arxiv:2611.10017")
    poller = Poller(ws)
    (summary,) = poller.poll()
    assert summary.dropped == {"replaced": 2, "decided": 1}
    assert "arxiv:2611.10017" not in pending_ids(poller)


def test_listed_by_identity_or_title_is_never_a_candidate(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    with (ws.root / "training.md").open("a", encoding="utf-8") as fh:
        fh.write(
            "- [Warmup-free learning-rate schedules for large batch pretraining](https://openreview.net/forum?id=abc), 2026.\n"
        )
        fh.write("- [LoRA Rank Schedules](https://arxiv.org/pdf/2611.10033v1), Nov. 2026.\n")
    poller = Poller(ws)
    (summary,) = poller.poll()
    assert summary.dropped["listed"] == 2
    assert pending_ids(poller) == ["arxiv:2611.09876", "arxiv:2611.10001"]


def test_keywords_exclude_and_lists(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    extra = 'keywords = ["preference", "adapters", "warmup"]\nexclude = ["warmup"]\nlists = ["training.md"]'
    poller = Poller(make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss"), extra)))
    (summary,) = poller.poll()
    assert summary.dropped["filtered"] == 2
    assert pending_ids(poller) == ["arxiv:2611.10001", "arxiv:2611.10033"]


def test_a_feed_naming_a_list_that_does_not_exist_is_an_error(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    extra = 'lists = ["training.md", "trainig.md"]'
    poller = Poller(make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss"), extra)))
    (summary,) = poller.poll()  # it ranked against nothing: "0 new candidates, 4 below min score"
    assert summary.state == "error" and "trainig.md" in (summary.error or "")
    assert "\n" not in (summary.error or "") and pending_ids(poller) == []


def test_min_score_drops_the_irrelevant(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    first = Poller(ws)
    first.poll()
    all_scores = sorted(c.score for c in first.store.candidates())
    assert len(all_scores) == 4
    cut = (all_scores[0] + all_scores[1]) / 2
    config = ws.root / ".papershelf" / "config.toml"
    config.write_text(
        config.read_text().replace("min_score = 0.0", f"min_score = {cut}"), encoding="utf-8"
    )
    fresh = Workspace(ws.root, load_config(ws.root))
    poller = Poller(
        fresh, store=CandidateStore(tmp_path / "other.sqlite3", workspace=str(fresh.root))
    )
    (summary,) = poller.poll()
    assert summary.weak == 1 and summary.new == 3


def test_arxiv_api_source(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/api/query"] = [Reply(200, fixture_bytes("api/id_list_2026_two.xml"), {})]
    toml = '[[feeds]]\nname = "search"\ntype = "arxiv-api"\nquery = "cat:cs.CL"\nmax_results = 20\n'
    client = ArxivClient(server.url("/api/query"), min_interval_seconds=0)
    poller = Poller(make_ws(tmp_path / "ws", toml), arxiv=client)
    (summary,) = poller.poll()
    # 2409.01234 is in the list already; the old-style paper is new.
    assert summary.items == 2 and summary.new == 1 and summary.dropped == {"listed": 1}
    assert pending_ids(poller) == ["arxiv:hep-th/9901001"]
    seen, abstracts = server.requests_to("/api/query")
    assert seen.query["search_query"] == ["cat:cs.CL"] and seen.query["max_results"] == ["20"]
    # Then the listed papers' abstracts, asked by id (the list learns from them).
    assert "id_list" in abstracts.query


def test_rejected_file_is_sorted_unique_and_merge_tolerant(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    add_rejected(ws, "arxiv:2611.10017")
    add_rejected(ws, "arxiv:2401.00001")
    add_rejected(ws, "arxiv:2611.10017")
    text = (ws.state_dir / "rejected.txt").read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == ["arxiv:2401.00001", "arxiv:2611.10017"]
    merged = (
        text
        + "<<<<<<< ours\narxiv:2501.00002\n=======\nhttps://arxiv.org/abs/2502.00003v2\n>>>>>>> theirs\n"
    )
    assert parse_rejected(merged) == {
        "arxiv:2401.00001",
        "arxiv:2611.10017",
        "arxiv:2501.00002",
        "arxiv:2502.00003",
    }
    assert render_rejected(parse_rejected(text)) == text
    assert load_rejected(ws) == {"arxiv:2401.00001", "arxiv:2611.10017"}


def test_candidates_decided_elsewhere_leave_the_queue(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    poller = Poller(ws)
    poller.poll()
    assert len(pending_ids(poller)) == 4
    # A pull brings a collaborator's rejection and an entry another curator clipped.
    add_rejected(ws, "arxiv:2611.10017")
    with (ws.root / "training.md").open("a", encoding="utf-8") as fh:
        fh.write("- [LoRA Rank Schedules](https://arxiv.org/abs/2611.10033), Nov. 2026.\n")
    assert sorted(
        c.identity for c in open_candidates(ws, poller.store, poller.index, "pending", 50)
    ) == [
        "arxiv:2611.09876",
        "arxiv:2611.10001",
    ]
    poller.poll()  # the next poll records what happened
    assert pending_ids(poller) == ["arxiv:2611.09876", "arxiv:2611.10001"]
    assert poller.store.get("2611.10017").status == "rejected"
    assert poller.store.get("2611.10033").status == "accepted"


def test_rejected_file_saved_with_a_bom_keeps_its_first_line(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    # As Notepad saves it: a byte-order mark and CRLF line ends.
    (ws.state_dir / "rejected.txt").write_bytes(
        "\ufeffarxiv:2611.10017\r\narxiv:2611.10033\r\n".encode()
    )
    assert load_rejected(ws) == {"arxiv:2611.10017", "arxiv:2611.10033"}
    add_rejected(ws, "arxiv:2401.00001")  # rewriting the file must not lose the first line
    assert load_rejected(ws) == {"arxiv:2401.00001", "arxiv:2611.10017", "arxiv:2611.10033"}


def test_deleting_a_line_of_rejected_txt_lets_the_paper_back_in(
    tmp_path: Path, server: FeedServer
) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes(MIXED), RSS)]
    ws = make_ws(tmp_path / "ws", rss_feed("cl", server.url("/rss")))
    poller = Poller(ws)
    poller.poll()
    reject(ws, poller.store, "2611.10017")
    reject(ws, poller.store, "2611.09876")
    assert "arxiv:2611.10017" not in pending_ids(poller)
    path = ws.state_dir / "rejected.txt"
    path.write_text(path.read_text().replace("arxiv:2611.10017\n", ""))  # as docs/feeds.md says
    poller.poll()
    assert "arxiv:2611.10017" in pending_ids(poller)
    assert poller.store.get("2611.09876").status == "rejected"  # its line is still there


def test_the_cycle_collector_is_paused_only_while_a_poll_runs() -> None:
    import gc

    from papershelf.feeds.models import collector_paused

    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer pause holds
        raise RuntimeError("a failed poll")
    assert gc.isenabled()
