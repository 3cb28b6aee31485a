"""Inline markdown as spans: links, images, badges, code, emphasis, HTML tags, autolinks and text.

The reader of entries works on these spans and never changes text: every span keeps its offsets
into the entry's text, so what it finds can be cut out and put back byte for byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: `[label](url)`: the label may hold one level of brackets (`[**-1**]`), the URL balanced parens.
_LABEL = r"(?:\\.|[^\[\]\\]|\[(?:\\.|[^\[\]\\])*\])*"
_TARGET = r"\(\s*(<[^>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+\"[^\"\n]*\")?\s*\)"
_LINK_RE = re.compile(r"\[(" + _LABEL + r")\]" + _TARGET)
_IMAGE_RE = re.compile(r"!\[(" + _LABEL + r")\]" + _TARGET)
_BADGE_RE = re.compile(r"\[(!\[" + _LABEL + r"\]" + _TARGET + r")\]" + _TARGET)
_CODE_RE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)", re.S)
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp)://[^\s<>]+)>")
_BARE_URL_RE = re.compile(r"(?<![\w(<\[/])https?://[^\s<>()\[\]]+[^\s<>()\[\].,;:!?'\"]")
_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s+[^<>]*?)?\s*/?>")
_STRONG_RE = re.compile(r"(\*\*|__)(?=\S)((?:\\.|[^\\])+?)(?<=\S)\1(?![*_])", re.S)
_EM_RE = re.compile(
    r"(?<![*\w\\])([*_])(?=[^\s*_])((?:\\.|[^\\*_\n]|(?<=\w)_(?=\w))+?)(?<=\S)\1(?![*\w])"
)


@dataclass(frozen=True)
class Span:
    """One inline element of a text: `text[start:end]`, its content `text[inner:inner_end]`.

    kind: link | image | badge | code | strong | em | tag | autolink | url. For links, images,
    badges and autolinks `url` is the target (without `<>`) and `url_at` its offset.
    """

    kind: str
    start: int
    end: int
    inner: int
    inner_end: int
    url: str = ""
    url_at: int = -1


def _url_of(m: re.Match[str], group: int) -> tuple[str, int]:
    raw = m.group(group)
    at = m.start(group)
    if raw.startswith("<") and raw.endswith(">"):
        return raw[1:-1], at + 1
    return raw, at


def spans(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """The top-level inline spans of `text[start:end]`, left to right, never overlapping."""
    end = len(text) if end is None else end
    out: list[Span] = []
    pos = start
    while pos < end:
        found = _next_span(text, pos, end)
        if found is None:
            break
        out.append(found)
        pos = found.end
    return out


_OPENERS = re.compile(r"[\[!`<*_h\\]")


def _next_span(text: str, pos: int, end: int) -> Span | None:
    while pos < end:
        m = _OPENERS.search(text, pos, end)
        if m is None:
            return None
        i = m.start()
        c = text[i]
        found = None
        if c == "\\":
            pos = i + 2  # an escaped character opens nothing
            continue
        if c == "[":
            found = _bracket(text, i, end)
        elif c == "!":
            im = _IMAGE_RE.match(text, i, end)
            if im:
                url, at = _url_of(im, 2)
                found = Span("image", i, im.end(), i + 2, i + 2 + len(im.group(1)), url, at)
        elif c == "`":
            cm = _CODE_RE.match(text, i, end)
            if cm:
                ticks = len(cm.group(1))
                found = Span("code", i, cm.end(), i + ticks, cm.end() - ticks)
            else:
                run = len(text[i:end]) - len(text[i:end].lstrip("`"))
                pos = i + max(run, 1)
                continue
        elif c == "<":
            am = _AUTOLINK_RE.match(text, i, end)
            if am:
                found = Span("autolink", i, am.end(), i + 1, am.end() - 1, am.group(1), i + 1)
            else:
                tm = _TAG_RE.match(text, i, end)
                if tm:
                    found = Span("tag", i, tm.end(), i, tm.end())
        elif c in "*_":
            sm = _STRONG_RE.match(text, i, end)
            if sm:
                found = Span("strong", i, sm.end(), i + 2, sm.end() - 2)
            else:
                em = _EM_RE.match(text, i, end)
                if em and (c == "*" or _word_boundary(text, i, em.end())):
                    found = Span("em", i, em.end(), i + 1, em.end() - 1)
        elif c == "h":
            um = _BARE_URL_RE.match(text, i, end)
            if um and (i == 0 or not text[i - 1].isalnum()):
                found = Span("url", i, um.end(), i, um.end(), um.group(0), i)
        if found is not None:
            return found
        pos = i + 1
    return None


def _word_boundary(text: str, start: int, end: int) -> bool:
    """`_x_` is emphasis only between non-word characters (snake_case stays text)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def _bracket(text: str, i: int, end: int) -> Span | None:
    bm = _BADGE_RE.match(text, i, end)
    if bm:
        url, at = _url_of(bm, 3)
        return Span("badge", i, bm.end(), i + 1, i + 1 + len(bm.group(1)), url, at)
    lm = _LINK_RE.match(text, i, end)
    if lm:
        url, at = _url_of(lm, 2)
        return Span("link", i, lm.end(), i + 1, i + 1 + len(lm.group(1)), url, at)
    return None


def inner_spans(text: str, span: Span) -> list[Span]:
    """The spans inside a span's content (a bold title inside a link label, say)."""
    return spans(text, span.inner, span.inner_end)


_UNESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """What a reader sees of inline markdown: emphasis marks and escapes removed, spaces folded."""
    out = []
    pos = 0
    for s in spans(text):
        out.append(text[pos : s.start])
        if s.kind in ("strong", "em", "link"):
            out.append(plain(text[s.inner : s.inner_end]))
        elif s.kind == "code":
            out.append(text[s.inner : s.inner_end])
        elif s.kind in ("autolink", "url"):
            out.append(s.url)
        pos = s.end
    out.append(text[pos:])
    return " ".join(_UNESCAPE_RE.sub(r"\1", "".join(out)).split())


def all_links(text: str, body: list[Span]) -> list[Span]:
    """Links, badges and autolinks at any depth that matter: top level and inside emphasis."""
    out = []
    for s in body:
        if s.kind in ("link", "badge", "autolink", "url"):
            out.append(s)
        elif s.kind in ("strong", "em"):
            out += [x for x in inner_spans(text, s) if x.kind in ("link", "badge")]
    return out
