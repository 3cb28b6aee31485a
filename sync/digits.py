"""Whole numbers from untrusted text (a query string, a form, a URL): bounded before `int()`.

`int()` of more than 4,300 digits raises ValueError, and `str.isdecimal()` accepts digits of
other scripts that `int()` then reads; so a number from outside is ASCII digits, and no longer
than its maximum, before it is converted.
"""

from __future__ import annotations


def whole_number(text: str, maximum: int) -> int | None:
    """`text` as a whole number 0..`maximum`, or None when it is anything else (never raises)."""
    if not text or not text.isascii() or not text.isdigit() or len(text) > len(str(maximum)):
        return None
    value = int(text)
    return value if value <= maximum else None
