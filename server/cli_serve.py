"""`papershelf serve`, `papershelf token` and `papershelf status`."""

from __future__ import annotations

import logging
from typing import Any

import click

from sync import __version__

from .cli_common import emit, get_workspace, json_option, workspace_option
from .token import load_token, rotate_token, token_path

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
STATUS_TIMEOUT_SECONDS = 2.0


def register(group: click.Group) -> None:
    """Add `serve`, `token` and `status` to the root `papershelf` group."""
    group.add_command(serve_command)
    group.add_command(token_command)
    group.add_command(status_command)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=DEFAULT_PORT,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port).",
)
@click.option("--no-sync", is_flag=True, help="Do not run the sync daemon (no commits, no pushes).")
@click.option("--no-feeds", is_flag=True, help="Do not run the feed scheduler.")
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow --host to be an address other machines can reach (not recommended).",
)
@click.option(
    "--threads", default=8, show_default=True, type=click.IntRange(1, 64), help="HTTP threads."
)
@click.option(
    "--clip-retry-seconds",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0.01, 3600),
    help="First wait before retrying a clip queued while arXiv is unreachable (doubles, max 1 h).",
)
@workspace_option
def serve_command(
    host: str,
    port: int,
    no_sync: bool,
    no_feeds: bool,
    allow_remote: bool,
    threads: int,
    clip_retry_seconds: float,
    workspace_dir: str | None,
) -> None:
    """Run the HTTP server, the sync daemon and the feed scheduler until Ctrl+C."""
    from .app import create_app
    from .clips import RetryPolicy
    from .review import pairing_link
    from .services import Services, clear_server_state, write_server_state
    from .serving import (
        check_bind_host,
        is_loopback,
        keep_big_buffers,
        settle_heap,
        shutdown,
        start_server,
        url_host,
        wait_for_signal,
    )

    check_bind_host(host, allow_remote)
    if not is_loopback(host):
        click.echo(
            f"papershelf: warning: listening on {host}; other machines may reach the API "
            "(the token still guards it).",
            err=True,
        )
    keep_big_buffers()
    workspace = get_workspace(workspace_dir)
    token = load_token(create=True)
    retry = RetryPolicy(base_delay_seconds=clip_retry_seconds)
    services = Services.build(workspace, retry=retry)
    app = create_app(
        {
            "PAPERSHELF_SERVICES": services,
            "PAPERSHELF_ALLOWED_HOSTS": frozenset() if is_loopback(host) else {host},
        }
    )
    bind_host = "127.0.0.1" if host.lower() == "localhost" else host
    # Parts first, so the first request already sees them running.
    services.start(sync=not no_sync, feeds=not no_feeds)
    settle_heap()
    try:
        running = start_server(app, bind_host, port, threads=threads, before_serving=app.config)
    except BaseException:
        services.stop()
        raise
    url = f"http://{url_host(bind_host)}:{running.port}"
    write_server_state(url, workspace)

    def ready() -> None:
        click.echo(f"papershelf {__version__} serving {workspace.root} at {url}")
        click.echo(_parts_line(services.status()))
        click.echo(f"Pair the browser extension: set its server to {url} and its token to")
        click.echo(f"  {token}")
        click.echo(f"Review feed candidates: {pairing_link(app, url)}")
        click.echo("Press Ctrl+C to stop.", nl=True)

    try:
        name = wait_for_signal(on_ready=ready)
        click.echo(f"papershelf: {name}: stopping...")
        seconds = shutdown(running, lambda budget: services.stop(timeout_seconds=budget))
        click.echo(f"papershelf: stopped in {seconds:.1f} s")
    finally:
        clear_server_state()


def _parts_line(status: dict[str, Any]) -> str:
    """ "sync: running, feeds: off, clip queue: 0 queued" for the start banner."""
    parts = []
    for name in ("sync", "feeds"):
        part = status[name]
        text = f"{name}: {part['state']}"
        if part.get("reason"):
            text += f" ({part['reason']})"
        parts.append(text)
    clips = status["clips"]
    parts.append(
        f"clip queue: error ({clips['error']})"
        if "queued" not in clips
        else f"queued clips: {clips['queued']}"
    )
    return "; ".join(parts)


@click.command("token")
@click.option(
    "--rotate", is_flag=True, help="Replace the token (paired extensions must pair again)."
)
@json_option
def token_command(rotate: bool, as_json: bool) -> None:
    """Print the pairing token the browser extension needs (made on first use)."""
    token = rotate_token() if rotate else load_token(create=True)
    emit(
        {"token": token, "path": str(token_path()), "rotated": rotate},
        as_json,
        lambda r: r["token"],
    )


def live_status() -> dict[str, Any] | None:
    """The running server's `/api/status`, or None when no server answers."""
    import requests

    from .security import TOKEN_HEADER
    from .services import read_server_state

    state = read_server_state()
    token = load_token(create=False)
    if state is None or token is None:
        return None
    try:
        answer = requests.get(
            f"{state['url']}/api/status",
            headers={TOKEN_HEADER: token},
            timeout=STATUS_TIMEOUT_SECONDS,
        )
        body = answer.json()
    except (requests.RequestException, ValueError):
        return None
    if answer.status_code != 200 or not isinstance(body, dict):
        return None
    body.pop("ok", None)
    body["server"] = {"state": "running", "url": state["url"], "pid": state["pid"]}
    return body


@click.command("status")
@workspace_option
@json_option
def status_command(workspace_dir: str | None, as_json: bool) -> None:
    """Show sync (last commit, pending, last push, error), feeds (last poll, errors), queued clips."""
    from .services import offline_status

    workspace = get_workspace(workspace_dir)
    status = live_status()
    if status is None or status.get("workspace") != str(workspace.root):
        status = offline_status(workspace)
    emit(status, as_json, describe_status)


#: Keys a part's line leaves out: the state leads the line, the workspace has a line of its own.
_NOT_SHOWN = {"state", "workspace", "updated"}


def _shown(value: Any) -> str:
    """A status value for people: a commit as sha and subject, a push as ok/failed, no reprs."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if not isinstance(value, dict):
        return str(value).split("\n", 1)[0]
    if "sha" in value:
        subject = str(value.get("message") or "").split("\n", 1)[0]
        return f'{str(value["sha"])[:7]} "{subject}" at {value.get("time")}'
    if "files" in value:
        return f"in {_shown(value['files'])}: {'; '.join(map(str, value.get('details') or []))}"
    if "ok" in value:
        outcome = "ok" if value["ok"] else "failed"
        error = f" ({value['error']})" if value.get("error") else ""
        return f"{outcome} at {value.get('time')}{error}"
    return ", ".join(f"{k.replace('_', ' ')} {_shown(v)}" for k, v in value.items())


def _fields(part: dict[str, Any]) -> str:
    hidden = set(_NOT_SHOWN)
    if part.get("state") == "running" or part.get("running") is False:
        hidden |= {"running", "pid"}  # said by the state, or the pid of a process now gone
    shown = [
        f"{k.replace('_', ' ')} {_shown(v)}"
        for k, v in part.items()
        if k not in hidden and v is not False and v not in (None, "", [], {})
    ]
    return f"{part.get('state', 'unknown')}" + (f" ({'; '.join(shown)})" if shown else "")


def describe_status(status: dict[str, Any]) -> str:
    """The status for people: one line per part, one per queued or failed clip."""
    server = status.get("server", {})
    lines = [
        f"server: {server.get('state', 'unknown')}"
        + (f" at {server['url']}" if server.get("url") else ""),
        f"workspace: {status['workspace']}",
        f"sync: {_fields(status.get('sync', {}))}",
        f"feeds: {_fields(status.get('feeds', {}))}",
    ]
    clips = status.get("clips", {})
    if "queued" not in clips and clips.get("error"):  # the queue could not be read
        lines.append(f"clips: error ({clips['error']})")
    else:
        lines.append(f"clips: {clips.get('queued', 0)} queued, {clips.get('failed', 0)} failed")
    for item in clips.get("items", []):
        if item["state"] == "done":
            continue
        where = f"{item['list']} › {item['section']}"
        what = item.get("arxiv_id") or item.get("url") or item["identity"]
        extra = f"attempts {item['attempts']}"
        if item.get("next_attempt_at"):
            extra += f", next {item['next_attempt_at']}"
        if item.get("last_error"):
            extra += f", {item['last_error']}"
        lines.append(f"  #{item['id']} {item['state']}: {what} -> {where} ({extra})")
    return "\n".join(lines)
