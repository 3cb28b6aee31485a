"""Who may call the API: Host, Origin, token, preflight, body size and type, all in one error shape."""

from __future__ import annotations

import os
import stat

import pytest
from server_support import AUTH, TOKEN

from papershelf.server.security import host_allowed, origin_kind, split_host
from papershelf.server.token import TokenSource, load_token, rotate_token, token_matches, token_path


def assert_error_shape(response, status: int) -> dict:
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"ok", "error", "fields"}
    assert body["ok"] is False and isinstance(body["error"], str) and body["error"]
    assert isinstance(body["fields"], dict)
    return body


# -- pure checks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1:8765", ("127.0.0.1", 8765)),
        ("LOCALHOST:80", ("localhost", 80)),
        ("[::1]:8765", ("[::1]", 8765)),
        ("localhost", ("localhost", None)),
        ("evil.com:x", ("evil.com", -1)),
    ],
)
def test_split_host(host: str, expected: tuple) -> None:
    assert split_host(host) == expected


@pytest.mark.parametrize(
    ("host", "port", "allowed"),
    [
        ("127.0.0.1:8765", 8765, True),
        ("localhost:8765", 8765, True),
        ("[::1]:8765", 8765, True),
        ("127.0.0.1:9999", 8765, False),  # another port: not us
        ("evil.example:8765", 8765, False),  # DNS rebinding
        ("127.0.0.1.nip.io:8765", 8765, False),
        ("localhost", None, True),
        ("evil.example", None, False),
        ("127.0.0.2:8765", 8765, True),  # any loopback address: `serve --host 127.0.0.2`
        ("127.255.255.254:8765", 8765, True),
        ("127.example.com:8765", 8765, False),  # a name that only starts like an address
        ("127.1:8765", 8765, False),  # other spellings of an address
        ("0x7f000001:8765", 8765, False),
        ("127.000.000.001:8765", 8765, False),
        ("[0:0:0:0:0:0:0:1]:8765", 8765, False),
        ("128.0.0.1:8765", 8765, False),
    ],
)
def test_host_allowed(host: str, port: int | None, allowed: bool) -> None:
    assert host_allowed(host, port) is allowed


@pytest.mark.parametrize(
    ("origin", "kind"),
    [
        (None, "none"),
        ("chrome-extension://abcdefghijklmnop", "extension"),
        ("moz-extension://2b3c-44", "extension"),
        ("safari-web-extension://ABC-123", "extension"),
        ("http://127.0.0.1:8765", "self"),
        ("https://arxiv.org", "foreign"),
        ("http://localhost:8765", "foreign"),  # not the Host this request names
        ("null", "foreign"),
        ("chrome-extension://", "foreign"),
        ("file://", "foreign"),
    ],
)
def test_origin_kind(origin: str | None, kind: str) -> None:
    assert origin_kind(origin, "127.0.0.1:8765") == kind


def test_token_matches_in_constant_time_helper() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not token_matches(TOKEN[:-1], TOKEN)
    assert not token_matches("", TOKEN)
    assert not token_matches(None, TOKEN)
    assert not token_matches("é" * 10, TOKEN)


# -- token file ---------------------------------------------------------------------------------


def test_token_is_made_once_with_mode_0600_and_rotates() -> None:
    first = load_token()
    assert first and len(first) >= 40
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600
    assert load_token() == first
    second = rotate_token()
    assert second != first and load_token() == second
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600


def test_token_file_readable_by_others_is_tightened() -> None:
    load_token()
    os.chmod(token_path(), 0o644)
    load_token()
    assert stat.S_IMODE(token_path().stat().st_mode) == 0o600


def test_token_source_follows_rotation() -> None:
    source = TokenSource()
    first = source.current()
    assert source.current() == first
    second = rotate_token()
    assert source.current() == second


# -- through the app -------------------------------------------------------------------------


def test_ping_needs_no_token(client) -> None:
    response = client.get("/api/ping")
    assert response.status_code == 200
    body = response.get_json()
    assert body["ok"] is True and body["app"] == "papershelf" and body["api"] == 1
    assert body["version"]


@pytest.mark.parametrize("path", ["/api/lists", "/api/status", "/api/lookup?id=2001.00001"])
def test_every_other_route_needs_the_token(client, path: str) -> None:
    body = assert_error_shape(client.get(path), 401)
    assert body["fields"] == {"token": "missing"}
    body = assert_error_shape(client.get(path, headers={"X-Papershelf-Token": "nope"}), 401)
    assert body["fields"] == {"token": "wrong"}
    assert client.get(path, headers=AUTH).status_code == 200


def test_post_needs_the_token_too(client) -> None:
    response = client.post("/api/papers", json={"arxiv_id": "2001.00001"})
    assert_error_shape(response, 401)


def test_the_token_is_never_echoed(client) -> None:
    response = client.get("/api/lists", headers={"X-Papershelf-Token": TOKEN + "x"})
    assert TOKEN.encode() not in response.data


@pytest.mark.parametrize("origin", ["https://arxiv.org", "http://evil.example", "null"])
def test_web_page_origins_are_refused_without_cors(client, origin: str) -> None:
    for response in (
        client.get("/api/lists", headers={**AUTH, "Origin": origin}),
        client.get("/api/ping", headers={"Origin": origin}),
        client.post("/api/papers", headers={**AUTH, "Origin": origin}, json={}),
        client.options("/api/papers", headers={"Origin": origin}),
    ):
        body = assert_error_shape(response, 403)
        assert "Access-Control-Allow-Origin" not in response.headers
        assert body["error"]


def test_extension_origin_gets_cors_for_itself(client) -> None:
    origin = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"
    response = client.get("/api/lists", headers={**AUTH, "Origin": origin})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "Origin" in response.headers["Vary"]
    # An error the extension must be able to read carries the header too.
    response = client.get("/api/lists", headers={"Origin": origin})
    assert response.status_code == 401
    assert response.headers["Access-Control-Allow-Origin"] == origin


def test_extension_preflight_is_answered_without_token(client) -> None:
    origin = "moz-extension://5f1c7d0e-aaaa-bbbb-cccc-000000000000"
    response = client.options(
        "/api/papers",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, x-papershelf-token",
        },
    )
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == origin
    allowed = response.headers["Access-Control-Allow-Headers"].lower()
    assert "x-papershelf-token" in allowed and "content-type" in allowed
    assert "POST" in response.headers["Access-Control-Allow-Methods"]


def test_preflight_without_extension_origin_is_refused(client) -> None:
    assert_error_shape(client.options("/api/papers"), 403)


def test_own_origin_is_accepted(client) -> None:
    response = client.get(
        "/api/lists",
        headers={**AUTH, "Origin": "http://127.0.0.1:8765"},
        base_url="http://127.0.0.1:8765",
    )
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("host", ["evil.example:8765", "127.0.0.1.evil.example", "10.0.0.5:8765"])
def test_foreign_host_header_is_refused(client, host: str) -> None:
    body = assert_error_shape(client.get("/api/ping", headers={"Host": host}), 403)
    assert body["fields"] == {"host": "not allowed"}


def test_bound_port_is_enforced(app) -> None:
    app.config["PAPERSHELF_PORT"] = 8765
    client = app.test_client()
    assert client.get("/api/ping", base_url="http://127.0.0.1:8765").status_code == 200
    assert client.get("/api/ping", base_url="http://localhost:8765").status_code == 200
    assert_error_shape(client.get("/api/ping", base_url="http://127.0.0.1:8766"), 403)


def test_body_over_one_megabyte_is_413(client) -> None:
    big = b'{"note": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    response = client.post(
        "/api/papers", data=big, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert_error_shape(response, 413)


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_non_json_post_is_415(client, content_type: str) -> None:
    response = client.post(
        "/api/papers", data="arxiv_id=2001.00001", headers={**AUTH, "Content-Type": content_type}
    )
    body = assert_error_shape(response, 415)
    assert body["fields"]["content_type"] == content_type


def test_unknown_route_is_404_and_wrong_method_405(client) -> None:
    assert_error_shape(client.get("/api/nothing-here", headers=AUTH), 404)
    assert_error_shape(client.get("/nothing-here"), 404)
    response = client.put("/api/lists", headers=AUTH, json={})
    assert_error_shape(response, 405)
    assert "GET" in response.headers["Allow"]
    assert_error_shape(client.get("/api/papers", headers=AUTH), 405)
