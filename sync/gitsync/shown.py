"""File names and titles as commit messages and the status show them (pure).

A file name can hold anything but "/" and NUL: a newline (which would split a commit's subject
and let the rest of the name write the body, or a trailer), bidi controls (which reorder what a
reader sees), bytes that are not UTF-8 (which JSON cannot carry, and git shows as mojibake).
Such characters are shown escaped (`evil\\nname.md`, `bad\\xff.md`, `\\u202e`); a title or a
heading is shown as a reader sees it (`&lt;` as `<`), without control or bidi characters.
"""

from __future__ import annotations

import html
import unicodedata

#: Unicode categories never shown as they are: controls, format characters (bidi, zero width),
#: line and paragraph separators, surrogates.
_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def shown_path(path: str) -> str:
    """`path` with every byte that is not UTF-8 as `\\xNN` and every hidden character escaped."""
    if path.isprintable() and path.isascii():
        return path
    out = []
    for ch in path:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(ch) in _HIDDEN:
            out.append(ch.encode("unicode_escape").decode("ascii"))
        else:
            out.append(ch)
    return "".join(out)


def shown_text(text: str) -> str:
    """A title or heading as a reader sees it: HTML entities decoded, hidden characters
    dropped (a line break as a space), whitespace collapsed."""
    text = html.unescape(text)
    kept = (
        " " if ch in "\n\r\t\v\f\x85\u2028\u2029" else ch
        for ch in text
        if ch in "\n\r\t\v\f\x85\u2028\u2029" or unicodedata.category(ch) not in _HIDDEN
    )
    return " ".join("".join(kept).split())
