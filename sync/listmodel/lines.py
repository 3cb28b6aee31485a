"""Bytes <-> lines without losing a byte: BOM, surrogateescape decoding, endings kept per line."""

from __future__ import annotations

import re

BOM = b"\xef\xbb\xbf"
# Characters str.splitlines breaks on besides "\n" and "\r" (markdown does not).
_OTHER_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def split_bom(data: bytes) -> tuple[bytes, bytes]:
    """Split a leading UTF-8 byte order mark off `data`: (bom, rest)."""
    if data.startswith(BOM):
        return BOM, data[len(BOM) :]
    return b"", data


def decode(data: bytes) -> str:
    """Decode as UTF-8; invalid bytes become lone surrogates so they encode back unchanged."""
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    """The exact inverse of `decode`."""
    return text.encode("utf-8", "surrogateescape")


#: A character beyond ASCII that decoded as UTF-8 (not a surrogate escape of an invalid byte).
_UTF8_BEYOND_ASCII = re.compile("[^\x00-\x7f\udc80-\udcff]")
_ASCII = bytes(range(128))


def legacy_encoding(data: bytes) -> str | None:
    """The single-byte encoding of text that is not UTF-8, else None (UTF-8 and ASCII).

    Legacy text holds bytes that are not UTF-8 and no character beyond ASCII that is (a UTF-8
    list with a few stray bytes stays UTF-8), and one of those bytes is a letter in the encoding
    (`é`, `ü`, `ß`): bytes that are only punctuation (a pasted Word apostrophe 0x92, quotes
    0x93/0x94, a dash 0x96) are an accident, and GitHub and editors read the file as UTF-8.
    `cp1252`, or `latin-1` when it uses bytes cp1252 leaves undefined.
    """
    if data.isascii() or data.startswith(BOM):
        return None
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    if _UTF8_BEYOND_ASCII.search(decode(data)):
        return None
    foreign = data.translate(None, _ASCII)  # every byte left is one UTF-8 could not read
    try:
        encoding, text = "cp1252", foreign.decode("cp1252")
    except UnicodeDecodeError:
        encoding, text = "latin-1", foreign.decode("latin-1")
    return encoding if any(ch.isalpha() for ch in text) else None


def encode_like(text: str, encoding: str | None) -> str:
    """`text` as a list in `encoding` stores it, as `decode` reads those bytes back.

    A character the encoding lacks becomes a character reference (`&#20013;`), which markdown
    shows as the character. UTF-8 lists (`encoding` None) take the text as it is.
    """
    if encoding is None or text.isascii():
        return text
    return decode(text.encode(encoding, "xmlcharrefreplace"))


def read_as(text: str, encoding: str | None) -> str:
    """`text` as `decode` read it, as a list in `encoding` means it (`Th\\udce9orie` -> `Théorie`).

    For showing and addressing only: the lines keep the escapes, so the bytes stay as they are.
    """
    if encoding is None or text.isascii():
        return text
    return encode(text).decode(encoding, "surrogateescape")


def split_lines(text: str) -> list[str]:
    """Lines with their endings ("\\n" or "\\r\\n"); a last line without newline has none.

    Splits on "\\n" only: str.splitlines would also split on \\x0b, \\x1c, \\u2028 and a lone
    CR, which markdown files carry inside lines and which must round-trip untouched.
    """
    if not text:
        return []
    lone_cr = "\r" in text and text.count("\r") != text.count("\r\n")
    if not lone_cr and not any(ch in text for ch in _OTHER_BREAKS):
        # Same result, faster: with no lone CR and no other breaks, splitlines agrees.
        return text.splitlines(keepends=True)
    parts = text.split("\n")
    last = parts.pop()
    lines = [part + "\n" for part in parts]
    if last:
        lines.append(last)
    return lines


def dominant_eol(lines: list[str]) -> str:
    """The line ending most lines use ("\\r\\n" only when it outnumbers bare "\\n")."""
    crlf = lf = 0
    for line in lines:
        if line.endswith("\r\n"):
            crlf += 1
        elif line.endswith("\n"):
            lf += 1
    return "\r\n" if crlf > lf else "\n"


def strip_ending(line: str) -> str:
    """The line without its ending ("\\n" or "\\r\\n")."""
    if line.endswith("\n"):
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    return line


def ending_of(line: str) -> str:
    """The ending of one line: "\\r\\n", "\\n" or ""."""
    if line.endswith("\r\n"):
        return "\r\n"
    if line.endswith("\n"):
        return "\n"
    return ""


def leading_columns(text: str, start: int = 0, column: int = 0) -> tuple[int, int]:
    """Columns of leading spaces/tabs from `start` (tab stops every 4): (column, index)."""
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == " ":
            column += 1
        elif ch == "\t":
            column += 4 - (column % 4)
        else:
            break
        i += 1
    return column, i
