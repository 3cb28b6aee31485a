"""What a piece of entry text looks like: a person's name, a venue, a generic link label, a repo."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

#: Link labels that name a kind of link, not a paper: such a link is never the title.
PAPER_LABELS = frozenset(
    [
        "paper",
        "pdf",
        "arxiv",
        "abs",
        "link",
        "url",
        "openreview",
        "acl",
        "doi",
        "html",
        "article",
        "preprint",
        "full",
        "paper",
        "proceedings",
        "publication",
    ]
) | {"full paper", "arxiv paper"}
CODE_LABELS = frozenset(
    [
        "code",
        "github",
        "repo",
        "repository",
        "official",
        "implementation",
        "pytorch",
        "tensorflow",
        "jax",
        "source",
        "official",
        "code",
        "codes",
    ]
) | {"official code", "source code", "github repo"}
OTHER_LABELS = frozenset(
    [
        "project",
        "website",
        "homepage",
        "page",
        "blog",
        "demo",
        "video",
        "slides",
        "poster",
        "talk",
        "data",
        "dataset",
        "model",
        "models",
        "weights",
        "tweet",
        "twitter",
        "x",
        "𝕏",
        "huggingface",
        "hf",
        "colab",
        "notebook",
        "leaderboard",
        "benchmark",
        "zhihu",
        "news",
        "media",
    ]
)
_CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "codeberg.org", "git.sr.ht")
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "du",
        "la",
        "le",
        "y",
        "bin",
        "al",
        "el",
        "ter",
        "ten",
        "zu",
        "af",
        "av",
    ]
)
_ETAL_RE = re.compile(r"^(?:et\.? al\.?|etc\.?|\.\.\.|…|others)$", re.I)
_SUP_RE = re.compile(r"<(sup|sub)>[^<]{0,12}</\1>|[\u00b9\u00b2\u00b3\u2070-\u2079*†‡§¶#]+")
_NAME_WORD_RE = re.compile(
    r"^(?:[A-Z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff][\w'’.\-]*|[A-Z]\.(?:-?[A-Z]\.)*)$"
)
_CJK_RE = re.compile(r"^[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{2,5}$")
_AUTHOR_SPLIT_RE = re.compile(r",\s+and\s+|\s+and\s+|\s*&\s*|;\s*|,\s*")
_VENUE_WORD_RE = re.compile(
    r"^(?:[A-Z][A-Za-z]*[A-Z][\w\-/&+]*|[A-Z]{2,}[\w\-/&+]*|arXiv|Science|Nature|"
    r"Proceedings|Transactions|Journal|Workshop|Conference|Findings|Oral|Spotlight|Poster)"
)
_YEAR_RE = re.compile(r"(?:^|[\s',(])((?:19|20)\d{2}|'\d{2})\)?$")


def label_kind(label: str) -> str | None:
    """`paper`, `code` or `other` for a generic link label (`[pdf]`, `[Code]`, `[Project]`)."""
    word = re.sub(r"[^\w𝕏 ]+", " ", label).strip().lower()
    word = " ".join(word.split())
    if not word:
        return "other"  # a label of symbols only (an emoji, an arrow)
    if word in PAPER_LABELS:
        return "paper"
    if word in CODE_LABELS:
        return "code"
    if word in OTHER_LABELS:
        return "other"
    return None


@lru_cache(maxsize=8192)
def code_repo(url: str) -> tuple[str, str] | None:
    """(owner, repo) of a repository on a code host (GitHub, GitLab...), else None."""
    low = url.lower()
    if not any(h in low for h in _CODE_HOSTS) or low.split("?")[0].endswith(".pdf"):
        return None  # a PDF kept in a repository is a paper, not code
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host not in _CODE_HOSTS:
        return None
    path = [p for p in parts.path.split("/") if p]
    return (path[0], path[1]) if len(path) >= 2 else None


def is_name(part: str) -> bool:
    """Whether one item of an author list reads as a person's name (or `et al.`, `...`)."""
    text = _SUP_RE.sub("", part).strip().strip("*_")
    if not text:
        return False
    if _ETAL_RE.match(text) or _CJK_RE.match(text):
        return True
    words = text.split()
    if not 1 <= len(words) <= 6:
        return False
    caps = 0
    for w in words:
        if w.lower() in _PARTICLES:
            continue
        if not _NAME_WORD_RE.match(w) or any(ch.isdigit() for ch in w):
            return False
        caps += 1
    return caps >= 1


def split_authors(text: str) -> list[str]:
    """The names of an author list as written (`A, B and C`, `A; B`, `A & B`)."""
    return [p.strip() for p in _AUTHOR_SPLIT_RE.split(text.strip()) if p.strip()]


_TRAILING_ETAL_RE = re.compile(r"[\s,]+(?:et\.? al\.?|and others)\s*$", re.I)


def looks_like_authors(text: str, *, strict: bool = False) -> bool:
    """Whether `text` is a list of people's names: most parts names, and not a sentence."""
    body = _TRAILING_ETAL_RE.sub(", et al", text.strip()).rstrip(".,;")
    if not body or len(body) > 2000 or "](" in body or body.endswith(":"):
        return False
    parts = split_authors(body)
    named = sum(1 for p in parts if is_name(p))
    if not parts or named < max(1, len(parts) * (1.0 if strict else 0.8)):
        return False
    if len(parts) == 1:
        # One "name" could be any capitalised phrase: it must look like a person's name.
        words = _SUP_RE.sub("", parts[0]).split()
        return _ETAL_RE.match(parts[0]) is not None or 2 <= len(words) <= 4 or strict
    return True


#: A year as venues and labels write it: `2024`, `'24`.
YEAR_IN_TEXT_RE = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)|'\d{2}(?!\d)")
#: A topic badge's tag and colour in an entry's text: `img.shields.io/badge/Seq2Seq-red)`.
BADGE_TAG_RE = re.compile(r"img\.shields\.io/badge/([^/?#)]+?)-([A-Za-z]+)\)")


def says_year(text: str) -> bool:
    """Whether `text` (a venue, a link label) names a year: `ICLR 2025`, `ACL'23`."""
    return YEAR_IN_TEXT_RE.search(text) is not None


def looks_like_venue(text: str) -> bool:
    """Whether a short free-text segment names a venue (`ICLR 2025`, `arXiv 2022`, `ACL'23`)."""
    body = text.strip()
    if not body or len(body) > 60 or len(body.split()) > 8 or "](" in body:
        return False
    if not any(ch.isalpha() for ch in body):
        return False
    first = body.split()[0]
    return bool(_VENUE_WORD_RE.match(first)) or bool(_YEAR_RE.search(body))


def venue_year(venue: str) -> tuple[str, str | None]:
    """`ACL'23` -> (`ACL`, `2023`); `ICLR 2025` -> (`ICLR`, `2025`); `Science` -> (`Science`, None)."""
    m = re.match(r"^(?P<name>.*?)[\s',]*(?P<year>(?:19|20)\d{2})$", venue.strip())
    if m and m.group("name"):
        return m.group("name"), m.group("year")
    m = re.match(r"^(?P<name>.+?)'(?P<yy>\d{2})$", venue.strip())
    if m:
        yy = int(m.group("yy"))
        return m.group("name"), str(2000 + yy if yy < 70 else 1900 + yy)
    return venue.strip(), None
