"""Inline markdown helpers shared by the styles: links, top-level splitting, escaping, dates."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: `[label](url)`: the label may hold one level of brackets (`[**-1**]`), the URL balanced parens.
LINK_RE = re.compile(
    r"\[((?:\\.|[^\[\]\\]|\[(?:\\.|[^\[\]\\])*\])*)\]"
    r"\(\s*(<[^>]*>|(?:[^()\s]|\([^()\s]*\))*)\s*\)"
)
_CODE_SPAN_RE = re.compile(r"`[^`]*`")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_UNESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_HTML_START_RE = re.compile(r"<(?=[A-Za-z/!?])")
_LINE_START_RISK = re.compile(
    r"^(\s*)(#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)|=+\s*$|-+\s*$)"
)

MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def collapse(text: str) -> str:
    """Whitespace runs (newlines included) as single spaces, ends stripped."""
    return " ".join(text.split())


def unescape(text: str) -> str:
    """Markdown backslash escapes removed: what a reader sees."""
    return _UNESCAPE_RE.sub(r"\1", text)


def clean_title(raw: str) -> str:
    """A title as a reader sees it: escapes removed, whitespace collapsed."""
    return collapse(unescape(raw))


def split_top(text: str, sep: str) -> list[str]:
    """Split `text` at `sep` where it is not inside backticks, brackets or parentheses."""
    pieces = text.split(sep)
    if len(pieces) == 1:
        return pieces
    # str.split is fast; glue back pieces that split inside a code span or a link.
    out: list[str] = []
    current: str | None = None
    for piece in pieces:
        current = piece if current is None else current + sep + piece
        outside = _CODE_SPAN_RE.sub(
            "", current.replace("\\`", "").replace("\\[", "").replace("\\]", "")
        )
        if (
            current.count("`") % 2 == 0
            and outside.count("[") <= outside.count("]")
            and outside.count("(") <= outside.count(")")
        ):
            out.append(current)
            current = None
    if current is not None:
        out.append(current)
    return out


def majority(values: Iterable, default: Any = None) -> Any:
    """The most common value (first seen wins a tie), or `default` when there is none."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return default
    best = max(counts.values())
    return next(v for v in counts if counts[v] == best)


# --- escaping: minimal, so a normal title renders exactly as a curator would type it ---------


def _one_line(text: str) -> str:
    # Newlines and control characters would end the entry; they become single spaces.
    return collapse(_CONTROL_RE.sub(" ", text))


def escape_text(text: str, context: str = "plain") -> str:
    """`text` made safe for one spot in an entry: `link`, `bold`, `italic`, `cell`, `plain`, `line`."""
    out = _one_line(text)
    # A backslash before punctuation (or at the end) would escape what follows: double it.
    out = re.sub(r"\\(?=[!-/:-@\[-`{-~]|$)", r"\\\\", out)
    out = _HTML_START_RE.sub("&lt;", out)
    if context != "line":
        # An unmatched backtick opens a code span that can swallow the link or emphasis around it.
        out = out.replace("`", "\\`")
    if context == "link":
        # A bracket could close the link text early (`](` would start a new link target).
        out = out.replace("[", "\\[").replace("]", "\\]")
    elif context in ("bold", "italic"):
        out = out.replace("*", "\\*")
        if context == "italic":
            out = out.replace("_", "\\_").replace("[", "\\[").replace("]", "\\]")
    elif context == "cell":
        out = out.replace("|", "\\|")
    if context in ("plain", "cell") and "](" in out:
        # Only a `[..](..)` could turn text into a link; lone brackets stay as typed.
        out = out.replace("[", "\\[").replace("]", "\\]")
    return out


def escape_line_start(line: str) -> str:
    """A free-text line that cannot start a heading, quote, list item or setext underline."""
    m = _LINE_START_RISK.match(line)
    if not m:
        return line
    lead, token = m.group(1), m.group(2)
    rest = line[len(lead) + len(token) :]
    if token[0].isdigit():
        return f"{lead}{token[:-1]}\\{token[-1]}{rest}"
    return f"{lead}\\{token}{rest}"


#: A `<` that starts raw HTML (a tag, comment or declaration), not an autolink `<scheme:...>`.
_RAW_HTML_RE = re.compile(
    r"<(?=[A-Za-z/!?])(?![A-Za-z][A-Za-z0-9+.\-]{1,31}:[^\s<>]*>)(?![^\s<>@/]+@[^\s<>]+>)"
)


def neutralize_html(text: str) -> str:
    """`text` with raw HTML turned into literal text (`&lt;`); autolinks stay links."""
    return _RAW_HTML_RE.sub("&lt;", text)


def code_span_text(text: str) -> str:
    """Text for inside a code span, where escapes do not work: backticks become quotes."""
    return _HTML_START_RE.sub("&lt;", _one_line(text).replace("`", "'"))


def safe_url(url: str) -> str:
    """`url` with the few characters that would end a markdown link target percent-encoded."""
    url = _one_line(url)
    for ch, enc in ((" ", "%20"), ("<", "%3C"), (">", "%3E"), ("(", "%28"), (")", "%29")):
        url = url.replace(ch, enc)
    return url


# --- dates --------------------------------------------------------------------------------------

_MONTH_TOKEN = r"(?P<mon>[A-Z][a-z]{2,8}\.?)"
_DATE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx))
    for name, rx in (
        ("{y}-{mm}-{dd}", r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
        ("{y}/{mm}/{dd}", r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2})"),
        ("{y}.{mm}.{dd}", r"(?P<y>\d{4})\.(?P<m>\d{2})\.(?P<d>\d{2})"),
        ("{y}-{mm}", r"(?P<y>\d{4})-(?P<m>\d{2})"),
        ("{y}.{mm}", r"(?P<y>\d{4})\.(?P<m>\d{2})"),
        ("{y}/{mm}", r"(?P<y>\d{4})/(?P<m>\d{2})"),
        ("{y}-{m}-{d}", r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),
        ("{y}/{m}/{d}", r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"),
        ("{y}.{m}.{d}", r"(?P<y>\d{4})\.(?P<m>\d{1,2})\.(?P<d>\d{1,2})"),
        ("{y}-{m}", r"(?P<y>\d{4})-(?P<m>\d)"),
        ("{y}.{m}", r"(?P<y>\d{4})\.(?P<m>\d)"),
        ("{y}/{m}", r"(?P<y>\d{4})/(?P<m>\d)"),
        ("{mon} {d} {y}", rf"{_MONTH_TOKEN} (?P<d>\d{{1,2}}) (?P<y>\d{{4}})"),
        ("{mon} {d}, {y}", rf"{_MONTH_TOKEN} (?P<d>\d{{1,2}}), (?P<y>\d{{4}})"),
        ("{d} {mon} {y}", rf"(?P<d>\d{{1,2}}) {_MONTH_TOKEN} (?P<y>\d{{4}})"),
        ("{d} {mon}, {y}", rf"(?P<d>\d{{1,2}}) {_MONTH_TOKEN}, (?P<y>\d{{4}})"),
        ("{mon}, {y}", rf"{_MONTH_TOKEN}, (?P<y>\d{{4}})"),
        ("{mon} {y}", rf"{_MONTH_TOKEN} (?P<y>\d{{4}})"),
        ("{y}", r"(?P<y>(?:19|20)\d{2})"),
    )
)


def month_number(token: str) -> int | None:
    """1-12 for an English month name or abbreviation (`Jul.`, `Sept`, `June`), else None."""
    word = token.rstrip(".").lower()
    if len(word) < 3:
        return None
    for i, name in enumerate(MONTHS, 1):
        if name.lower().startswith(word):
            return i
    return None


@dataclass(frozen=True)
class ParsedDate:
    """A date as written: ISO value, the pattern it used, its month spelling and day padding."""

    iso: str
    pattern: str
    month_text: str | None = None
    padded_day: bool | None = None


def parse_date(text: str) -> ParsedDate | None:
    """The date `text` is (whole), in any common format; None when it is not just a date."""
    s = text.strip()
    for name, rx in _DATE_PATTERNS:
        m = rx.fullmatch(s)
        if not m:
            continue
        groups = m.groupdict()
        year = groups["y"]
        month = None
        if groups.get("mon"):
            month = month_number(groups["mon"])
            if month is None:
                continue
        elif groups.get("m"):
            month = int(groups["m"])
            if not 1 <= month <= 12:
                continue
        day = int(groups["d"]) if groups.get("d") else None
        if day is not None and not 1 <= day <= 31:
            continue
        iso = year + (f"-{month:02d}" if month else "") + (f"-{day:02d}" if day else "")
        # Only days below 10 say whether the list pads them (`05` or `5`).
        padded = None if day is None or day >= 10 else groups["d"].startswith("0")
        return ParsedDate(iso, name, groups.get("mon"), padded)
    return None


def month_rule(spelling: str) -> str | None:
    """How a month spelling abbreviates: `dot3` (Jul.), `dot` (Sept.), `short`, `full`."""
    num = month_number(spelling)
    if num is None:
        return None
    full = MONTHS[num - 1]
    word = spelling.rstrip(".")
    if word == full:
        return None if len(full) <= 4 else "full"  # May/June/July say little on their own
    if spelling.endswith("."):
        return "dot3" if len(word) == 3 else "dot"
    return "short"


@dataclass(frozen=True)
class DateStyle:
    """How a list writes dates, learned from the dates it shows."""

    patterns: dict[str, str] = field(default_factory=dict, hash=False)  # precision -> pattern
    months: dict[int, str] = field(default_factory=dict, hash=False)  # seen spellings
    rule: str = "dot3"
    pad_day: bool = False
    usual: str | None = None  # the precision most dates have (a changelog's days aside)

    def format(self, iso: str) -> str:
        """`iso` (YYYY, YYYY-MM or YYYY-MM-DD) written the list's way."""
        parts = iso.split("-")
        precision = ("year", "month", "day")[min(len(parts), 3) - 1]
        order = ("year", "month", "day")
        shown = [p for p in order if p in self.patterns]
        if shown and order.index(shown[-1]) < order.index(precision):
            # Never more precise than the list is: a month-only list gets `2024-10`.
            precision = shown[-1]
        if self.usual in order and order.index(self.usual) < order.index(precision):
            # Nor than most of its dates: years everywhere, days only in a changelog.
            precision = self.usual
        pattern = self.patterns.get(precision) or _derive_pattern(self.patterns, precision)
        year = parts[0]
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return pattern.format(
            y=year,
            mm=f"{month:02d}",
            m=str(month),
            dd=f"{day:02d}",
            d=f"{day:02d}" if self.pad_day else str(day),
            mon=self.months.get(month) or _spell(month, self.rule),
        )


def _spell(month: int, rule: str) -> str:
    full = MONTHS[month - 1]
    if rule == "full" or len(full) <= 3:
        return full
    if rule == "short":
        return full[:3]
    if rule == "dot" and full == "September":
        return "Sept."
    return full[:3] + "."


def _derive_pattern(patterns: dict[str, str], precision: str) -> str:
    """A pattern for a precision the list never shows, shaped like the ones it does show."""
    base = patterns.get("day") or patterns.get("month") or "{mon} {d} {y}"
    if precision == "year":
        return "{y}"
    if precision == "day":
        if "{mm}" in base:
            return base.split("{mm}")[0] + "{mm}" + base.split("{mm}")[0][-1:] + "{dd}"
        return "{mon} {d} {y}"
    if "{dd}" in base:
        return base.replace("{dd}", "").rstrip("-./")
    return "{mon} {y}" if "{mon}" in base else "{y}-{mm}"


def learn_dates(dates: Iterable[ParsedDate]) -> DateStyle:
    """The date style of a list from the dates its entries show (majority per precision)."""
    dates = list(dates)
    by_precision: dict[str, list[str]] = {"year": [], "month": [], "day": []}
    months: dict[int, list[str]] = {}
    pads = []
    for d in dates:
        precision = ("year", "month", "day")[d.iso.count("-")]
        by_precision[precision].append(d.pattern)
        if d.month_text:
            months.setdefault(int(d.iso[5:7]), []).append(d.month_text)
        if d.padded_day is not None:
            pads.append(d.padded_day)
    spelled = {m: majority(v) for m, v in months.items()}
    rule = majority((month_rule(s) for s in spelled.values()), "dot3")
    patterns = {k: majority(v) for k, v in by_precision.items() if v}
    counts = {k: len(v) for k, v in by_precision.items() if v}
    usual = max(counts, key=lambda k: counts[k]) if counts else None
    # Only a clear habit caps the precision: three in four dates at most that precise.
    if usual is not None and counts[usual] * 4 < 3 * sum(counts.values()):
        usual = None
    return DateStyle(patterns, spelled, rule, bool(majority(pads, False)), usual)
