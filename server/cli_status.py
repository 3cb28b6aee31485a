"""`papershelf status`: a short summary for people; every detail with `--json`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from .cli_common import emit, get_workspace, json_option, workspace_option
from .token import load_token

STATUS_TIMEOUT_SECONDS = 2.0
#: Files named in "N changes waiting to be committed: a, b, c and 2 more".
SHOWN_FILES = 3


def register(group: click.Group) -> None:
    """Add `status` to the root `papershelf` group."""
    group.add_command(status_command)


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
    """Summarise the server, sync, feeds and queued clips (--json: every detail)."""
    from .services import offline_status

    workspace = get_workspace(workspace_dir)
    status = live_status()
    if status is None or status.get("workspace") != str(workspace.root):
        status = offline_status(workspace)
    emit(status, as_json, describe_status)


# -- the summary (pure) ---------------------------------------------------------------------------


def when(value: Any) -> str:
    """A recorded time (ISO 8601 or epoch seconds) as "2026-12-05 16:12 UTC"."""
    try:
        if isinstance(value, int | float):
            moment = datetime.fromtimestamp(value, UTC)
        else:
            moment = datetime.fromisoformat(str(value)).astimezone(UTC)
    except (ValueError, TypeError, OverflowError, OSError):
        return str(value)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _first_line(text: Any) -> str:
    return str(text or "").strip().split("\n", 1)[0]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:SHOWN_FILES])
    return shown + (f" and {len(items) - SHOWN_FILES} more" if len(items) > SHOWN_FILES else "")


def _server_line(status: dict[str, Any]) -> str:
    server = status.get("server") or {}
    if server.get("state") == "running":
        pid = f" (pid {server['pid']})" if server.get("pid") else ""
        return f"server: running at {server.get('url')}{pid}"
    return "server: not running (papershelf serve starts it)"


def _part_state(part: dict[str, Any], alive: bool) -> str:
    """running / not running / error (why)."""
    state = part.get("state")
    if state in ("error", "off") and part.get("reason"):
        return f"{state} ({part['reason']})"
    if state == "running" or (state == "recorded" and alive):
        return "running" + (
            f" (pid {part['pid']})" if state == "recorded" and part.get("pid") else ""
        )
    return "off" if state == "off" else "not running"


def sync_lines(sync: dict[str, Any]) -> list[str]:
    """The sync daemon: where commits go, the last one, then only what needs a look."""
    head = [_part_state(sync, bool(sync.get("running")))]
    if sync.get("remote"):
        head.append(f"commits go to {sync['remote']}")
    commit = sync.get("last_commit")
    if isinstance(commit, dict) and commit.get("sha"):
        head.append(
            f'last commit {str(commit["sha"])[:7]} "{_first_line(commit.get("message"))}"'
            f" at {when(commit.get('time'))}"
        )
    lines = ["sync: " + "; ".join(head)]
    pending = [str(p) for p in sync.get("pending") or []]
    if pending:
        lines.append(
            f"  {_count(len(pending), 'change')} waiting to be committed: {_names(pending)}"
        )
    ahead = int(sync.get("ahead") or 0)
    push = sync.get("last_push")
    error = _first_line(sync.get("error"))
    if ahead:
        lines.append(f"  {_count(ahead, 'commit')} not pushed yet")
    if isinstance(push, dict) and push.get("ok") is False:
        said = push.get("error") and str(push["error"]) not in error
        lines.append(
            f"  last push failed at {when(push.get('time'))}"
            + (f": {_first_line(push['error'])}" if said else "")
        )
    conflict = sync.get("conflict")
    if isinstance(conflict, dict):
        files = ", ".join(conflict.get("files") or []) or "the lists"
        details = "; ".join(map(str, conflict.get("details") or []))
        lines.append(
            f"  conflict in {files}, sharing paused: {details}"
            " (docs/sync.md says how to resolve it)"
        )
    elif sync.get("paused"):
        lines.append("  sharing paused")
    if error:
        lines.append(f"  error: {error}")
    if sync.get("notice"):
        lines.append(f"  note: {_first_line(sync['notice'])}")
    return lines


def feeds_lines(feeds: dict[str, Any]) -> list[str]:
    """The feeds: how many, when polled, candidates waiting, and each feed's error."""
    state = _part_state(feeds, False)
    known = feeds.get("feeds") or {}
    configured = [name for name, f in known.items() if f.get("configured", True)]
    head = [state]
    if configured:
        head.append(_count(len(configured), "feed"))
        head.append(
            f"last poll at {when(feeds['last_poll'])}" if feeds.get("last_poll") else "never polled"
        )
        upcoming = sorted(f["next_poll"] for f in known.values() if f.get("next_poll"))
        if upcoming:
            head.append(f"next at {when(upcoming[0])}")
    elif feeds.get("state") != "error":
        head.append("no feeds configured ([[feeds]] in .papershelf/config.toml)")
    pending = (feeds.get("candidates") or {}).get("pending")
    if pending:
        head.append(f"{_count(int(pending), 'candidate')} to review")
    elif configured:
        head.append("no candidates to review")
    lines = ["feeds: " + "; ".join(head)]
    if feeds.get("config_error"):
        lines.append(f"  config: {_first_line(feeds['config_error'])}")
    for name, feed in known.items():
        if feed.get("error"):
            lines.append(f"  {name}: error: {_first_line(feed['error'])}")
    return lines


def clips_lines(clips: dict[str, Any]) -> list[str]:
    """Clips waiting for arXiv, and those that failed, one line each."""
    if "queued" not in clips and clips.get("error"):  # the queue could not be read
        return [f"clips: error ({_first_line(clips['error'])})"]
    queued, failed = int(clips.get("queued") or 0), int(clips.get("failed") or 0)
    if not (queued or failed):
        return ["clips: none queued"]
    lines = [f"clips: {queued} queued, {failed} failed"]
    for item in clips.get("items", []):
        if item["state"] == "done":
            continue
        where = f"{item['list']} › {item['section']}"
        what = item.get("arxiv_id") or item.get("url") or item["identity"]
        extra = f"attempts {item['attempts']}"
        if item.get("next_attempt_at"):
            extra += f", next at {when(item['next_attempt_at'])}"
        if item.get("last_error"):
            extra += f", {_first_line(item['last_error'])}"
        lines.append(f"  #{item['id']} {item['state']}: {what} -> {where} ({extra})")
    return lines


def describe_status(status: dict[str, Any]) -> str:
    """The status for people: a line per part, and an indented line per thing needing a look."""
    lists = f" ({_count(status['lists'], 'list')})" if isinstance(status.get("lists"), int) else ""
    return "\n".join(
        [
            _server_line(status),
            f"workspace: {status['workspace']}{lists}",
            *sync_lines(status.get("sync") or {}),
            *feeds_lines(status.get("feeds") or {}),
            *clips_lines(status.get("clips") or {}),
        ]
    )
