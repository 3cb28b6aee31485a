"""Who may talk to the server: Host (DNS rebinding), Origin (web pages), token, body size and type."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request

from papershelf.sync.digits import whole_number

from .errors import HttpError
from .token import TokenSource, token_matches

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-Papershelf-Token"
#: Origins of browser extensions: the only cross-origin callers the API answers.
EXTENSION_SCHEMES = ("chrome-extension", "moz-extension", "safari-web-extension")
#: The largest request body the API reads: 1 MB.
MAX_BODY_BYTES = 1024 * 1024
#: Routes anyone on this machine may call without the token.
OPEN_ENDPOINTS = frozenset({"api_meta.ping"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_PREFLIGHT_MAX_AGE_SECONDS = 600
_MAX_PORT = 65535


def split_host(host: str) -> tuple[str, int | None]:
    """A Host header as (lower-case name, port or None); `[::1]:80` keeps its brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host.partition("]")
        name += "]"
        port_text = rest[1:] if rest.startswith(":") else ""
    else:
        name, _, port_text = host.partition(":")
    if port_text:
        port = whole_number(port_text, _MAX_PORT)
        return name, -1 if port is None else port
    return name, None


def is_loopback_address(name: str) -> bool:
    """Whether `name` is `localhost` or a loopback IP address written canonically (127.0.0.2,
    ::1 or [::1]); never a host name that merely starts like one (127.example.com) or another
    spelling of an address (127.1, 0x7f000001)."""
    name = name.lower()
    if name == "localhost":
        return True
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return False
    return address.is_loopback and str(address) == bare


def host_allowed(host: str, port: int | None, extra_names: frozenset[str] = frozenset()) -> bool:
    """Whether a Host header names this server: a loopback name or address (or an allowed name)
    and our port. Any loopback address is this machine, so `serve --host 127.0.0.2` is reached
    at the URL it prints; a DNS-rebinding page sends its own host name, never an IP literal."""
    name, given_port = split_host(host)
    if not is_loopback_address(name) and name not in extra_names:
        return False
    if port is None:  # not bound to a known port (test client): any port of a loopback name
        return given_port != -1
    return given_port == port or (given_port is None and port == 80)


def origin_kind(origin: str | None, host: str) -> str:
    """Classify an Origin header: "none", "extension", "self" (the server's own pages) or "foreign"."""
    if origin is None:
        return "none"
    parts = urlsplit(origin.strip())
    if parts.scheme in EXTENSION_SCHEMES and parts.netloc and not parts.path.strip("/"):
        return "extension"
    if parts.scheme == "http" and parts.netloc.lower() == host.lower() and parts.path in ("", "/"):
        return "self"
    return "foreign"


def _cors_headers(response: Response, origin: str, preflight: bool) -> None:
    response.headers["Access-Control-Allow-Origin"] = origin
    response.vary.add("Origin")
    if preflight:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = f"Content-Type, {TOKEN_HEADER}"
        response.headers["Access-Control-Max-Age"] = str(_PREFLIGHT_MAX_AGE_SECONDS)
        response.headers["Access-Control-Allow-Private-Network"] = "true"


def check_request() -> Response | None:
    """Refuse what must not reach a view; answer extension preflights (a Flask before_request)."""
    config = current_app.config
    host = request.host
    if not host_allowed(host, config.get("PAPERSHELF_PORT"), config["PAPERSHELF_ALLOWED_HOSTS"]):
        raise HttpError(
            "Host header not allowed: papershelf answers a loopback address (127.0.0.1) or localhost only.",
            403,
            fields={"host": "not allowed"},
        )
    origin = request.headers.get("Origin")
    kind = origin_kind(origin, host)
    if kind == "foreign":
        log.info("refused a request from origin %s", origin)
        raise HttpError(
            "Requests from web pages are refused; only the papershelf extension may call the API.",
            403,
            fields={"origin": "not allowed"},
        )
    if request.method == "OPTIONS":
        if kind != "extension":
            raise HttpError("Preflight is answered for browser extensions only.", 403)
        response = current_app.response_class(status=204)
        _cors_headers(response, origin or "", preflight=True)
        return response
    if request.path.startswith("/api/") and request.endpoint not in OPEN_ENDPOINTS:
        source: TokenSource = config["PAPERSHELF_TOKEN_SOURCE"]
        if not token_matches(request.headers.get(TOKEN_HEADER), source.current()):
            raise HttpError(
                f"Missing or wrong {TOKEN_HEADER}; run `papershelf token` and pair again.",
                401,
                fields={"token": "missing" if TOKEN_HEADER not in request.headers else "wrong"},
            )
    if request.method in _BODY_METHODS:
        limit = config.get("MAX_CONTENT_LENGTH") or MAX_BODY_BYTES
        if request.content_length is not None and request.content_length > limit:
            raise HttpError(
                f"The request body is too large (the limit is {limit // 1024} KB).", 413
            )
        if request.path.startswith("/api/") and not request.is_json:
            raise HttpError(
                "Send JSON: Content-Type must be application/json.",
                415,
                fields={"content_type": request.mimetype or "missing"},
            )
    return None


def add_cors_headers(response: Response) -> Response:
    """Let the extension read the answer: CORS headers for extension origins only."""
    origin = request.headers.get("Origin")
    if origin and origin_kind(origin, request.host) == "extension":
        _cors_headers(response, origin, preflight=False)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Install the checks on `app`: body limit, Host, Origin, preflight, token, content type."""
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY_BYTES)
    app.config.setdefault("PAPERSHELF_ALLOWED_HOSTS", frozenset())
    app.before_request(check_request)
    app.after_request(add_cors_headers)
