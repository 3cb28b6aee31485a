"""`papershelf poll|candidates|accept|reject|suggest` end to end through the real CLI entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES, FeedServer, Reply, fixture_bytes

from papershelf.feeds.decisions import add_rejected
from papershelf.feeds.poll import Poller
from papershelf.server.cli import main
from papershelf.sync.listmodel import parse_list
from papershelf.sync.workspace import open_workspace

MIXED = FEED_FIXTURES / "rss" / "arxiv_cs.CL+cs.LG_mixed.xml"


@pytest.fixture
def ws(feeds_workspace: Path) -> Path:
    return feeds_workspace


def run(capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _poll_fixture(capsys, ws: Path) -> list[dict]:
    code, out, _ = run(capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws), "--json")
    assert code == 0
    assert json.loads(out)["new"] == 4
    code, out, _ = run(capsys, "candidates", "--workspace", str(ws), "--json")
    assert code == 0
    return json.loads(out)


def test_poll_from_file_prints_a_summary(capsys, ws: Path) -> None:
    code, out, _ = run(capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws))
    assert code == 0
    assert "6 items, 4 new candidates" in out and "(2 replaced)" in out
    assert out.strip().splitlines()[-1] == "1 feed(s) polled, 4 new candidate(s), 0 error(s)"


def test_candidates_then_accept_the_suggestion(capsys, ws: Path) -> None:
    found = _poll_fixture(capsys, ws)
    dpo = next(c for c in found if c["identity"] == "arxiv:2611.10001")
    assert dpo["section"] == "Training notes > Alignment" and dpo["why"]
    code, out, _ = run(capsys, "accept", str(dpo["id"]), "--workspace", str(ws), "--json")
    assert code == 0
    result = json.loads(out)
    assert result["status"] == "added" and result["section"] == "Training notes > Alignment"
    text = (ws / "training.md").read_text(encoding="utf-8")
    assert "Margin-Aware Direct Preference Optimization for Noisy Reward Labels" in text
    doc = parse_list((ws / "training.md").read_bytes())
    assert doc.entry_at(result["line"] - 1) is not None
    code, out, _ = run(
        capsys, "candidates", "--status", "accepted", "--workspace", str(ws), "--json"
    )
    assert [c["identity"] for c in json.loads(out)] == ["arxiv:2611.10001"]
    # Deciding twice is a clear error, not a second entry.
    code, _, err = run(capsys, "accept", str(dpo["id"]), "--workspace", str(ws))
    assert code == 2 and err.startswith("papershelf: error: Candidate") and err.count("\n") == 1


def test_accept_into_another_section_by_identity(capsys, ws: Path) -> None:
    _poll_fixture(capsys, ws)
    code, out, _ = run(
        capsys, "accept", "2611.10033", "--section", "Surveys", "--workspace", str(ws), "--json"
    )
    assert code == 0 and json.loads(out)["section"] == "Training notes > Surveys"


def test_accept_to_a_missing_section_names_the_closest(capsys, ws: Path) -> None:
    _poll_fixture(capsys, ws)
    before = (ws / "training.md").read_bytes()
    code, _, err = run(
        capsys, "accept", "2611.10017", "--section", "Optimisation", "--workspace", str(ws)
    )
    assert code == 2 and "Closest: Training notes > Optimization" in err and "Traceback" not in err
    assert (ws / "training.md").read_bytes() == before


@pytest.mark.parametrize("option", ["--list", "--section"])
def test_accept_with_an_empty_list_or_section_is_one_line_naming_it(
    capsys, ws: Path, option: str
) -> None:
    _poll_fixture(capsys, ws)
    before = (ws / "training.md").read_bytes()
    code, _, err = run(capsys, "accept", "2611.10001", option, "", "--workspace", str(ws))
    field = option.removeprefix("--")
    assert code == 2
    assert err == (
        f"papershelf: error: {field} must not be empty (leave it out for the suggested {field}).\n"
    )
    assert (ws / "training.md").read_bytes() == before


def test_reject_writes_the_shared_file_and_poll_skips_it(capsys, ws: Path) -> None:
    _poll_fixture(capsys, ws)
    code, out, _ = run(capsys, "reject", "arxiv:2611.09876", "--workspace", str(ws))
    assert code == 0 and out.startswith("rejected ")
    assert "arxiv:2611.09876" in (ws / ".papershelf" / "rejected.txt").read_text(encoding="utf-8")
    code, out, _ = run(capsys, "candidates", "--workspace", str(ws), "--json")
    assert "arxiv:2611.09876" not in {c["identity"] for c in json.loads(out)}


def test_suggest_json_shape(capsys, ws: Path) -> None:
    code, out, _ = run(
        capsys,
        "suggest",
        "--title",
        "Reward models for preference alignment",
        "--abstract",
        "We study reward hacking in RLHF.",
        "--workspace",
        str(ws),
        "--json",
    )
    assert code == 0
    suggestions = json.loads(out)
    assert 1 <= len(suggestions) <= 3
    assert suggestions[0]["list"] == "training.md"
    assert suggestions[0]["section"] == "Training notes > Alignment"
    assert set(suggestions[0]) >= {"list", "section", "score", "why"}
    assert [s["score"] for s in suggestions] == sorted(
        (s["score"] for s in suggestions), reverse=True
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("suggest", "--title", "  "), "Give a title"),
        (("accept", "12345"), "No candidate '12345'"),
        (("poll", "--from-file", "/nonexistent/feed.xml"), "Cannot read"),
        (("poll", "--feed", "nope"), "No feed 'nope'"),
    ],
)
def test_bad_input_is_one_line_exit_2(capsys, ws: Path, args: tuple[str, ...], needle: str) -> None:
    code, _, err = run(capsys, *args, "--workspace", str(ws))
    assert code == 2
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_poll_configured_feed_over_http(capsys, ws: Path) -> None:
    server = FeedServer()
    try:
        server.routes["/rss"] = [Reply(200, fixture_bytes("rss/arxiv_cs.CL+cs.LG_mixed.xml"))]
        server.routes["/down"] = [Reply(404, b"gone")]
        config = ws / ".papershelf" / "config.toml"
        config.write_text(
            config.read_text()
            + f'[[feeds]]\nname = "cl"\ntype = "arxiv-rss"\ncategory = "cs.CL"\nurl = "{server.url("/rss")}"\n'
            + f'[[feeds]]\nname = "gone"\ntype = "rss"\nurl = "{server.url("/down")}"\n',
            encoding="utf-8",
        )
        code, out, _ = run(capsys, "poll", "--workspace", str(ws))
        assert code == 0
        assert "cl: 6 items, 4 new candidates" in out
        assert "gone: error: feed " in out and "HTTP 404" in out
        assert "2 feed(s) polled, 4 new candidate(s), 1 error(s)" in out
        code, out, _ = run(capsys, "poll", "--feed", "gone", "--workspace", str(ws))
        assert code == 1  # every polled feed failed
    finally:
        server.close()


def test_poll_shows_progress_on_a_terminal_only_and_json_stays_clean(
    capsys, ws: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Into a pipe or a log file a bar is only "item/s" frames: nothing is drawn.
    code, out, err = run(capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws))
    assert code == 0 and err == ""
    import sys

    with monkeypatch.context() as patched:  # a terminal: the bar is drawn
        patched.setattr(sys.stderr, "isatty", lambda: True, raising=False)
        code, out, err = run(capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws))
    assert code == 0
    assert "\rpoll: " in err and "item" in err  # tqdm's bar, on stderr, cleared when done
    assert "Traceback" not in err and "item [" not in out
    code, out, err = run(
        capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws), "--json"
    )
    assert code == 0 and err == ""
    assert json.loads(out)["feeds"][0]["updated"] == 4  # seen again, nothing new


def test_a_poll_that_keeps_nothing_names_the_setting_and_the_best_score(capsys, ws: Path) -> None:
    (ws / ".papershelf" / "config.toml").write_text(
        # (new_list_keep = 0: a new list would otherwise keep its best few whatever their score)
        '[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = 0.99\nnew_list_keep = 0\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws))
    assert code == 0
    line = out.splitlines()[0]
    assert line.startswith(
        "arxiv_cs.CL+cs.LG_mixed.xml: 6 items, 0 new candidates, 4 below poll.min_score 0.99 (best 0."
    ), line
    assert line.endswith(" in .papershelf/config.toml") and "[poll] min_score = 0." in line
    code, out, _ = run(capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws), "--json")
    (summary,) = json.loads(out)["feeds"]
    assert summary["weak"] == 4 and summary["min_score"] == 0.99
    assert 0 < summary["best_weak_score"] < 0.99
    # Lowered to what the line says, the best of them is kept.
    keep = line.rsplit("min_score = ", 1)[1].split(" ", 1)[0]
    (ws / ".papershelf" / "config.toml").write_text(
        f'[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = {keep}\nnew_list_keep = 0\n',
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "poll", "--from-file", str(MIXED), "--workspace", str(ws))
    assert code == 0 and ", 0 new candidates" not in out.splitlines()[0]


def test_progress_counts_every_item(ws: Path) -> None:
    """What feeds the bar: items dropped up front, then items ranked, adding up to all."""
    steps: list[int] = []
    summary = Poller(open_workspace(ws)).poll_file(MIXED, progress=steps.append)
    assert sum(steps) == summary.items == 6 and steps == [2, 4]


def test_poll_one_named_feed(capsys, ws: Path) -> None:
    server = FeedServer()
    try:
        server.routes["/cl"] = [Reply(200, fixture_bytes("rss/arxiv_cs.CL+cs.LG_mixed.xml"))]
        server.routes["/other"] = [Reply(200, fixture_bytes("rss/generic_atom.xml"))]
        config = ws / ".papershelf" / "config.toml"
        config.write_text(
            config.read_text()
            + f'[[feeds]]\nname = "cl"\ntype = "arxiv-rss"\ncategory = "cs.CL"\nurl = "{server.url("/cl")}"\n'
            + f'[[feeds]]\nname = "other"\ntype = "rss"\nurl = "{server.url("/other")}"\n',
            encoding="utf-8",
        )
        code, out, err = run(capsys, "poll", "--feed", "cl", "--workspace", str(ws), "--json")
        assert code == 0, err
        result = json.loads(out)
        assert [f["feed"] for f in result["feeds"]] == ["cl"] and result["new"] == 4
        assert server.requests_to("/other") == [] and len(server.requests_to("/cl")) == 1
    finally:
        server.close()


def test_snooze_sets_it_aside_without_touching_the_workspace(capsys, ws: Path) -> None:
    _poll_fixture(capsys, ws)
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    code, out, _ = run(capsys, "snooze", "arxiv:2611.09876", "--workspace", str(ws))
    assert code == 0 and out.startswith("snoozed ")
    assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before
    code, out, _ = run(
        capsys, "candidates", "--status", "snoozed", "--workspace", str(ws), "--json"
    )
    assert [c["identity"] for c in json.loads(out)] == ["arxiv:2611.09876"]
    run(capsys, "reject", "arxiv:2611.09876", "--workspace", str(ws))
    code, _, err = run(capsys, "snooze", "arxiv:2611.09876", "--workspace", str(ws))
    assert code == 2 and "already rejected" in err and "Traceback" not in err


def test_candidates_rejected_elsewhere_are_not_listed(capsys, ws: Path) -> None:
    _poll_fixture(capsys, ws)
    add_rejected(open_workspace(ws), "arxiv:2611.10017")  # a collaborator's, from a pull
    code, out, _ = run(capsys, "candidates", "--workspace", str(ws), "--json")
    assert code == 0 and "arxiv:2611.10017" not in {c["identity"] for c in json.loads(out)}


def test_the_summary_counts_items_without_a_link(capsys, ws: Path) -> None:
    atom = FEED_FIXTURES / "rss" / "generic_atom.xml"  # 3 entries, one without a link
    steps: list[int] = []
    summary = Poller(open_workspace(ws)).poll_file(atom, progress=steps.append)
    assert summary.items == 3 == sum(steps) and summary.dropped["no link"] == 1
    assert summary.line().startswith("generic_atom.xml: 3 items, 2 new candidates")


def test_a_poll_that_fails_unexpectedly_is_one_line_without_a_traceback(
    capsys, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch, ws: Path
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in the fetcher")

    monkeypatch.setattr("papershelf.feeds.fetch.fetch_feed", broken)  # stands in for any bug
    config = ws / ".papershelf" / "config.toml"
    config.write_text(
        config.read_text() + '[[feeds]]\nname = "cl"\ntype = "rss"\nurl = "http://127.0.0.1:9/"\n'
    )
    code, out, err = run(capsys, "poll", "--workspace", str(ws))
    assert code == 1 and "cl: error: RuntimeError: a bug in the fetcher" in out
    assert not [r for r in caplog.records if r.exc_info], "a traceback would reach the terminal"
    assert "poll of cl failed: RuntimeError: a bug in the fetcher" in caplog.text


def test_candidates_of_every_status_say_which(capsys, ws: Path) -> None:
    _poll_fixture(capsys, ws)
    assert run(capsys, "reject", "2611.09876", "--workspace", str(ws))[0] == 0
    code, out, _ = run(capsys, "candidates", "--status", "all", "--workspace", str(ws))
    assert code == 0
    title_lines = [line for line in out.splitlines() if not line.startswith(" " * 7)]
    rejected = [line for line in title_lines if "rejected" in line]
    assert len(title_lines) == 4 and len(rejected) == 1


def test_sections_are_named_below_the_list_title_in_candidates_accept_and_suggest(
    capsys, ws: Path
) -> None:
    found = _poll_fixture(capsys, ws)
    dpo = next(c for c in found if c["identity"] == "arxiv:2611.10001")
    code, out, _ = run(capsys, "candidates", "--workspace", str(ws))
    assert code == 0 and "       -> training.md › Alignment" in out
    assert "Training notes >" not in out
    code, out, _ = run(
        capsys, "suggest", "--title", "Direct preference optimisation", "--workspace", str(ws)
    )
    assert code == 0 and "training.md › " in out and "Training notes >" not in out
    code, out, _ = run(capsys, "accept", str(dpo["id"]), "--workspace", str(ws))
    assert code == 0 and out.startswith("added to training.md › Alignment (line ")
