"""`papershelf serve` as a newcomer meets it: the sample workspace said, a second serve refused at
once in one line, the stop timed from the signal."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from polling import wait_until
from server_support import REPO_ROOT, ServeProcess, make_workspace

from papershelf.server.cli import main
from papershelf.server.cli_serve import SAMPLE_NOTE
from papershelf.sync.workspace import Workspace

#: A refusal must not make the person wait: it came after 5.4 s (index, sync and port tried).
REFUSAL_SECONDS = 1.0


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str, float]:
    started = time.monotonic()
    code = main(list(args))
    seconds = time.monotonic() - started
    out, err = capsys.readouterr()
    return code, out, err, seconds


def test_a_second_serve_of_a_workspace_is_refused_at_once_naming_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ws = make_workspace(tmp_path / "ws")
    first = ServeProcess(ws)
    try:
        for extra in ((), ("--port", "0")):  # another port would start a second scheduler
            code, out, err, seconds = run(capsys, "serve", "--workspace", str(ws), *extra)
            assert (code, out) == (1, "")
            assert err == (
                f"papershelf: error: papershelf serve already runs for {ws.resolve()} at"
                f" {first.url} (pid {first.proc.pid}): use it, or stop it first (Ctrl+C in its"
                " terminal).\n"
            )
            assert seconds < REFUSAL_SECONDS, f"took {seconds:.2f} s"
        assert first.proc.poll() is None  # the first one is untouched
    finally:
        first.stop()


def test_a_port_another_papershelf_serves_is_refused_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = ServeProcess(make_workspace(tmp_path / "served"))
    other = make_workspace(tmp_path / "other")
    try:
        code, _, err, seconds = run(
            capsys, "serve", "--port", str(first.port), "--workspace", str(other)
        )
        assert code == 1 and err.count("\n") == 1, err
        assert err.startswith(f"papershelf: error: Cannot listen on 127.0.0.1:{first.port}:")
        assert f"papershelf serve (pid {first.proc.pid}) serves" in err and "--port" in err
        assert seconds < REFUSAL_SECONDS, f"took {seconds:.2f} s"
    finally:
        first.stop()


def test_a_port_another_program_holds_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code, _, err, seconds = run(
            capsys, "serve", "--port", str(port), "--workspace", str(make_workspace(tmp_path / "w"))
        )
    assert code == 1 and err == (
        f"papershelf: error: Cannot listen on 127.0.0.1:{port}: another program uses it;"
        " give another port (--port).\n"
    )
    assert seconds < REFUSAL_SECONDS


def test_the_sample_workspace_says_how_to_use_your_own_lists_and_the_stop_is_timed() -> None:
    args = [sys.executable, "-m", "papershelf.server.cli", "serve", "--port", "0", "--no-sync", "--no-feeds"]
    env = {k: v for k, v in os.environ.items() if k != "PAPERSHELF_WORKSPACE"}
    proc = subprocess.Popen(
        args, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        lines: list[str] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl+C"):
                break
        default = Path(os.environ["PAPERSHELF_DATA_DIR"]) / "workspace"
        assert lines[0].startswith(f"papershelf 0.1.0 serving {default.resolve()} at http://")
        assert lines[1] == SAMPLE_NOTE
        assert "papershelf init" in SAMPLE_NOTE
        proc.send_signal(signal.SIGINT)
        out, _err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    stopped = re.search(r"^papershelf: stopped in (\d+\.\d\d) s$", out, re.M)
    assert stopped is not None, out


def test_a_configured_workspace_has_no_sample_note(tmp_path: Path) -> None:
    served = ServeProcess(make_workspace(tmp_path / "ws"))
    try:
        wait_until(lambda: "Press Ctrl+C" in served.stdout)
        assert SAMPLE_NOTE not in served.stdout
    finally:
        served.stop()


def test_the_workspace_is_claimed_before_anything_starts_and_released_on_failure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A serve started while the first one is still building its index is refused too: the
    first claims the workspace before it builds anything, and gives it up when it fails."""
    from papershelf.server import services
    from papershelf.sync.errors import PapershelfError

    ws = make_workspace(tmp_path / "ws")
    seen: list[dict | None] = []

    def build(*_args, **_kwargs):
        seen.append(services.read_server_state())
        assert main(["serve", "--workspace", str(ws)]) == 1  # a second one, meanwhile
        raise PapershelfError("the index could not be built")

    monkeypatch.setattr(services.Services, "build", build)
    code, _, err, _ = run(capsys, "serve", "--port", "0", "--workspace", str(ws))
    assert code == 1 and err.endswith("papershelf: error: the index could not be built\n")
    assert "already runs for" in err.splitlines()[0]
    assert seen[0] is not None and seen[0]["pid"] == os.getpid()
    assert services.read_server_state() is None  # released


def test_a_serve_started_between_the_check_and_the_record_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two serves started in the same instant both find no running serve: the workspace's
    lock, taken before the check, refuses the second all the same."""
    from papershelf.server import services
    from papershelf.sync.errors import PapershelfError

    ws = make_workspace(tmp_path / "ws")
    real_write = services.write_server_state
    second: list[int] = []

    def write(url: str, workspace: Workspace) -> None:
        if not second:  # the first serve has checked and not yet said it runs
            second.append(main(["serve", "--port", "0", "--workspace", str(ws)]))
        real_write(url, workspace)

    def build(*_args: object, **_kwargs: object) -> None:
        raise PapershelfError("stopped here by the test")

    monkeypatch.setattr(services, "write_server_state", write)
    monkeypatch.setattr(services.Services, "build", build)
    code, _, err, _ = run(capsys, "serve", "--port", "0", "--workspace", str(ws))
    assert second == [1] and code == 1
    refusal, first = err.splitlines()
    assert refusal == (
        f"papershelf: error: papershelf serve is starting for {ws.resolve()} in another process:"
        " use it once it answers, or stop it first."
    )
    assert first == "papershelf: error: stopped here by the test"
