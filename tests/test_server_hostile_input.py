"""Hostile input over real HTTP on 127.0.0.1 (a `papershelf serve` subprocess): numbers too big
for `int()`, JSON nested too deep, oversized error sentences. Each is a 4xx in the one error
shape, never a 500, and nothing is written."""

from __future__ import annotations

from pathlib import Path

from server_support import LIST_TEXT, make_workspace, serving

from sync.digits import whole_number

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

    from server.errors import MAX_ERROR_CHARS, MAX_FIELD_CHARS, error_response

    with Flask(__name__).app_context():
        response, status = error_response("x" * 100_000, 400, {"id": "9" * 5_000, "l": [1] * 999})
    body = response.get_json()
    assert status == 400 and len(body["error"]) <= MAX_ERROR_CHARS
    assert body["error"].endswith("(98,040 more characters)")
    assert len(body["fields"]["id"]) <= MAX_FIELD_CHARS and len(body["fields"]["l"]) == 50
