"""The one JSON error shape, `{"ok": false, "error": "...", "fields": {...}}`, for every failure."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from papershelf.sync.errors import PapershelfError

log = logging.getLogger(__name__)

#: What a person reads for the HTTP errors Flask and Werkzeug raise themselves.
_HTTP_MESSAGES = {
    400: "The request is malformed.",
    401: "Missing or wrong X-Papershelf-Token; pair again with `papershelf token`.",
    403: "Forbidden.",
    404: "No such route; see docs/http-api.md.",
    405: "This route does not accept that method.",
    413: "The request body is too large (the limit is 1 MB).",
    415: "Send JSON: Content-Type must be application/json.",
}


#: The longest error sentence sent; a longer one is cut and says how much was left out.
MAX_ERROR_CHARS = 2_000
#: At most this many entries of `fields` (and of a list in it); the rest are counted in "_more".
MAX_ERROR_ITEMS = 50
#: The longest string in `fields` (a value echoed back: a 4,301-digit number, a long path).
MAX_FIELD_CHARS = 200


class HttpError(PapershelfError):
    """An HTTP-level refusal (401, 403, 413, 415...) raised by the server's own checks."""

    def __init__(self, message: str, http_status: int, *, fields: dict | None = None) -> None:
        super().__init__(message, fields=fields)
        self.http_status = http_status
        self.exit_code = 2 if 400 <= http_status < 500 else 1


def jsonable(value: Any) -> Any:
    """`value` with anything JSON cannot hold turned into a string (error fields come from anywhere),
    bounded: at most MAX_ERROR_ITEMS items per dict or list (a dict counts the rest under
    "_more") and MAX_FIELD_CHARS characters per string."""
    if isinstance(value, dict):
        out = {str(k)[:MAX_FIELD_CHARS]: jsonable(v) for k, v in _first(value.items())}
        if len(value) > MAX_ERROR_ITEMS:
            out["_more"] = len(value) - MAX_ERROR_ITEMS
        return out
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in _first(value)]
    if isinstance(value, str):
        return _cut(value, MAX_FIELD_CHARS)
    if value is None or isinstance(value, int | float | bool):
        return value
    return _cut(str(value), MAX_FIELD_CHARS)


def _first(items: Any) -> list[Any]:
    return [item for _, item in zip(range(MAX_ERROR_ITEMS), items, strict=False)]


def _cut(text: str, limit: int) -> str:
    """`text`, or its first characters and how many were left out when it is over `limit`."""
    if len(text) <= limit:
        return text
    keep = limit - 40
    return f"{text[:keep]}… ({len(text) - keep:,} more characters)"


def error_response(
    message: str, status: int, fields: dict[str, Any] | None = None
) -> tuple[Response, int]:
    """The one error shape as a Flask response with its status (sentence and fields bounded)."""
    body = {"ok": False, "error": _cut(message, MAX_ERROR_CHARS), "fields": jsonable(fields or {})}
    return jsonify(body), status


def _on_papershelf_error(exc: PapershelfError) -> tuple[Response, int]:
    status = exc.http_status if 400 <= exc.http_status < 600 else 500
    if status >= 500:
        log.error("request failed: %s", exc.message)
    return error_response(exc.message, status, exc.fields)


def _on_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    message = _HTTP_MESSAGES.get(status) or exc.description or exc.name
    response, _ = error_response(message, status)
    response.status_code = status
    if status == 405:
        allowed = exc.get_headers().__iter__()
        for name, value in allowed:
            if name.lower() == "allow":
                response.headers["Allow"] = value
    return response


def _on_unexpected(exc: Exception) -> tuple[Response, int]:
    # The last line of defence: a bug is logged with its traceback, the client gets the shape.
    if isinstance(exc, HTTPException):
        return _on_http_exception(exc), exc.code or 500
    log.exception("unexpected error while answering a request")
    return error_response(
        f"Internal error ({type(exc).__name__}); the server log has the details.", 500
    )


def init_app(app: Flask) -> None:
    """Answer every error of `app` in the one JSON shape."""
    app.register_error_handler(PapershelfError, _on_papershelf_error)
    app.register_error_handler(HTTPException, _on_http_exception)
    app.register_error_handler(Exception, _on_unexpected)
