"""The APScheduler 3 feed scheduler: jobs per feed, status with next poll, persisted state."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from feeds_http import FEED_FIXTURES, FeedServer, Reply, fixture_bytes
from server_support import wait_until

from feeds.scheduler import FeedScheduler, load_status, trigger_for
from feeds.sources import FeedSource
from sync.workspace import open_workspace


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
    scheduler = FeedScheduler(open_workspace(ws.root))
    scheduler.start()
    try:
        status = scheduler.status()
        assert status["config_error"] == (
            f"{config}: poll.interval_minutes must be a whole number ≥ 1."
        )
        assert status["scheduled"] == []
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
        (job,) = scheduler._scheduler.get_jobs()
        assert job.coalesce is True and job.max_instances == 1 and job.misfire_grace_time == 3600
    finally:
        scheduler.stop()
