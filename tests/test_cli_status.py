"""`papershelf status`: a short human summary (no raw dicts, no Nones); the detail in --json."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from server_support import make_workspace

from papershelf.feeds.store import CandidateStore
from papershelf.server.cli import main
from papershelf.server.cli_status import describe_status, when

#: What `/api/status` answered in the newcomer trial (three feeds, nine candidates), shortened.
LIVE = {
    "version": "0.1.0",
    "workspace": "/home/me/lists",
    "lists": 2,
    "server": {"state": "running", "url": "http://127.0.0.1:8765", "pid": 23171},
    "sync": {
        "state": "running",
        "running": True,
        "pid": 23171,
        "remote": "origin/main",
        "last_commit": {
            "sha": "ea716c3aa1b2c3d4e5f60718293a4b5c6d7e8f90",
            "message": "Repair mojibake in 4 entries of plaza.md\n\nRepaired …",
            "time": "2026-12-05T16:10:02+00:00",
        },
        "pending": [],
        "ahead": 0,
        "last_pull": {"time": "2026-12-05T16:12:00+00:00", "ok": True, "error": None},
        "last_push": {"time": "2026-12-05T16:10:05+00:00", "ok": True, "error": None},
        "error": None,
        "conflict": None,
        "paused": False,
        "notice": None,
    },
    "feeds": {
        "state": "running",
        "feeds": {
            name: {
                "last_poll": "2026-12-05T16:12:15Z",
                "last_ok": "2026-12-05T16:12:15Z" if name != "arxiv-ai" else None,
                "state": "ok" if name != "arxiv-ai" else "error",
                "error": None if name != "arxiv-ai" else "HTTP 503 from rss.arxiv.org",
                "summary": {
                    "feed": name,
                    "state": "ok",
                    "items": 3,
                    "new": 3,
                    "updated": 0,
                    "weak": 0,
                    "dropped": {},
                    "problem": None,
                    "error": None,
                    "seconds": 0.082,
                },
                "configured": True,
                "next_poll": f"2026-12-05T22:12:1{n}Z",
            }
            for n, name in enumerate(["arxiv-cl", "arxiv-lg", "arxiv-ai"])
        },
        "candidates": {"pending": 9, "accepted": 1, "rejected": 1, "snoozed": 0},
        "errors": {"arxiv-ai": "HTTP 503 from rss.arxiv.org"},
        "last_poll": "2026-12-05T16:12:15Z",
        "scheduled": ["arxiv-cl", "arxiv-lg", "arxiv-ai"],
    },
    "clips": {"queued": 0, "failed": 0, "done": 3, "items": [], "state": "running"},
}


def test_the_live_status_is_a_few_short_lines() -> None:
    text = describe_status(LIVE)
    assert text.splitlines() == [
        "server: running at http://127.0.0.1:8765 (pid 23171)",
        "workspace: /home/me/lists (2 lists)",
        'sync: running; commits go to origin/main; last commit ea716c3 "Repair mojibake in 4'
        ' entries of plaza.md" at 2026-12-05 16:10 UTC',
        "feeds: running; 3 feeds; last poll at 2026-12-05 16:12 UTC; next at 2026-12-05 22:12"
        " UTC; 9 candidates to review",
        "  arxiv-ai: error: HTTP 503 from rss.arxiv.org",
        "clips: none queued",
    ]
    assert "None" not in text and len(text) < 500  # it was one 900-character line


def test_status_before_the_first_poll_says_never_polled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = make_workspace(tmp_path / "ws")
    (ws / ".papershelf" / "config.toml").write_text(
        '[[feeds]]\nname = "arxiv-cl"\ntype = "arxiv-rss"\ncategory = "cs.CL"\n', encoding="utf-8"
    )
    code, out, err = main(["status", "--workspace", str(ws)]), *capsys.readouterr()
    assert (code, err) == (0, "")
    assert "feeds: not running; 1 feed; never polled; no candidates to review" in out.splitlines()
    assert "None" not in out and "summary" not in out
    # A poll that failed is named with its error, once polled.
    store = CandidateStore(workspace=str(ws.resolve()))
    store.save_feed_state("arxiv-cl", last_poll=time.time(), state="error", error="timed out")
    code, out, _ = main(["status", "--workspace", str(ws)]), *capsys.readouterr()
    assert "  arxiv-cl: error: timed out" in out.splitlines()
    code, out, _ = main(["status", "--json", "--workspace", str(ws)]), *capsys.readouterr()
    feed = json.loads(out)["feeds"]["feeds"]["arxiv-cl"]
    assert (feed["state"], feed["error"], feed["configured"]) == ("error", "timed out", True)


def test_times_read_as_utc_minutes() -> None:
    assert when("2026-12-05T17:27:31+00:00") == "2026-12-05 17:27 UTC"
    assert when("2026-12-05T22:12:15Z") == "2026-12-05 22:12 UTC"
    assert when("2026-12-05T18:27:31+01:00") == "2026-12-05 17:27 UTC"
    assert when(0) == "1970-01-01 00:00 UTC"
    assert when("yesterday") == "yesterday"
