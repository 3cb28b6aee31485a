"""The pairing token: made on first run, kept with mode 0600 in the data dir, rotated on demand."""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock

from papershelf.sync.errors import PapershelfError
from papershelf.sync.paths import data_dir

log = logging.getLogger(__name__)

TOKEN_FILENAME = "token"
#: 32 random bytes, URL-safe base64: 43 characters.
TOKEN_BYTES = 32
_MIN_TOKEN_CHARS = 20


def token_path() -> Path:
    """Where the token lives: `<data dir>/token`."""
    return data_dir() / TOKEN_FILENAME


def new_token() -> str:
    """A fresh random token."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _write_private(path: Path, text: str) -> None:
    """Write `text` to `path` atomically, readable by its owner only (0600) from the first byte."""
    fd, tmp = tempfile.mkstemp(prefix=".token.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _read(path: Path) -> str | None:
    """The stored token, or None when there is none (or it is too short to be one)."""
    try:
        text = path.read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    return text if len(text) >= _MIN_TOKEN_CHARS else None


def load_token(*, create: bool = True) -> str | None:
    """The pairing token, made (and stored 0600) on first use when `create`."""
    path = token_path()
    token = _read(path)
    if token is not None:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("%s was readable by others (mode %o); made it 0600", path, mode)
            os.chmod(path, 0o600)
        return token
    if not create:
        return None
    with _writing(path):
        # Another process may have made it while we waited: theirs wins.
        return _read(path) or _replace_token(path)


def rotate_token() -> str:
    """Replace the token with a new one and return it (paired extensions must pair again)."""
    path = token_path()
    with _writing(path):
        return _replace_token(path)


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Hold the token's lock; a file error (a full disk) is one line naming the file."""
    try:
        with FileLock(str(path) + ".lock", timeout=10):
            yield
    except OSError as exc:
        raise PapershelfError(
            f"Cannot write the token file {path}: {exc.strerror or exc}; the token is unchanged."
        ) from None


def _replace_token(path: Path) -> str:
    token = new_token()
    _write_private(path, token)
    log.info("a new pairing token was written to %s", path)
    return token


class TokenSource:
    """The current token for a running server: re-read when the file changes (`token --rotate`)."""

    def __init__(self, fixed: str | None = None) -> None:
        """Serve `fixed` when given (tests), else the stored token, made on first use."""
        self._fixed = fixed
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._token: str | None = None

    def current(self) -> str:
        """The token requests must carry now."""
        if self._fixed is not None:
            return self._fixed
        path = token_path()
        try:
            st = path.stat()
            stamp: tuple[int, int] | None = (st.st_mtime_ns, st.st_ino)
        except FileNotFoundError:
            stamp = None
        with self._lock:
            if self._token is None or stamp is None or stamp != self._stamp:
                self._token = load_token(create=True)
                st = path.stat()
                self._stamp = (st.st_mtime_ns, st.st_ino)
            assert self._token is not None
            return self._token


def token_matches(given: str | None, expected: str) -> bool:
    """Whether `given` is the token, compared in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))
