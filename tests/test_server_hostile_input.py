"""Hostile input over real HTTP on 127.0.0.1 (a `papershelf serve` subprocess): numbers too big
for `int()`, JSON nested too deep, oversized error sentences. Each is a 4xx in the one error
shape, never a 500, and nothing is written."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from server_support import LIST_TEXT, make_workspace, serving

from papershelf.sync.digits import whole_number

JSON = {"Content-Type": "application/json"}
#: One digit more than `int()` reads from text (Python's int_max_str_digits is 4,300).
TOO_MANY_DIGITS = "1" * 4301


def _error(response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["ok"] is False and isinstance(body["error"], str) and "fields" in body
    return body


def test_whole_number_takes_ascii_digits_up_to_its_maximum_and_never_raises() -> None:
    assert whole_number("42", 100) == 42
    assert whole_number("0", 100) == 0
    assert whole_number("101", 100) is None
    assert whole_number(TOO_MANY_DIGITS, 2**63 - 1) is None
    for text in ("", "-1", "+1", " 1", "1.0", "\u00b2", "\u0663", "1e3"):  # ² and Arabic 3
        assert whole_number(text, 100) is None, text


def test_numbers_too_big_for_int_and_json_nested_too_deep_are_400_or_404_not_500(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    deep = b"[" * 1000 + b"]" * 1000
    with serving(workspace) as server:
        limit = server.request("GET", f"/api/candidates?limit={TOO_MANY_DIGITS}")
        decisions = [
            server.request("POST", f"/api/candidates/{TOO_MANY_DIGITS}/{action}", json={})
            for action in ("accept", "reject", "snooze")
        ]
        clip = server.request("POST", "/api/papers", data=deep, headers=JSON)
        decision = server.request("POST", "/api/candidates/1/reject", data=deep, headers=JSON)
        port = server.request("GET", "/api/ping", headers={"Host": f"127.0.0.1:{TOO_MANY_DIGITS}"})
    body = _error(limit, 400)
    assert body["error"] == "limit must be a whole number 1..10000.", body
    assert len(body["fields"]["limit"]) <= 40  # the 4,301 digits are not echoed back
    for answer in decisions:
        assert _error(answer, 404)["error"].startswith("No candidate '1111")
    for answer in (clip, decision):
        body = _error(answer, 400)
        assert body["fields"] == {"body": "nested too deeply"}, body
    assert _error(port, 403)["fields"] == {"host": "not allowed"}
    assert (workspace / "reading.md").read_text(encoding="utf-8") == LIST_TEXT


def test_an_error_naming_twenty_thousand_unknown_fields_stays_small(tmp_path: Path) -> None:
    query = "&".join(f"p{i}=1" for i in range(20_000))
    with serving(make_workspace(tmp_path / "ws")) as server:
        answer = server.request("GET", f"/api/lookup?url=https://arxiv.org/abs/2001.00001&{query}")
    body = _error(answer, 400)
    assert len(answer.content) < 10_000, len(answer.content)  # was about 500 KB
    assert body["error"].startswith("Invalid lookup: p0: Unknown field.; p1: Unknown field.")
    assert body["error"].endswith("; and 19,990 more"), body["error"][-80:]
    assert len(body["fields"]) == 51 and body["fields"]["_more"] == 19_950


def test_every_error_sentence_and_field_is_bounded() -> None:
    from flask import Flask

    from papershelf.server.errors import MAX_ERROR_CHARS, MAX_FIELD_CHARS, error_response

    with Flask(__name__).app_context():
        response, status = error_response("x" * 100_000, 400, {"id": "9" * 5_000, "l": [1] * 999})
    body = response.get_json()
    assert status == 400 and len(body["error"]) <= MAX_ERROR_CHARS
    assert body["error"].endswith("(98,040 more characters)")
    assert len(body["fields"]["id"]) <= MAX_FIELD_CHARS and len(body["fields"]["l"]) == 50


def _raw(port: int, data: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send `data` as is and read the whole answer: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except ConnectionResetError:  # the server closed with part of a refused request unread
            pass
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _raw_requests(port: int, token: str) -> dict[str, tuple[bytes, int]]:
    """Requests waitress or werkzeug used to answer in plain text or HTML, and the status due."""
    head = f"Host: 127.0.0.1:{port}\r\nX-Papershelf-Token: {token}\r\nConnection: close\r\n"
    post = f"POST /api/papers HTTP/1.1\r\n{head}Content-Type: application/json\r\n"
    return {
        "headers over 256 KB": (
            f"GET /api/lists HTTP/1.1\r\n{head}X-Big: {'a' * 300_000}\r\n\r\n".encode(),
            431,
        ),
        "body over 1 MB": (f"{post}Content-Length: 2100000\r\n\r\n".encode() + b"{" * 1000, 413),
        "chunked body over 1 MB": (
            f"{post}Transfer-Encoding: chunked\r\n\r\n".encode()
            + (b"100000\r\n" + b" " * 0x100000 + b"\r\n") * 2
            + b"0\r\n\r\n",
            413,
        ),
        "bad request line": (b"GARBAGE\r\n\r\n", 400),
        "bad method": (f"G\x01T /api/ping HTTP/1.1\r\n{head}\r\n".encode(), 400),
        "bad Content-Length": (f"{post}Content-Length: abc\r\n\r\n".encode(), 400),
        "negative Content-Length": (f"{post}Content-Length: -5\r\n\r\n".encode(), 400),
        "bad chunk size": (f"{post}Transfer-Encoding: chunked\r\n\r\nzz\r\n".encode(), 400),
        "unknown transfer coding": (f"{post}Transfer-Encoding: gzip\r\n\r\n".encode(), 501),
        "non-UTF-8 bytes in the URI": (
            f"GET /api/\xff\xfe HTTP/1.1\r\n{head}\r\n".encode("latin-1"),
            400,
        ),
        "double slash": (f"GET /api//lists HTTP/1.1\r\n{head}\r\n".encode(), 404),
        "encoded dot-dot-slash": (
            f"POST /api/candidates/..%2F/accept HTTP/1.1\r\n{head}Content-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n{}".encode(),
            404,
        ),
    }


def test_errors_waitress_or_werkzeug_answer_themselves_are_in_the_one_json_shape(
    tmp_path: Path,
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    with serving(workspace) as server:
        answers = {
            name: (_raw(server.port, data), status)
            for name, (data, status) in _raw_requests(server.port, server.token).items()
        }
        extension = _raw(
            server.port,
            f"POST /api/papers HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n"
            "Origin: chrome-extension://abc\r\nContent-Length: 2100000\r\n\r\n{".encode(),
        )
        still_up = server.request("GET", "/api/ping")
    for name, ((status, headers, body), expected) in answers.items():
        assert status == expected, (name, status, body[:200])
        assert headers["content-type"] == "application/json", (name, headers)
        error = json.loads(body)
        assert error["ok"] is False and error["error"].endswith("."), (name, error)
        assert set(error) == {"ok", "error", "fields"}, (name, error)
    assert json.loads(answers["body over 1 MB"][0][2])["error"] == (
        "The request body is too large (the limit is 1024 KB)."
    )
    assert (
        extension[0] == 413
        and extension[1]["access-control-allow-origin"] == "chrome-extension://abc"
    )
    assert still_up.status_code == 200
    assert (workspace / "reading.md").read_text(encoding="utf-8") == LIST_TEXT
