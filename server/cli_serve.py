"""`papershelf serve` and `papershelf token`."""

from __future__ import annotations

import errno
import logging
import socket
import time
from pathlib import Path
from typing import Any

import click

from papershelf import __version__
from papershelf.sync.errors import PapershelfError

from .cli_common import emit, get_workspace, json_option, workspace_option
from .token import load_token, rotate_token, token_path

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765


def register(group: click.Group) -> None:
    """Add `serve` and `token` to the root `papershelf` group."""
    group.add_command(serve_command)
    group.add_command(token_command)


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
    workspace = get_workspace(workspace_dir)
    bind_host = "127.0.0.1" if host.lower() == "localhost" else host
    # Before anything starts (the index, sync, the scheduler): a second serve of a workspace
    # would only fail later, after starting a second sync attempt and a second scheduler.
    claim = claim_workspace(workspace.root)
    refuse_second_server(workspace.root, bind_host, port)
    # Claimed at once (the URL once bound), so a serve started meanwhile is refused too.
    write_server_state(f"http://{url_host(bind_host)}:{port}", workspace)
    signalled = None
    try:
        if not is_loopback(host):
            click.echo(
                f"papershelf: warning: listening on {host}; other machines may reach the API "
                "(the token still guards it).",
                err=True,
            )
        keep_big_buffers()
        token = load_token(create=True)
        retry = RetryPolicy(base_delay_seconds=clip_retry_seconds)
        services = Services.build(workspace, retry=retry)
        app = create_app(
            {
                "PAPERSHELF_SERVICES": services,
                "PAPERSHELF_ALLOWED_HOSTS": frozenset() if is_loopback(host) else {host},
            }
        )
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
        sample = workspace_dir is None and is_sample_workspace(workspace.root)

        def ready() -> None:
            click.echo(f"papershelf {__version__} serving {workspace.root} at {url}")
            if sample:
                click.echo(SAMPLE_NOTE)
            click.echo(_parts_line(services.status()))
            click.echo(f"Pair the browser extension: set its server to {url} and its token to")
            click.echo(f"  {token}")
            click.echo(f"Review feed candidates: {pairing_link(app, url)}")
            click.echo("Press Ctrl+C to stop.", nl=True)

        name = wait_for_signal(on_ready=ready)
        signalled = time.monotonic()
        click.echo(f"papershelf: {name}: stopping...")
        shutdown(running, lambda budget: services.stop(timeout_seconds=budget))
    finally:
        clear_server_state()
        claim.release()
    # From the signal to the last part stopped, the state file included.
    click.echo(f"papershelf: stopped in {time.monotonic() - signalled:.2f} s")


SAMPLE_NOTE = (
    "This is the sample workspace. To use your own lists: papershelf init PATH/TO/YOUR/LISTS"
    " (a git clone of them), then papershelf serve again."
)


def is_sample_workspace(root: Path) -> bool:
    """Whether `root` is the default workspace papershelf made (nothing configured)."""
    from papershelf.sync.workspace import configured_workspace_dir, default_workspace_dir

    return configured_workspace_dir() is None and root == default_workspace_dir().resolve()


def claim_workspace(root: Path) -> Any:
    """Hold the one-serve lock of `root` for this process's serve, or fail in one line.

    The server state file says which serve runs; this lock makes reading and writing it one
    step, so two serves started in the same instant cannot both pass the check.
    """
    import hashlib

    from filelock import FileLock, Timeout

    from papershelf.sync.paths import data_dir

    from .services import read_server_state

    digest = hashlib.sha256(str(root).encode("utf-8", "surrogateescape")).hexdigest()[:24]
    lock = FileLock(str(data_dir() / f"serve-{digest}.lock"), timeout=0)
    try:
        lock.acquire()
    except Timeout:
        running = read_server_state()
        if running is not None and running.get("workspace") == str(root):
            refuse_second_server(root, "127.0.0.1", 0)  # names it, as a later refusal does
        raise PapershelfError(
            f"papershelf serve is starting for {root} in another process: use it once it"
            " answers, or stop it first."
        ) from None
    return lock


def refuse_second_server(root: Path, host: str, port: int) -> None:
    """Fail at once, in one line naming it, when a papershelf serve already runs for `root`, or
    when `port` is taken (by another papershelf, or by another program)."""
    from .services import read_server_state

    running = read_server_state()
    if running is not None and running.get("workspace") == str(root):
        raise PapershelfError(
            f"papershelf serve already runs for {root} at {running.get('url')} (pid "
            f"{running.get('pid')}): use it, or stop it first (Ctrl+C in its terminal)."
        )
    if port == 0 or port_is_free(host, port):
        return
    if running is not None and str(running.get("url", "")).endswith(f":{port}"):
        raise PapershelfError(
            f"Cannot listen on {host}:{port}: papershelf serve (pid {running.get('pid')}) serves"
            f" {running.get('workspace')} there; to serve this workspace as well, give it"
            " another port (--port)."
        )
    raise PapershelfError(
        f"Cannot listen on {host}:{port}: another program uses it; give another port (--port)."
    )


def port_is_free(host: str, port: int) -> bool:
    """Whether `host:port` can be bound now (as waitress binds: SO_REUSEADDR)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        return True  # a name that does not resolve: the server's own bind says why
    family, kind, proto, _name, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return exc.errno != errno.EADDRINUSE
    return True


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
