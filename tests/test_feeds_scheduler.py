"""The APScheduler 3 feed scheduler: jobs per feed, status with next poll, persisted state."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES, FeedServer, Reply, fixture_bytes
from polling import wait_until

from papershelf.feeds.scheduler import CONFIG_CHECK_JOB, FeedScheduler, load_status, trigger_for
from papershelf.feeds.sources import FeedSource
from papershelf.sync.workspace import Workspace, load_config, open_workspace


@pytest.fixture
def server():
    srv = FeedServer()
    yield srv
    srv.close()


def _ws(root: Path, feeds_toml: str):
    (root / ".papershelf").mkdir(parents=True)
    shutil.copyfile(FEED_FIXTURES / "lists" / "training.md", root / "training.md")
    (root / ".papershelf" / "config.toml").write_text(
        '[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = 0.0\ntimeout_seconds = 2.0\n'
        + feeds_toml,
        encoding="utf-8",
    )
    return open_workspace(root)


def test_scheduled_polls_and_status(tmp_path: Path, server: FeedServer) -> None:
    server.routes["/rss"] = [Reply(200, fixture_bytes("rss/arxiv_cs.CL+cs.LG_mixed.xml"))]
    server.routes["/down"] = [Reply(404, b"")]
    ws = _ws(
        tmp_path / "ws",
        f'[[feeds]]\nname = "cl"\ntype = "arxiv-rss"\ncategory = "cs.CL"\nurl = "{server.url("/rss")}"\n'
        f'interval_minutes = 60\n[[feeds]]\nname = "gone"\nurl = "{server.url("/down")}"\n'
        '[[feeds]]\nname = "off"\nurl = "http://127.0.0.1:9/x"\nenabled = false\n'
        '[[feeds]]\nname = "mornings"\nurl = "http://127.0.0.1:9/y"\ncron = "0 7 * * 1-5"\n',
    )
    scheduler = FeedScheduler(ws)
    scheduler.start()
    try:
        assert scheduler.running
        before = scheduler.status()
        assert before["scheduled"] == ["cl", "gone", "mornings"]
        assert before["feeds"]["cl"]["state"] == "never polled"
        assert before["feeds"]["cl"]["next_poll"] and before["feeds"]["off"]["next_poll"] is None
        scheduler.poll_now("cl")
        scheduler.poll_now("gone")
        status = wait_until(
            lambda: (
                (s := scheduler.status())["feeds"]["cl"]["last_poll"]
                and s["feeds"]["gone"]["last_poll"]
                and s
            ),
            timeout_seconds=30,
        )
        assert status["feeds"]["cl"]["state"] == "ok"
        assert status["feeds"]["cl"]["summary"]["new"] == 4
        assert status["errors"] == {"gone": status["feeds"]["gone"]["error"]}
        assert "HTTP 404" in status["errors"]["gone"]
        assert status["candidates"]["pending"] == 4
        assert status["feeds"]["cl"]["next_poll"] > status["feeds"]["cl"]["last_poll"]
    finally:
        scheduler.stop()
    assert not scheduler.running
    offline = load_status(ws)
    assert offline["feeds"]["cl"]["state"] == "ok" and offline["last_poll"]
    assert offline["errors"].keys() == {"gone"}


def test_config_error_is_reported_not_raised(tmp_path: Path) -> None:
    ws = _ws(tmp_path / "ws", '[[feeds]]\nname = "bad"\ntype = "arxiv-api"\n')
    scheduler = FeedScheduler(ws)
    scheduler.start()
    try:
        status = scheduler.status()
        assert "needs a query" in status["config_error"]
        assert status["scheduled"] == []
    finally:
        scheduler.stop()


@pytest.mark.parametrize("minutes", ["0", "-5"])
def test_a_default_interval_below_one_minute_is_a_config_error(
    tmp_path: Path, minutes: str
) -> None:
    # Scheduled every 0 minutes, the feed would be polled back to back, for ever.
    ws = _ws(
        tmp_path / "ws",
        '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/"\n',
    )
    config = ws.state_dir / "config.toml"
    config.write_text(
        config.read_text().replace("[poll]\n", f"[poll]\ninterval_minutes = {minutes}\n")
    )
    # Opened so, the workspace runs on its last good config (F9) and says why.
    workspace = open_workspace(ws.root)
    assert workspace.config_notice is not None
    assert workspace.config_notice.startswith(
        f"{config}: poll.interval_minutes must be a number of at least 1."
    )
    # The scheduler reads the file itself too: the bad interval is its config error.
    scheduler = FeedScheduler(Workspace(ws.root, load_config(ws.root)))
    scheduler.start()
    try:
        status = scheduler.status()
        assert status["config_error"] == (
            f"{config}: poll.interval_minutes must be a number of at least 1."
        )
        assert status["scheduled"] == []
    finally:
        scheduler.stop()


def _write_config(ws, feeds_toml: str) -> None:
    """Rewrite the workspace's config.toml as an editor would (the [poll] header kept)."""
    (ws.state_dir / "config.toml").write_text(
        '[lists]\ninclude = ["*.md"]\n[poll]\nmin_score = 0.0\ntimeout_seconds = 2.0\n'
        + feeds_toml,
        encoding="utf-8",
    )


def test_a_fixed_config_clears_the_error_and_schedules_its_feeds(tmp_path: Path) -> None:
    ws = _ws(tmp_path / "ws", '[[feeds]]\nname = "bad"\ntype = "arxiv-api"\n')
    scheduler = FeedScheduler(ws)
    scheduler.start()
    try:
        assert "needs a query" in scheduler.status()["config_error"]
        _write_config(ws, '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/a"\n')
        fixed = wait_until(
            lambda: (s := scheduler.status())["scheduled"] == ["a"] and s, timeout_seconds=10
        )
        assert "config_error" not in fixed and fixed["feeds"]["a"]["next_poll"]
        # Broken again (a feed without its query): the error shows, the last good feeds stay.
        _write_config(
            ws,
            '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/a"\n'
            '[[feeds]]\nname = "q"\ntype = "arxiv-api"\n',
        )
        broken = wait_until(
            lambda: "config_error" in (s := scheduler.status()) and s, timeout_seconds=10
        )
        assert "needs a query" in broken["config_error"] and broken["scheduled"] == ["a"]
    finally:
        scheduler.stop()


def test_a_running_scheduler_adds_changes_and_removes_feeds_of_a_changed_config(
    tmp_path: Path,
) -> None:
    ws = _ws(
        tmp_path / "ws",
        '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/a"\ninterval_minutes = 60\n'
        '[[feeds]]\nname = "b"\nurl = "http://127.0.0.1:9/b"\n',
    )
    scheduler = FeedScheduler(ws, config_check_seconds=0.2)
    scheduler.start()
    try:
        assert scheduler.status()["scheduled"] == ["a", "b"]
        b_job = scheduler._scheduler.get_job("b")
        _write_config(
            ws,
            '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/a"\ninterval_minutes = 15\n'
            '[[feeds]]\nname = "b"\nurl = "http://127.0.0.1:9/b"\n'
            '[[feeds]]\nname = "c"\nurl = "http://127.0.0.1:9/c"\ncron = "0 7 * * *"\n',
        )
        # Noticed by the periodic check alone (status() is not called while waiting).
        wait_until(lambda: scheduler._scheduler.get_job("c") is not None, timeout_seconds=10)
        a_job = scheduler._scheduler.get_job("a")
        assert a_job.trigger.interval.total_seconds() == 15 * 60
        assert scheduler._scheduler.get_job("b").next_run_time == b_job.next_run_time  # as it was
        assert "hour='7'" in str(scheduler._scheduler.get_job("c").trigger)
        _write_config(ws, '[[feeds]]\nname = "c"\nurl = "http://127.0.0.1:9/c"\nenabled = false\n')
        wait_until(lambda: scheduler._scheduler.get_job("a") is None, timeout_seconds=10)
        assert scheduler.status()["scheduled"] == []
    finally:
        scheduler.stop()


def test_triggers() -> None:
    interval = trigger_for(FeedSource("a", "rss", url="http://x", interval_minutes=15), 360)
    assert interval.interval.total_seconds() == 900
    default = trigger_for(FeedSource("a", "rss", url="http://x"), 360)
    assert default.interval.total_seconds() == 360 * 60
    cron = trigger_for(FeedSource("a", "rss", url="http://x", cron="30 6 * * 1-5"), 360)
    assert "hour='6'" in str(cron) and "minute='30'" in str(cron)
    with pytest.raises(ValueError):
        trigger_for(FeedSource("a", "rss", url="http://x", cron="61 * * * *"), 360)


def test_job_defaults(tmp_path: Path) -> None:
    ws = _ws(tmp_path / "ws", '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/"\n')
    scheduler = FeedScheduler(ws)
    scheduler.start()
    try:
        job = scheduler._scheduler.get_job("a")
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 3600
        check = scheduler._scheduler.get_job(CONFIG_CHECK_JOB)  # beside the feeds, its own thread
        assert check.executor == "config" and check.trigger.interval.total_seconds() == 10
        assert {j.id for j in scheduler._scheduler.get_jobs()} == {"a", CONFIG_CHECK_JOB}
    finally:
        scheduler.stop()


STOPPED_MID_POLL = """
import sys, threading, time
from pathlib import Path
from papershelf.feeds.poll import PollSummary
from papershelf.feeds.scheduler import FeedScheduler
from papershelf.sync.workspace import open_workspace

class Hanging:
    started = threading.Event()
    def poll_source(self, source):
        self.started.set()
        threading.Event().wait(120)  # a feed server that never answers, retried
        return PollSummary(source.name)

poller = Hanging()
scheduler = FeedScheduler(open_workspace(Path(sys.argv[1])), poller=poller)
scheduler.start()
scheduler.poll_now()
assert poller.started.wait(30), "the poll did not start"
scheduler.stop()
print("stopped", flush=True)
"""


def test_a_process_whose_scheduler_stops_mid_poll_exits_without_waiting_for_it(
    tmp_path: Path,
) -> None:
    # serve stops within 5 s: its exit waited for the poll's requests (3 x 20 s timeouts, 68 s).
    ws = _ws(tmp_path / "ws", '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/a"\n')
    try:
        done = subprocess.run(
            [sys.executable, "-c", STOPPED_MID_POLL, str(ws.root)],
            capture_output=True,
            text=True,
            timeout=60,  # the poll hangs for 120 s
        )
    except subprocess.TimeoutExpired:
        pytest.fail("the process's exit waited for the poll in flight")
    assert done.returncode == 0 and done.stdout == "stopped\n", done.stderr


def test_an_interval_too_long_for_a_date_is_a_config_error_not_a_crash(tmp_path: Path) -> None:
    # interval_minutes = 10**12 raised OverflowError: the scheduler did not start, and a config
    # changed to it while serving made /api/status a 500.
    ws = _ws(tmp_path / "ws", '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/a"\n')
    scheduler = FeedScheduler(ws)
    scheduler.start()
    try:
        assert scheduler.status()["scheduled"] == ["a"]
        _write_config(
            ws,
            '[[feeds]]\nname = "a"\nurl = "http://127.0.0.1:9/a"\ninterval_minutes = 1000000000000\n',
        )
        status = scheduler.status()
        assert status["config_error"].startswith(
            "feed a: an interval of 1000000000000 minutes is too long"
        )
        assert status["scheduled"] == []
    finally:
        scheduler.stop()
