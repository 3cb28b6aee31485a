"""Pairing and CSRF for the review page: a session cookie and form tokens derived from the token.

The pairing token never sits in a cookie or a page. The session cookie holds an HMAC of it, so
rotating the token (`papershelf token --rotate`) ends every review session; the CSRF token is a
second HMAC that only a page this server rendered can know. Both compare in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from flask import Request, Response

from .token import token_matches

log = logging.getLogger(__name__)

SESSION_COOKIE = "papershelf_review"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
#: A review session lasts a working week; pairing again is one click on the printed URL.
SESSION_MAX_AGE_SECONDS = 7 * 24 * 3600


def _derive(token: str, purpose: str) -> str:
    """An HMAC-SHA256 of `purpose` keyed by the pairing token, hex."""
    return hmac.new(token.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def session_value(token: str) -> str:
    """The session cookie's value for the current pairing token."""
    return _derive(token, "papershelf review session v1")


def csrf_token(token: str) -> str:
    """The CSRF token every review form carries for the current pairing token."""
    return _derive(token, "papershelf review csrf v1")


def same_secret(given: str | None, expected: str) -> bool:
    """Whether `given` equals `expected`, compared in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def is_paired(request: Request, token: str) -> bool:
    """Whether the request carries a valid review session cookie."""
    return same_secret(request.cookies.get(SESSION_COOKIE), session_value(token))


def pairing_token_ok(given: str | None, token: str) -> bool:
    """Whether the `?token=` of a pairing link is the current pairing token."""
    return token_matches(given, token)


def csrf_ok(request: Request, token: str) -> bool:
    """Whether a POST carries the right CSRF token (form field or header)."""
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    return same_secret(given, csrf_token(token))


def set_session(response: Response, token: str, secure: bool = False) -> None:
    """Set the HttpOnly, SameSite=Strict review session cookie on `response`."""
    response.set_cookie(
        SESSION_COOKIE,
        session_value(token),
        max_age=SESSION_MAX_AGE_SECONDS,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=secure,
    )


def clear_session(response: Response) -> None:
    """Remove the review session cookie."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Strict")
