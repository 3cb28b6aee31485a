"""Errors that carry their context, shared by every part of papershelf."""

from __future__ import annotations

from collections.abc import Mapping


class PapershelfError(Exception):
    """Base of every error papershelf reports to a person: one readable line, with context."""

    #: CLI exit status and the HTTP status used for this error.
    exit_code: int = 1
    http_status: int = 500

    def __init__(self, message: str, *, fields: Mapping[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields: dict[str, object] = dict(fields or {})

    def __str__(self) -> str:
        return self.message


class BadInput(PapershelfError):
    """The caller's input is wrong: exit 2, HTTP 400."""

    exit_code = 2
    http_status = 400


class PaperError(BadInput):
    """A Paper record that does not validate; `fields` maps field name to problem."""


class NotFound(BadInput):
    """A list, section or paper that does not exist; `fields["closest"]` names near matches."""

    http_status = 404

    def __init__(
        self, message: str, *, closest: list[str] | None = None, fields: dict | None = None
    ) -> None:
        merged = dict(fields or {})
        if closest:
            merged["closest"] = list(closest)
            # The one line a person reads must already say what they probably meant.
            message = f"{message.rstrip('.')}. Closest: {', '.join(closest)}."
        super().__init__(message, fields=merged)
        self.closest = list(closest or [])


class ListChanged(PapershelfError):
    """A list file changed in a way the write did not intend; nothing was written."""

    http_status = 409


class ListNotWritable(ListChanged):
    """The list file cannot be written (read-only file or folder, full disk); nothing was written."""


class WorkspaceError(PapershelfError):
    """The workspace is missing, unreadable or misconfigured."""

    exit_code = 2
    http_status = 500


class StoreUnavailable(PapershelfError):
    """A SQLite store in the data dir cannot be used (damaged, disk full, unreadable): HTTP 409,
    and the message names the file."""

    http_status = 409
