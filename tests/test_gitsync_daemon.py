"""The sync daemon on real repositories: watch, commit with meaning, pull with rebase, push."""

from __future__ import annotations

import os
import subprocess
import threading

from gitsync_support import (
    LIST_NAME,
    QUIET_SECONDS,
    add_entry,
    clone,
    entry,
    git,
    messages,
    remote_file,
    start_daemon,
    workspace,
)
from polling import wait_until

from papershelf.sync.gitsync.daemon import SyncDaemon, load_status

QUIET = QUIET_SECONDS


_start = start_daemon


def committed_message(daemon: SyncDaemon) -> str:
    """The message of the commit one `run_once` makes (it must make one)."""
    committed = daemon.run_once().committed
    assert committed is not None, "nothing was committed"
    return committed["message"]


def test_a_clip_is_committed_with_its_meaning_and_pushed(tmp_path, remote, daemons) -> None:
    work = clone(remote, tmp_path / "work")
    daemon = _start(work, daemons)
    wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Zeta Paper on Clipping", "2406.00006"))
    wait_until(lambda: "Zeta Paper" in remote_file(remote), what="the push")
    subject = messages(work)[0]
    assert subject == 'Add "Zeta Paper on Clipping" to training.md › Optimization'
    assert git(remote, "log", "-1", "--format=%an <%ae>").strip() == (
        "Test Curator <curator@example.invalid>"
    )

    def pushed_and_clean() -> dict | None:
        status = daemon.status()
        done = status["last_push"] and status["last_push"]["ok"] and not status["pending"]
        return status if done and status["last_commit"]["message"] == subject else None

    status = wait_until(pushed_and_clean, what="the status after the push")
    assert status["last_commit"]["message"] == subject
    assert status["last_push"]["ok"] is True and status["error"] is None
    assert status["pending"] == [] and status["remote"] == "origin/main"
    # Another process reads the same through load_status.
    sha = status["last_commit"]["sha"]
    wait_until(
        lambda: (load_status(workspace(work))["last_commit"] or {}).get("sha") == sha,
        what="the persisted status",
    )


def test_pending_changes_are_committed_on_start(tmp_path, remote, daemons) -> None:
    work = clone(remote, tmp_path / "work")
    add_entry(work / LIST_NAME, "- [Delta", entry("Eta Paper", "2407.00007"))
    (work / ".papershelf").mkdir()
    (work / ".papershelf" / "rejected.txt").write_text("arxiv:2301.00001\n", encoding="utf-8")
    _start(work, daemons)
    wait_until(lambda: "Eta Paper" in remote_file(remote), what="the commit of pending changes")
    assert git(work, "status", "--porcelain").strip() == ""
    body = git(work, "log", "-1", "--format=%B")
    assert "Eta Paper" in body and ".papershelf/rejected.txt" in body


def test_editor_save_by_rename_is_one_commit_and_junk_is_ignored(tmp_path, remote, daemons) -> None:
    work = clone(remote, tmp_path / "work")
    (work / ".gitignore").write_text("drafts/\n", encoding="utf-8")
    git(work, "add", ".gitignore")
    git(work, "commit", "-q", "-m", "ignore drafts")
    daemon = _start(work, daemons)
    wait_until(lambda: daemon.status()["last_push"], what="the first push")
    before = len(messages(work))
    path = work / LIST_NAME
    # vim: swap file, the 4913 probe, a backup, then write a temp file and rename it over.
    (work / f".{LIST_NAME}.swp").write_bytes(b"\x00swap")
    (work / "4913").write_bytes(b"")
    (work / f"{LIST_NAME}~").write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (work / "drafts").mkdir()
    (work / "drafts" / "later.md").write_text("# not yet\n", encoding="utf-8")
    (work / "tool.py").write_text("print('not a list')\n", encoding="utf-8")  # not a list file
    text = path.read_text(encoding="utf-8").replace(
        "- [Delta", entry("Theta Paper", "2408.00008") + "\n- [Delta"
    )
    tmp = work / f".{LIST_NAME}.tmp123"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    wait_until(lambda: "Theta Paper" in remote_file(remote), what="the editor's save")
    assert len(messages(work)) == before + 1
    assert messages(work)[0] == 'Add "Theta Paper" to training.md › Alignment'
    tracked = git(work, "ls-files").split()
    assert not any(
        n.endswith((".swp", "~")) or n == "4913" or n.startswith("drafts") for n in tracked
    )
    assert "tool.py" not in tracked and "?? tool.py" in git(work, "status", "--porcelain")


def test_rapid_writes_give_few_commits_and_lose_nothing(tmp_path, remote, daemons) -> None:
    work = clone(remote, tmp_path / "work")
    daemon = _start(work, daemons)
    wait_until(lambda: daemon.status()["last_pull"], what="the first pull")
    before = len(messages(work))
    path = work / LIST_NAME
    for n in range(200):
        add_entry(path, "- [Delta", entry(f"Rapid Paper {n}", f"2409.{n:05d}"))
    wait_until(lambda: "Rapid Paper 199" in remote_file(remote), what="the last write to be pushed")
    wait_until(lambda: not daemon.status()["pending"], what="nothing pending")
    committed = git(work, "show", f"HEAD:{LIST_NAME}")
    assert committed == path.read_text(encoding="utf-8") == remote_file(remote)
    assert all(f"Rapid Paper {n}]" in committed for n in range(200))
    assert 1 <= len(messages(work)) - before <= 5


def test_two_curators_adding_to_one_section_at_once_merge_cleanly(
    tmp_path, remote, daemons
) -> None:
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    da, db = _start(a, daemons), _start(b, daemons)
    wait_until(lambda: da.status()["last_pull"] and db.status()["last_pull"], what="first pulls")
    iota = entry("Iota", "2410.00010", "Oct. 1 2024")
    kappa = entry("Kappa", "2411.00011", "Nov. 1 2024")
    top = {"before": True}  # newest first: each curator adds at the top of Optimization
    writers = [
        threading.Thread(target=add_entry, args=(a / LIST_NAME, "- [Gamma", iota), kwargs=top),
        threading.Thread(target=add_entry, args=(b / LIST_NAME, "- [Gamma", kappa), kwargs=top),
    ]
    for t in writers:
        t.start()
    for t in writers:
        t.join()

    def both_on_remote() -> bool:
        text = remote_file(remote)
        return "[Iota]" in text and "[Kappa]" in text

    wait_until(both_on_remote, what="both additions on the remote")
    da.run_once()
    db.run_once()
    final = remote_file(remote)
    assert "<<<<<<<" not in final and ">>>>>>>" not in final and "=======" not in final
    assert (
        (a / LIST_NAME).read_text(encoding="utf-8")
        == final
        == (b / LIST_NAME).read_text(encoding="utf-8")
    )
    # The section is newest first: both new entries sit at its top, in date order.
    lines = [x for x in final.splitlines() if x.startswith("- [")]
    assert lines[:3] == [
        kappa,
        iota,
        entry("Gamma Paper on Optimizers", "2403.00003", "Mar. 3 2024"),
    ]
    assert final.count("[Iota]") == 1 and final.count("[Kappa]") == 1
    for root in (a, b):
        assert git(root, "status", "--porcelain").strip() == ""
        assert not (root / ".git" / "rebase-merge").exists()
    assert da.status()["conflict"] is None and db.status()["conflict"] is None


def test_rebase_uses_the_list_driver_where_git_alone_would_conflict(tmp_path, remote) -> None:
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    lam = entry("Lambda", "2412.00012", "Dec. 1 2024")
    mu = entry("Mu", "2501.00013", "Jan. 1 2025")
    add_entry(a / LIST_NAME, "- [Gamma", lam, before=True)
    assert SyncDaemon(workspace(a)).run_once().pushed
    add_entry(b / LIST_NAME, "- [Gamma", mu, before=True)
    git(b, "commit", "-q", "-am", "Mu, committed by hand")
    # Plain git cannot merge these two additions at one place.
    probe = tmp_path / "probe"
    clone(remote, probe)
    git(probe, "fetch", "-q", str(b), "main:theirs")
    done = subprocess.run(["git", "merge", "theirs"], cwd=probe, capture_output=True, text=True)
    assert done.returncode != 0 and "CONFLICT" in done.stdout
    result = SyncDaemon(workspace(b)).run_once()
    assert result.ok and result.pushed, result
    text = remote_file(remote)
    assert text.index(mu) < text.index(lam) < text.index("- [Gamma")
    assert messages(b)[:2] == [
        "Mu, committed by hand",
        'Add "Lambda" to training.md › Optimization',
    ]


def test_a_push_refused_because_the_remote_moved_on_is_fetched_rebased_and_pushed(
    tmp_path, remote, daemons
) -> None:
    # After a commit the daemon pushes straight away; when someone else pushed in between, git
    # refuses that push, and the daemon fetches, rebases its commit on theirs and pushes again.
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    db = _start(b, daemons, pull_interval_seconds=3600)  # no interval pull gets in the way
    wait_until(lambda: db.status()["last_pull"], what="the first pull")
    add_entry(a / LIST_NAME, "- [Delta", entry("Nu Paper", "2502.00014"))
    assert SyncDaemon(workspace(a)).run_once().pushed
    theirs = git(remote, "rev-parse", "main").strip()
    add_entry(b / LIST_NAME, "- [Gamma", entry("Xi Paper", "2503.00015"))

    def both_on_remote() -> bool:
        text = remote_file(remote)
        return "Nu Paper" in text and "Xi Paper" in text

    wait_until(both_on_remote, what="the rebased push")
    assert git(remote, "log", "-1", "--format=%P", "main").strip() == theirs  # rebased, no merge
    assert messages(remote)[:2] == [
        'Add "Xi Paper" to training.md › Optimization',
        'Add "Nu Paper" to training.md › Alignment',
    ]
    status = wait_until(
        lambda: ((s := db.status())["last_push"] or {}).get("ok") and s["ahead"] == 0 and s,
        what="the status after the push",
    )
    assert status["error"] is None and status["conflict"] is None
    assert (b / LIST_NAME).read_text(encoding="utf-8") == remote_file(remote)
    assert git(b, "status", "--porcelain").strip() == ""


def test_a_commit_made_by_hand_in_between_is_not_described_again(tmp_path, remote) -> None:
    # The daemon remembers the bytes it committed last; a commit someone made in between (or a
    # rebase) changes HEAD, and the next message must describe only the change since HEAD.
    work = clone(remote, tmp_path / "work")
    daemon = SyncDaemon(workspace(work))
    add_entry(work / LIST_NAME, "- [Gamma", entry("Omicron", "2504.00016"))
    assert committed_message(daemon).startswith('Add "Omicron"')
    add_entry(work / LIST_NAME, "- [Delta", entry("By Hand", "2505.00017"))
    git(work, "commit", "-q", "-am", "Add a paper by hand")
    add_entry(work / LIST_NAME, "- [Delta", entry("Pi Paper", "2506.00018"))
    assert committed_message(daemon) == 'Add "Pi Paper" to training.md › Alignment'
    # And after its own commit the remembered bytes are the old side of the next change.
    add_entry(work / LIST_NAME, "- [Gamma", entry("Rho Paper", "2507.00019"))
    assert committed_message(daemon) == 'Add "Rho Paper" to training.md › Optimization'
    assert "Rho Paper" in remote_file(remote) and "By Hand" in remote_file(remote)


def test_a_running_daemon_pulls_on_its_interval(tmp_path, remote, daemons) -> None:
    # Curators see each other's additions without writing anything themselves.
    a = clone(remote, tmp_path / "a")
    b = clone(remote, tmp_path / "b")
    db = _start(b, daemons, pull_interval_seconds=0.5)
    wait_until(lambda: db.status()["last_pull"], what="the first pull")
    add_entry(a / LIST_NAME, "- [Delta", entry("Sigma Paper", "2508.00020"))
    assert SyncDaemon(workspace(a)).run_once().pushed
    wait_until(
        lambda: "Sigma Paper" in (b / LIST_NAME).read_text(encoding="utf-8"), what="the pull"
    )
    wait_until(lambda: git(b, "rev-parse", "HEAD") == git(remote, "rev-parse", "main"), what="HEAD")
    assert git(b, "status", "--porcelain").strip() == ""
    assert db.status()["error"] is None


def test_author_from_git_config_template_from_settings_fallback_identity(
    tmp_path, remote, monkeypatch
) -> None:
    for var in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{var}_NAME", raising=False)
        monkeypatch.delenv(f"GIT_{var}_EMAIL", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.gitconfig identity
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    work = clone(remote, tmp_path / "work")
    git(work, "config", "user.name", "Config Curator")
    git(work, "config", "user.email", "config@example.invalid")
    ws = workspace(work, '[sync]\nmessage_template = "papers: {summary}"\n')
    add_entry(work / LIST_NAME, "- [Gamma", entry("Tau Paper", "2509.00021"))
    result = SyncDaemon(ws).run_once()
    assert result.ok, result
    assert messages(work)[0] == (
        'papers: Add "Tau Paper" to training.md › Optimization; update .papershelf/config.toml'
    )
    assert git(work, "log", "-1", "--format=%an <%ae>").strip() == (
        "Config Curator <config@example.invalid>"
    )
    # No identity at all (and git told not to guess one): committed as papershelf, not lost.
    git(work, "config", "--unset", "user.name")
    git(work, "config", "--unset", "user.email")
    git(work, "config", "user.useConfigOnly", "true")
    add_entry(work / LIST_NAME, "- [Gamma", entry("Upsilon Paper", "2510.00022"))
    result = SyncDaemon(ws).run_once()
    assert result.ok, result
    assert messages(work)[0] == 'papers: Add "Upsilon Paper" to training.md › Optimization'
    assert git(work, "log", "-1", "--format=%an <%ae>").strip() == (
        "papershelf <papershelf@localhost>"
    )
    assert "Upsilon Paper" in remote_file(remote)
