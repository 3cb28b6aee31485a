"""When the sync daemon acts (papershelf.sync.gitsync.schedule): pure, so every rule is checked at chosen
times without waiting."""

from __future__ import annotations

from papershelf.sync.gitsync.schedule import MAX_WAIT_QUIET_PERIODS, Due, Schedule


def schedule() -> Schedule:
    return Schedule(
        quiet_seconds=2.0, pull_interval_seconds=60.0, retry_seconds=5.0, retry_max_seconds=30.0
    )


def test_a_commit_waits_for_a_quiet_period_after_the_last_change() -> None:
    plan = schedule()
    plan.next_pull_at = 1000.0
    assert plan.due(10.0) == Due(commit=False, pull=False, retry=False)
    plan.changed(10.0)
    plan.changed(11.0)  # another save restarts the quiet period
    assert not plan.due(12.5).commit
    assert plan.due(13.0).commit
    assert plan.wait_seconds(12.0) == 1.0


def test_busy_files_are_committed_after_at_most_ten_quiet_periods() -> None:
    plan = schedule()
    plan.next_pull_at = 1000.0
    for second in range(0, 40):
        plan.changed(float(second))  # a change every second, never quiet for 2 s
    limit = 2.0 * MAX_WAIT_QUIET_PERIODS
    assert plan.commit_at() == limit
    assert plan.due(limit).commit and not plan.due(limit - 0.1).commit


def test_a_pull_comes_at_its_interval() -> None:
    plan = schedule()
    assert plan.due(0.0).pull  # the first pull at once
    plan.pulled(0.0)
    assert not plan.due(59.9).pull and plan.due(60.0).pull
    assert plan.due(60.0).share_now()


def test_an_unreachable_remote_backs_off_doubling_up_to_the_limit() -> None:
    plan = schedule()
    plan.next_pull_at = 1000.0
    waits = [plan.unreachable(0.0) for _ in range(5)]
    assert waits == [5.0, 10.0, 20.0, 30.0, 30.0]
    assert plan.backing_off(29.9) and not plan.backing_off(30.0)
    assert plan.due(30.0).retry and plan.wait_seconds(0.0) == 30.0
    plan.reached()
    assert not plan.due(30.0).retry


def test_a_cycle_kept_out_by_another_process_is_tried_a_quiet_period_later() -> None:
    plan = schedule()
    plan.pulled(0.0)  # next pull at 60
    plan.unreachable(0.0)  # retry at 5
    plan.busy(10.0, shared=True)
    assert plan.dirty and plan.commit_at() == 12.0
    assert plan.next_pull_at == 12.0  # the share that was due comes with the commit
    assert plan.retry_at == 12.0  # a retry never before then
