"""Shared helpers of the extension tests: Chromium with or without the unpacked extension, the
local arxiv.org fixture server and a real `papershelf serve` subprocess. Nothing leaves 127.0.0.1."""

from __future__ import annotations

import contextlib
import http.server
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

from conftest import CHROMIUM, FIXTURES, REPO_ROOT
from server_support import ServeProcess, run_cli

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


class Server:
    """A real `papershelf serve` (`server_support.ServeProcess`) on a fixed port with its own data
    dir, restartable with the same data."""

    def __init__(self, port: int, workspace: Path, data_dir: Path, log_dir: Path) -> None:
        self.port = port
        self.workspace = workspace
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.process: ServeProcess | None = None
        self._starts = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        # If the server asks arXiv to complete a bare clip, it asks a closed local port: nothing
        # leaves 127.0.0.1, and such clips are queued by the server (202).
        return {
            "PAPERSHELF_DATA_DIR": str(self.data_dir),
            "NO_PROXY": "127.0.0.1,localhost",
            "PAPERSHELF_ARXIV_API_URL": "http://127.0.0.1:9/api/query",
        }

    def start(self) -> None:
        self._starts += 1
        log_dir = self.log_dir / f"serve-{self._starts}"
        self.process = ServeProcess(self.workspace, port=self.port, env=self.env(), log_dir=log_dir)

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            self.process.stop()
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process = None

    def token(self) -> str:
        result = run_cli("token", timeout_seconds=30, env={**os.environ, **self.env()})
        assert result.returncode == 0, result.stderr
        return result.stdout.strip().split()[-1]

    def logs(self) -> str:
        return "\n".join(
            p.read_text(errors="replace") for p in sorted(self.log_dir.glob("serve-*/*.txt"))
        )


def chromium_path() -> str:
    return str(CHROMIUM)
