"""Shared helpers of the extension tests: Chromium with or without the unpacked extension, the
local arxiv.org fixture server and a real `papershelf serve` subprocess. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from conftest import CHROMIUM, FIXTURES, REPO_ROOT

EXTENSION_DIR = REPO_ROOT / "extension"
EXT_FIXTURES = FIXTURES / "extension"

#: arXiv paths the fixture server answers, by the id in the URL (with or without version).
PAGES: dict[str, str] = {
    "/abs/2603.04217": "abs_2603.04217v2_2026.html",
    "/abs/2107.11873": "abs_2107.11873v1_2021.html",
    "/abs/2005.01377": "abs_2005.01377v1_2020.html",
    "/html/2604.00991": "html_2604.00991v1_2026.html",
}
#: arXiv ids whose PDF has no Title metadata (Chromium's viewer then shows the URL's file name).
UNTITLED_PDFS = ("hep-th/9901001",)

BASE_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def resolver_rules(port: int) -> str:
    """arxiv.org comes from the fixture server; every other name fails to resolve."""
    return (
        f"--host-resolver-rules=MAP arxiv.org 127.0.0.1:{port}, "
        f"MAP www.arxiv.org 127.0.0.1:{port}, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
    )


def extension_args(port: int) -> list[str]:
    return [
        f"--disable-extensions-except={EXTENSION_DIR}",
        f"--load-extension={EXTENSION_DIR}",
        *BASE_ARGS,
        resolver_rules(port),
    ]


class _FixtureHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        body: bytes | None = None
        ctype = "text/html; charset=utf-8"
        if path.startswith("/pdf/"):
            untitled = any(path[len("/pdf/") :].startswith(i) for i in UNTITLED_PDFS)
            body = (EXT_FIXTURES / ("paper-untitled.pdf" if untitled else "paper.pdf")).read_bytes()
            ctype = "application/pdf"
        else:
            for prefix, name in PAGES.items():
                rest = path[len(prefix) :]
                if path.startswith(prefix) and (rest == "" or rest.startswith(("v", "/"))):
                    body = (EXT_FIXTURES / name).read_bytes()
                    break
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return


@contextlib.contextmanager
def fixture_server() -> Iterator[int]:
    """Serve the arXiv fixture pages on 127.0.0.1; yields the port."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FixtureHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def http_json(url: str, timeout: float = 2.0) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return json.loads(response.read().decode("utf-8"))


def wait_for_ping(base: str, proc: subprocess.Popen[str] | None, timeout: float = 30.0) -> dict:
    """Poll GET /api/ping until the server answers; fail early if the process died."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"papershelf serve exited with {proc.returncode}")
        try:
            return http_json(f"{base}/api/ping", timeout=1.0)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            last = exc
            time.sleep(0.1)  # a poll interval while waiting on a condition, not a fixed wait
    raise TimeoutError(f"papershelf did not answer at {base}: {last}")


class Server:
    """A real `papershelf serve` subprocess on a fixed port, restartable with the same data."""

    def __init__(self, port: int, workspace: Path, data_dir: Path, log_dir: Path) -> None:
        self.port = port
        self.workspace = workspace
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.proc: subprocess.Popen[str] | None = None
        self._starts = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PAPERSHELF_DATA_DIR"] = str(self.data_dir)
        env["NO_PROXY"] = "127.0.0.1,localhost"
        # If the server asks arXiv to complete a bare clip, it asks a closed local port: nothing
        # leaves 127.0.0.1, and such clips are queued by the server (202).
        env["PAPERSHELF_ARXIV_API_URL"] = "http://127.0.0.1:9/api/query"
        return env

    def start(self) -> None:
        self._starts += 1
        log = (self.log_dir / f"serve-{self._starts}.log").open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "server.cli",
                "serve",
                "--port",
                str(self.port),
                "--workspace",
                str(self.workspace),
                "--no-sync",
                "--no-feeds",
            ],
            cwd=REPO_ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        wait_for_ping(self.base, self.proc)

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self.proc = None

    def token(self) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "server.cli", "token"],
            cwd=REPO_ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().split()[-1]

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.log_dir.glob("serve-*.log"))
        )


def chromium_path() -> str:
    return str(CHROMIUM)
