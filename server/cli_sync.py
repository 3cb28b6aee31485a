"""`papershelf sync [--once]` and the hidden `papershelf merge-driver` git calls."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

import click

from papershelf.sync.gitsync.daemon import SyncDaemon
from papershelf.sync.gitsync.mergedriver import main as merge_driver_main
from papershelf.sync.gitsync.settings import QUIET_SECONDS

from .cli_common import emit, get_workspace, json_option, workspace_option

#: How long `papershelf sync` waits for the cycle in flight when asked to stop.
STOP_TIMEOUT_SECONDS = 60.0


def _once_text(result: dict[str, Any]) -> str:
    """The human summary of one `sync --once` step."""
    lines = []
    committed = result.get("committed")
    if committed:
        lines.append(f"committed {committed['sha'][:10]}: {committed['message'].splitlines()[0]}")
    else:
        lines.append("nothing to commit")
    remote = result.get("remote")
    if not remote:
        lines.append("no remote: commits stay local")
    else:
        pulled = "pulled" if result.get("pulled") else "did not pull"
        pushed = "pushed" if result.get("pushed") else "nothing pushed"
        lines.append(f"{remote}: {pulled}, {pushed}")
    conflict = result.get("conflict")
    if conflict:
        lines.append("conflict, sharing paused: " + "; ".join(conflict.get("details") or []))
    return "\n".join(lines)


def _quiet_seconds_in_range(
    _ctx: click.Context, _param: click.Parameter, value: float | None
) -> float | None:
    """The --quiet-seconds flag, held to the range its setting has (nan, inf, 1e12 refused)."""
    if value is None:
        return None
    try:
        return float(QUIET_SECONDS.coerce(value))
    except ValueError as exc:
        raise click.BadParameter(f"{exc}.") from None


def register(group: click.Group) -> None:
    """Add this area's commands to the root `papershelf` group."""

    @group.command("sync")
    @click.option(
        "--once", is_flag=True, help="Commit what is pending, pull with rebase, push, exit."
    )
    @click.option(
        "--quiet-seconds",
        type=float,
        default=None,
        callback=_quiet_seconds_in_range,
        help="Seconds (0 to 86400) without changes before committing (default: "
        "sync.quiet_seconds).",
    )
    @workspace_option
    @json_option
    def sync_command(
        once: bool, quiet_seconds: float | None, workspace_dir: str | None, as_json: bool
    ) -> None:
        """Run the sync daemon alone (until Ctrl-C or SIGTERM), or step it once with --once."""
        workspace = get_workspace(workspace_dir)
        daemon = SyncDaemon(workspace, quiet_seconds=quiet_seconds)
        if once:
            result = daemon.run_once(
                on_wait=lambda why: click.echo(f"papershelf sync: {why}", err=True)
            )
            if as_json or not result.busy:  # gave up waiting: the error line says it all
                emit(result.to_dict(), as_json, _once_text)
            if not result.ok:
                problem = result.error or "sharing is paused by a conflict"
                click.echo(f"papershelf: error: {problem}", err=True)
                sys.exit(1)
            return
        _run_until_signalled(daemon, as_json)

    @group.command("merge-driver", hidden=True)
    @click.argument("base")
    @click.argument("ours")
    @click.argument("theirs")
    @click.argument("path", required=False, default="")
    def merge_driver_command(base: str, ours: str, theirs: str, path: str) -> None:
        """git's merge driver for list files (see docs/sync.md); exit 1 on a conflict."""
        sys.exit(merge_driver_main([base, ours, theirs, *([path] if path else [])]))


def _run_until_signalled(daemon: SyncDaemon, as_json: bool) -> None:
    """Start the daemon and block until SIGINT or SIGTERM; the commit in flight finishes."""
    stop = threading.Event()
    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[signum] = signal.signal(signum, lambda *_args: stop.set())
    try:
        daemon.start()
        status = daemon.status()
        if not as_json:
            click.echo(
                f"papershelf sync: watching {daemon.root} "
                f"(remote: {status.get('remote') or 'upstream'}); Ctrl-C stops",
                err=True,
            )
        while not stop.wait(0.5):
            pass
        click.echo("papershelf sync: stopping; the commit in flight finishes first", err=True)
    finally:
        daemon.stop(timeout_seconds=STOP_TIMEOUT_SECONDS)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    emit(daemon.status(), as_json, None)
