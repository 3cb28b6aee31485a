"""Mojibake: UTF-8 text once decoded as Mac Roman, cp1252 or Latin-1, found and repaired.

Only real repairs count: ftfy must explain its change as "encode as X, decode as UTF-8". Correct
non-ASCII text (Théo, 中文, ·) never changes. ftfy is cautious with short runs such as `√°`
(á); once a document shows confident repairs with an encoding, its remaining non-ASCII runs that
decode strictly as UTF-8 through that same encoding are repaired too (document evidence).
"""

from __future__ import annotations

import logging
import re

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers sloppy-windows-1252 and friends)

log = logging.getLogger(__name__)

#: Mojibake of UTF-8 is always a run of non-ASCII characters: every byte >= 0x80 maps to one.
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
#: ...and each character of UTF-8 beyond ASCII is two bytes or more, so mojibake of it is a run of
#: two or more: a line whose non-ASCII characters all stand alone (`Théo · x`) cannot hold any.
_SUSPECT_RUN = re.compile(r"[^\x00-\x7f]{2,}")
_TOKEN = re.compile(r"\S*[^\x00-\x7f]\S*")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_EOL = re.compile(r"\r?\n\Z")

_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=False,
    remove_control_chars=False,
    normalization=None,
)


def _ftfy_repair(text: str) -> tuple[str, set[str]] | None:
    """ftfy's repair of `text` and the encodings it undid, when it is a real mojibake repair."""
    if not _NON_ASCII_RUN.search(text) or _SURROGATE.search(text):
        return None  # ASCII needs nothing; bytes that are not UTF-8 at all are not ours to guess
    fixed, steps = ftfy.fix_and_explain(text, _FTFY_CONFIG)
    if fixed == text or not steps:
        return None
    pairs = [tuple(step) for step in steps]
    encodings = {arg for kind, arg in pairs if kind == "encode"}
    if not encodings or ("decode", "utf-8") not in pairs:
        return None
    if any(kind == "transcode" for kind, _ in pairs):
        return None  # e.g. restore_byte_a0 guesses a space was a no-break space: not reversible

    return fixed, encodings


def _spans(text: str) -> tuple[list[tuple[int, int, str]], set[str]]:
    """(start, end, repaired) spans of `text` and the encodings seen: line, tokens, then runs."""
    whole = _ftfy_repair(text)
    if whole is not None:
        return [(0, len(text), whole[0])], whole[1]
    spans: list[tuple[int, int, str]] = []
    seen: set[str] = set()
    for token in _TOKEN.finditer(text):
        found = _ftfy_repair(token.group(0))
        if found is not None:
            spans.append((token.start(), token.end(), found[0]))
            seen |= found[1]
            continue
        for run in _NON_ASCII_RUN.finditer(token.group(0)):
            found = _ftfy_repair(run.group(0))
            if found is not None:
                spans.append((token.start() + run.start(), token.start() + run.end(), found[0]))
                seen |= found[1]
    return spans, seen


def _splice(text: str, spans: list[tuple[int, int, str]]) -> str:
    """`text` with each span replaced."""
    out: list[str] = []
    last = 0
    for start, end, fixed in sorted(spans):
        out.append(text[last:start])
        out.append(fixed)
        last = end
    out.append(text[last:])
    return "".join(out)


#: Where the text of a repair by evidence may land: scripts and symbols paper lists hold. A
#: "repair" into IPA letters or combining marks (`\xa0é` -> `ʎ`) is a coincidence, not a repair.
_PLAUSIBLE_RANGES = (
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0370, 0x04FF),  # Greek, Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x22FF),  # punctuation, currency, letterlike, arrows, mathematical operators
    (0x3000, 0x30FF),  # CJK punctuation, Hiragana, Katakana
    (0x3400, 0x9FFF),  # CJK ideographs
    (0xAC00, 0xD7AF),  # Hangul
    (0xFF00, 0xFFEF),  # full-width forms
    (0x1F300, 0x1FAFF),  # emoji
)


def _plausible(text: str) -> bool:
    """Whether every non-ASCII character of `text` is in a range paper lists use."""
    return all(
        ord(ch) < 0x80 or any(lo <= ord(ch) <= hi for lo, hi in _PLAUSIBLE_RANGES) for ch in text
    )


def _evidence_repair(run: str, encodings: set[str]) -> str | None:
    """`run` re-encoded with an encoding the document already showed, if it is strict UTF-8."""
    if len(run) < 2 or _SURROGATE.search(run):
        return None
    for encoding in sorted(encodings):
        try:
            fixed = run.encode(encoding).decode("utf-8")
        except (UnicodeError, LookupError):
            continue
        if fixed != run and _plausible(fixed):
            return fixed
    return None


def fix_mojibake(text: str, evidence: set[str] | None = None) -> str:
    """`text` with its mojibake repaired; `evidence` adds encodings the document showed."""
    spans, seen = _spans(text)
    fixed = _splice(text, spans) if spans else text
    encodings = set(evidence or ()) | seen
    if not encodings:
        return fixed
    extra = []
    for run in _NON_ASCII_RUN.finditer(fixed):
        repaired = _evidence_repair(run.group(0), encodings)
        if repaired is not None:
            extra.append((run.start(), run.end(), repaired))
    return _splice(fixed, extra) if extra else fixed


def _suspects(lines: list[str]) -> tuple[dict[int, tuple[str, str]], set[str]]:
    """Lines that may hold mojibake ((body, ending) by index) and the encodings ftfy undid."""
    first: dict[int, tuple[str, str]] = {}
    evidence: set[str] = set()
    for i, line in enumerate(lines):
        if line.isascii() or not _SUSPECT_RUN.search(line):
            continue
        m = _EOL.search(line)
        body, eol = (line[: m.start()], m.group(0)) if m else (line, "")
        _spans_found, seen = _spans(body)
        evidence |= seen
        first[i] = (body, eol)
    return first, evidence


def document_evidence(lines: list[str]) -> set[str]:
    """The encodings a document's mojibake shows (what its lines were mis-decoded as)."""
    return _suspects(lines)[1]


def document_repairs(lines: list[str]) -> dict[int, str]:
    """0-based line index -> repaired line (ending kept) for every line that holds mojibake."""
    first, evidence = _suspects(lines)
    out: dict[int, str] = {}
    for i, (body, eol) in first.items():
        fixed = fix_mojibake(body, evidence)
        if fixed != body:
            out[i] = fixed + eol
    return out


def changed_runs(before: str, after: str) -> list[tuple[str, str]]:
    """The (garbled, repaired) pieces that differ between a line and its repair, in order."""
    from difflib import SequenceMatcher

    matcher = SequenceMatcher(None, before, after, autojunk=False)
    return [
        (before[i1:i2], after[j1:j2])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]
