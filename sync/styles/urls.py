"""Link shapes: the form of an arXiv link (scheme, host, abs/pdf, version, `.pdf`) and code repos."""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from ..identity import parse_arxiv_id

_FAST_FORM_RE = re.compile(
    r"(https?)://((?:www\.|export\.)?arxiv\.org)/(abs|pdf|html)/\d{4}\.\d{4,5}(v\d+)?(\.pdf)?"
)
_ARXIV_PATH_RE = re.compile(
    r"^/(?P<kind>abs|pdf|html)/(?P<id>(?:[A-Za-z-]+(?:\.[A-Za-z-]+)?/)?[^/]+?)"
    r"(?P<suffix>\.pdf)?(?P<rest>[#?].*|/)?$"
)

#: scheme, host, abs/pdf/html, versioned?, `.pdf` suffix
ArxivForm = tuple[str, str, str, bool, str]


@lru_cache(maxsize=65536)
def arxiv_form(url: str) -> ArxivForm | None:
    """The shape of an arXiv link: scheme, host, abs/pdf/html, versioned?, `.pdf` suffix."""
    fast = _FAST_FORM_RE.fullmatch(url)
    if fast:
        # The common shapes, read without urlsplit: lists hold thousands of these links.
        return (
            fast.group(1),
            fast.group(2),
            fast.group(3),
            bool(fast.group(4)),
            fast.group(5) or "",
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if not parts.hostname or not parts.hostname.endswith("arxiv.org"):
        return None
    m = _ARXIV_PATH_RE.match(parts.path + (f"?{parts.query}" if parts.query else ""))
    arxiv = parse_arxiv_id(m.group("id")) if m else None
    if m is None or arxiv is None:
        return None
    versioned = arxiv.version is not None
    return (parts.scheme, parts.netloc, m.group("kind"), versioned, m.group("suffix") or "")


def arxiv_url(form: ArxivForm, arxiv_id: str) -> str:
    """An arXiv link in a learned shape; the version only where the list writes one and we know it."""
    scheme, host, kind, versioned, suffix = form
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        return f"{scheme}://{host}/{kind}/{arxiv_id}{suffix}"
    ident = str(parsed) if versioned else parsed.base
    return f"{scheme}://{host}/{kind}/{ident}{suffix}"


def github_repo(url: str) -> tuple[str, str] | None:
    """(owner, repo) of a GitHub repository link."""
    if "github.com" not in url.lower():
        return None  # the common case, decided without parsing the URL
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if (parts.hostname or "").lower() not in ("github.com", "www.github.com"):
        return None
    path = [p for p in parts.path.split("/") if p]
    return (path[0], path[1]) if len(path) >= 2 else None
