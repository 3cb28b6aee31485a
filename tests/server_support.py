"""Helpers for the server tests: a local arXiv API on 127.0.0.1, a `papershelf serve` subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import requests
from polling import free_port, wait_until

if TYPE_CHECKING:
    from papershelf.server.clipqueue import QueuedClip
    from papershelf.server.services import Services

ARXIV_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "server" / "arxiv_api"
REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN_HEADER = "X-Papershelf-Token"
#: The pairing token of the shared `app` fixture (conftest), and the header that sends it.
TOKEN = "test-token-0123456789abcdefghijklmnop"
AUTH = {TOKEN_HEADER: TOKEN}

LIST_TEXT = """\
# Reading list

Papers our group reads.

## Tools

- [Version Control for Everyone](https://arxiv.org/abs/2001.00001), Jan. 2 2020.

## Methods

### Surveys

- [A Survey of Surveys](https://arxiv.org/abs/2002.00002), Feb. 3 2020.
"""


def queued_clip(services: Services, queue_id: int) -> QueuedClip:
    """The queued clip `queue_id` of `services`' queue (it must be there)."""
    clip = services.clips.queue.get(queue_id)
    assert clip is not None, f"no queued clip {queue_id}"
    return clip


def make_workspace(root: Path, text: str = LIST_TEXT, name: str = "reading.md") -> Path:
    """A workspace folder with one list."""
    (root / ".papershelf").mkdir(parents=True, exist_ok=True)
    (root / name).write_text(text, encoding="utf-8")
    return root


def fixture_for(arxiv_id: str) -> Path:
    """The recorded answer file for one id (version dropped), else the empty feed."""
    base = re.sub(r"v\d+$", "", arxiv_id).replace("/", "_")
    path = ARXIV_FIXTURES / f"id_list_{base}.xml"
    return path if path.exists() else ARXIV_FIXTURES / "id_list_empty.xml"


def combined_feed(ids: list[str]) -> bytes:
    """One feed holding the recorded entries of every id (arXiv answers a list in one feed)."""
    head = None
    entries = []
    for arxiv_id in ids:
        text = fixture_for(arxiv_id).read_text(encoding="utf-8")
        start = text.find("  <entry>")
        if head is None:
            head = text[:start] if start >= 0 else text[: text.rfind("</feed>")]
        if start >= 0:
            entries.append(text[start : text.rfind("</feed>")])
    head = head or ""
    total = len(entries)
    head = re.sub(r"<opensearch:totalResults>\d+<", f"<opensearch:totalResults>{total}<", head)
    return (head + "".join(entries) + "</feed>\n").encode("utf-8")


class ArxivFixtureServer:
    """A local stand-in for export.arxiv.org answering recorded Atom; `up` False answers 503."""

    def __init__(self) -> None:
        """Not started; use as a context manager."""
        self.up = True
        self.requests: list[str] = []
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The API endpoint, for PAPERSHELF_ARXIV_API_URL."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/query"

    def __enter__(self) -> ArxivFixtureServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                query = parse_qs(urlsplit(self.path).query)
                ids = [i for raw in query.get("id_list", []) for i in raw.split(",") if i]
                owner.requests.append(",".join(ids))
                if not owner.up:
                    body, status = b"Service Unavailable", 503
                elif any(not re.match(r"^[\w.\-/]+$", i) for i in ids):
                    body, status = (ARXIV_FIXTURES / "error_http400.xml").read_bytes(), 400
                else:
                    body, status = combined_feed(ids), 200
                self.send_response(status)
                self.send_header("Content-Type", "application/atom+xml; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()


class ServeProcess:
    """A real `papershelf serve` subprocess on a free port of 127.0.0.1."""

    def __init__(
        self,
        workspace: Path,
        *extra_args: str,
        port: int | None = None,
        host: str = "127.0.0.1",
        prefix: tuple[str, ...] = (),
        env: dict[str, str] | None = None,
        log_dir: Path | None = None,
    ) -> None:
        """Start it (sync and feeds off unless `extra_args` say otherwise) and wait for ping;
        `prefix` runs it through another command (`unshare … sh -c '…; exec "$@"' sh`), `env`
        is set over this test's environment, its output goes to `log_dir` (else a temp dir)."""
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        args = [
            *prefix,
            sys.executable,
            "-m",
            "papershelf.server.cli",
            "serve",
            "--host",
            host,
            "--port",
            str(self.port),
            "--workspace",
            str(workspace),
            *(extra_args or ("--no-sync", "--no-feeds")),
        ]
        self.env = {**os.environ, **(env or {})}
        logs = log_dir or Path(tempfile.mkdtemp(prefix="serve-logs-"))
        logs.mkdir(parents=True, exist_ok=True)
        self.stdout_path, self.stderr_path = logs / "stdout.txt", logs / "stderr.txt"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            # Files, not pipes: a chatty server can never block on a full pipe.
            self.proc = subprocess.Popen(args, cwd=REPO_ROOT, stdout=out, stderr=err, env=self.env)
        self.session = requests.Session()
        self.session.trust_env = False
        try:
            wait_until(self._answers, timeout_seconds=30, what="serve to answer ping")
        except AssertionError:
            self.kill()
            raise AssertionError(f"serve did not start: {self.output()}") from None

    def _answers(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"serve exited with {self.proc.returncode}: {self.output()}")
        with contextlib.suppress(requests.RequestException):
            return self.session.get(f"{self.url}/api/ping", timeout=1).status_code == 200
        return False

    @property
    def token_path(self) -> Path:
        """Where the server keeps its pairing token."""
        return Path(self.env["PAPERSHELF_DATA_DIR"]) / "token"

    @property
    def token(self) -> str:
        """The pairing token the server made in the data dir."""
        return self.token_path.read_text().strip()

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """An authorised request to the server."""
        headers = {TOKEN_HEADER: self.token, **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 30)
        return self.session.request(method, f"{self.url}{path}", headers=headers, **kwargs)

    def stop(self, sig: int = signal.SIGTERM, timeout_seconds: float = 10.0) -> float:
        """Send `sig` and wait for the exit; return the seconds it took."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        self.proc.wait(timeout_seconds)
        return time.monotonic() - started

    def kill(self) -> None:
        """SIGKILL: no clean-up at all."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    @property
    def stdout(self) -> str:
        """What the process printed on stdout so far."""
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        """What the process printed on stderr so far."""
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def output(self) -> str:
        """Both streams, for failure messages."""
        return f"stdout:\n{self.stdout}\nstderr:\n{self.stderr}"


def run_cli(
    *args: str, timeout_seconds: float = 60, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`papershelf ARGS` in a subprocess (this test's environment unless `env`), output kept."""
    return subprocess.run(
        [sys.executable, "-m", "papershelf.server.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_seconds,
        env=env,
    )


@contextlib.contextmanager
def serving(workspace: Path, *extra_args: str) -> Iterator[ServeProcess]:
    """A serve subprocess, killed at the end whatever happened."""
    server = ServeProcess(workspace, *extra_args)
    try:
        yield server
    finally:
        server.kill()
