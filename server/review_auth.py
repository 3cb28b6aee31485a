"""Pairing and CSRF for the review page: one-time pairing codes, a session cookie bound to this
server, and form tokens derived from the pairing token.

The API token never goes into a URL: `papershelf serve` prints a one-time pairing link (a code
that pairs one browser and is then spent, so the address the browser's history keeps pairs
nothing), and the pairing page takes the token itself only in a POST body.

Cookies are not scoped by port, so every app on 127.0.0.1 could receive the session cookie.
It is bound to this server three ways: its name carries the port (`papershelf_review_8765`), its
path is `/review` (an app at `/` never receives it), and its value is signed (HMAC of the pairing
token) over the port, so it is refused anywhere else. It is no lasting credential either: each
value expires SESSION_IDLE_SECONDS after it was issued (using the page issues a fresh one), and
no session outlives SESSION_MAX_SECONDS from pairing, checked by the server, not only the
browser. Rotating the token (`papershelf token --rotate`) ends every session at once. Every
secret compares in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from flask import Request
from werkzeug.wrappers import Response

from papershelf.sync.digits import whole_number

from .token import token_matches

SESSION_COOKIE = "papershelf_review"
#: Only the review page's own paths get the cookie; an app at another port's `/` never does.
SESSION_PATH = "/review"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
#: One cookie value lasts three days: one that leaked (another app's log) soon pairs nothing.
SESSION_IDLE_SECONDS = 3 * 24 * 3600
#: However often the page is used, a pairing lasts two weeks; then pair again.
SESSION_MAX_SECONDS = 14 * 24 * 3600
#: A page view renews the cookie once its value is this old.
SESSION_RENEW_SECONDS = 3600
#: The pairing code field of a pairing link, and the token field of the pairing form.
CODE_FIELD = "code"
TOKEN_FIELD = "token"
_MAX_EPOCH = 10**12


def _derive(token: str, purpose: str) -> str:
    """An HMAC-SHA256 of `purpose` keyed by the pairing token, hex."""
    return hmac.new(token.encode("utf-8"), purpose.encode("utf-8"), hashlib.sha256).hexdigest()


def session_cookie_name(port: int | None) -> str:
    """The session cookie's name for a server on `port`: two servers never share one."""
    return f"{SESSION_COOKIE}_{port}" if port else SESSION_COOKIE


@dataclass(frozen=True)
class Session:
    """A review session as its cookie carries it (times in epoch seconds)."""

    paired_at: int
    expires_at: int
    nonce: str


def session_value(token: str, port: int | None, session: Session) -> str:
    """The cookie value of `session`: its times and nonce, signed for this token and port."""
    fields = f"{session.paired_at}.{session.expires_at}.{session.nonce}"
    mac = _derive(token, f"papershelf review session v2|{port}|{fields}")
    return f"{fields}.{mac}"


def new_session(now: float) -> Session:
    """A session paired at `now`."""
    paired_at = int(now)
    return Session(paired_at, paired_at + SESSION_IDLE_SECONDS, secrets.token_hex(8))


def read_session(value: str | None, token: str, port: int | None, now: float) -> Session | None:
    """The session a cookie value carries, or None when it is forged, for another port or token,
    or expired (by its own expiry or the pairing's maximum age)."""
    parts = (value or "").split(".")
    if len(parts) != 4 or not all(p.isascii() and p.isalnum() for p in parts):
        return None
    paired_at, expires_at = (whole_number(text, _MAX_EPOCH) for text in parts[:2])
    if paired_at is None or expires_at is None:
        return None
    session = Session(paired_at, expires_at, parts[2])
    if not same_secret(value, session_value(token, port, session)):
        return None
    if (
        not session.paired_at
        <= now
        < min(session.expires_at, session.paired_at + SESSION_MAX_SECONDS)
    ):
        return None
    return session


def renewed(session: Session, now: float) -> Session | None:
    """The session with a fresh expiry when its value is old enough to renew, else None."""
    expires_at = min(int(now) + SESSION_IDLE_SECONDS, session.paired_at + SESSION_MAX_SECONDS)
    if expires_at - session.expires_at < SESSION_RENEW_SECONDS:
        return None
    return Session(session.paired_at, expires_at, session.nonce)


def csrf_token(token: str) -> str:
    """The CSRF token every review form carries for the current pairing token."""
    return _derive(token, "papershelf review csrf v1")


def same_secret(given: str | None, expected: str) -> bool:
    """Whether `given` equals `expected`, compared in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def paired_session(request: Request, token: str, port: int | None) -> Session | None:
    """The valid review session the request's cookie carries, if any."""
    return read_session(request.cookies.get(session_cookie_name(port)), token, port, time.time())


def pairing_token_ok(given: str | None, token: str) -> bool:
    """Whether the token pasted into the pairing form is the current pairing token."""
    return token_matches((given or "").strip(), token)


def csrf_ok(request: Request, token: str) -> bool:
    """Whether a POST carries the right CSRF token (form field or header)."""
    given = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER)
    return same_secret(given, csrf_token(token))


def set_session(
    response: Response, token: str, port: int | None, session: Session, now: float
) -> None:
    """Set the HttpOnly, SameSite=Strict session cookie of `session` on `response`."""
    response.set_cookie(
        session_cookie_name(port),
        session_value(token, port, session),
        max_age=max(0, session.expires_at - int(now)),
        path=SESSION_PATH,
        httponly=True,
        samesite="Strict",
    )


def clear_session(response: Response, port: int | None) -> None:
    """Remove the review session cookie (and the unbound one older papershelfs set on `/`)."""
    response.delete_cookie(
        session_cookie_name(port), path=SESSION_PATH, httponly=True, samesite="Strict"
    )
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Strict")


class PairingCodes:
    """One-time pairing codes of one running server: each pairs one browser, then is spent.

    Kept in memory only (a restart spends them all) and as hashes, so a code is compared by
    lookup, not character by character.
    """

    def __init__(self) -> None:
        """No code issued yet."""
        self._lock = threading.Lock()
        self._codes: dict[str, float | None] = {}

    @staticmethod
    def _key(code: str) -> str:
        return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()

    def issue(self, lifetime_seconds: float | None = None) -> str:
        """A new code, valid once, until it is used or `lifetime_seconds` have passed."""
        code = secrets.token_urlsafe(18)
        expires = None if lifetime_seconds is None else time.monotonic() + lifetime_seconds
        with self._lock:
            self._codes[self._key(code)] = expires
        return code

    def redeem(self, code: str | None) -> bool:
        """Whether `code` is a live code of this server; it is spent either way."""
        if not code:
            return False
        with self._lock:
            if self._key(code) not in self._codes:
                return False
            expires = self._codes.pop(self._key(code))
        return expires is None or time.monotonic() < expires
