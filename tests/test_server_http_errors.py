"""Bad requests over real HTTP on 127.0.0.1 (a `papershelf serve` subprocess): each is a 4xx in
the one error shape, with a sentence that says what is wrong, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from server_support import LIST_TEXT, make_workspace, serving

JSON = {"Content-Type": "application/json"}


def _error(response, status: int) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert body["ok"] is False and isinstance(body["error"], str) and "fields" in body
    return body


@pytest.mark.parametrize("data", [b"null", b" null\n", b"[1, 2]", b"3", b'"text"'])
def test_a_json_body_that_is_not_an_object_says_so_not_invalid_json(
    tmp_path: Path, data: bytes
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    with serving(workspace) as server:
        answer = server.request("POST", "/api/papers", data=data, headers=JSON)
        invalid = server.request("POST", "/api/papers", data=b"{not json", headers=JSON)
    body = _error(answer, 400)
    assert body["error"].startswith("The body must be a JSON object"), body
    assert body["fields"] == {"body": "not an object"}
    assert _error(invalid, 400)["error"] == "The body is not valid JSON."
    assert (workspace / "reading.md").read_text(encoding="utf-8") == LIST_TEXT
