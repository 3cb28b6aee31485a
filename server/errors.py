"""The one JSON error shape, `{"ok": false, "error": "...", "fields": {...}}`, for every failure."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from sync.errors import PapershelfError

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


class HttpError(PapershelfError):
    """An HTTP-level refusal (401, 403, 413, 415...) raised by the server's own checks."""

    def __init__(self, message: str, http_status: int, *, fields: dict | None = None) -> None:
        super().__init__(message, fields=fields)
        self.http_status = http_status
        self.exit_code = 2 if 400 <= http_status < 500 else 1


def jsonable(value: Any) -> Any:
    """`value` with anything JSON cannot hold turned into a string (error fields come from anywhere)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def error_response(
    message: str, status: int, fields: dict[str, Any] | None = None
) -> tuple[Response, int]:
    """The one error shape as a Flask response with its status."""
    body = {"ok": False, "error": message, "fields": jsonable(fields or {})}
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
