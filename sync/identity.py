"""Paper identifiers: arXiv ids, DOIs, OpenReview and ACL ids, canonical URLs, identity keys."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from .errors import BadInput

log = logging.getLogger(__name__)

#: Archives of old-style (pre-2007) arXiv ids such as `hep-th/9901001`.
OLD_ARCHIVES = frozenset(
    [
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "q-fin",
        "quant-ph",
        "solv-int",
        "stat",
        "supr-con",
    ]
)

_NEW_ID = r"(?P<new>\d{4}\.\d{4,5})"
_OLD_ID = r"(?P<archive>[A-Za-z]+(?:-[A-Za-z]+)?)(?:\.[A-Za-z-]{2,})?/(?P<num>\d{7})"
_ID_BODY = rf"(?:{_NEW_ID}|{_OLD_ID})(?:v(?P<version>\d+))?"
# re.ASCII throughout: `\d` would otherwise take any Unicode digit ("２４１０.１６２１５", Arabic-Indic
# digits), which no arXiv, DOI or ACL id contains.
_BARE_ID_RE = re.compile(
    rf"(?:arxiv\s*:\s*)?{_ID_BODY}(?:\s*\[[A-Za-z.\-]+\])?", re.IGNORECASE | re.ASCII
)
_PATH_ID_RE = re.compile(
    rf"/(?:abs|pdf|html|format|ps|src|e-print|papers|overview|paper|arxiv)/{_ID_BODY}"
    r"(?:\.pdf)?(?:/.*)?",
    re.IGNORECASE | re.ASCII,
)
#: The common case in one regex: an arxiv.org abs/pdf/html URL, checked before urlsplit.
_FAST_ARXIV_URL_RE = re.compile(
    rf"(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/{_ID_BODY}"
    r"(?:\.pdf)?/?(?:[?#][^\s]*)?",
    re.IGNORECASE | re.ASCII,
)
_SPACE_RE = re.compile(r"\s")
#: Hosts whose `/abs/<id>`-like paths name an arXiv paper.
_ARXIV_HOSTS = (
    "arxiv.org",
    "ar5iv.org",
    "alphaxiv.org",
    "huggingface.co",
    "xxx.lanl.gov",
    "semanticscholar.org",
)
#: Hosts that serve other things too: only these path prefixes name an arXiv paper there.
_ARXIV_PATH_ONLY = {"huggingface.co": "/papers/", "semanticscholar.org": "/arxiv/"}

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.ASCII)
_ARXIV_DOI_RE = re.compile(r"10\.48550/arxiv\.(?P<id>.+)", re.IGNORECASE)
_ACL_DOI_RE = re.compile(r"10\.18653/v1/(?P<id>.+)", re.IGNORECASE)
_DOI_IN_PATH_RE = re.compile(
    r"/(?:doi(?:/(?:abs|full|pdf|epdf|book))?|article|chapter)/(?P<doi>10\.\d{4,9}/.+)$",
    re.IGNORECASE | re.ASCII,
)
_ACL_NEW_RE = re.compile(
    r"(?P<id>\d{4}\.[a-z0-9][a-z0-9-]*\.\d+)(?:v\d+)?", re.IGNORECASE | re.ASCII
)
_ACL_OLD_RE = re.compile(r"(?P<id>[A-Z]\d{2}-\d{4})(?:v\d+)?", re.IGNORECASE | re.ASCII)
_OPENREVIEW_ID_RE = re.compile(r"[A-Za-z0-9_\-]+")
_SCHEMELESS_URL_RE = re.compile(
    r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[:/?#]|$)", re.I
)
#: A bare file name (`README.md`, `paper.pdf`) is a relative link, not a host.
_FILE_NAME_RE = re.compile(
    r"[\w.-]+\.(?:md|markdown|pdf|html?|txt|png|jpe?g|gif|svg|py|ipynb|json|ya?ml|csv|zip|bib)",
    re.IGNORECASE,
)
_KEY_PREFIXES = ("arxiv", "doi", "openreview", "acl", "url")

#: Query parameters that only track where a click came from; they never change the page.
TRACKING_PARAMS = frozenset(
    [
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
        "_hsenc",
        "_hsmi",
    ]
)


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier: the version-free base (`2410.16215`, `hep-th/9901001`) and version."""

    base: str
    version: int | None = None

    def __str__(self) -> str:
        """The id as arXiv writes it, with its version if it has one."""
        return f"{self.base}v{self.version}" if self.version is not None else self.base

    @property
    def key(self) -> str:
        """The version-insensitive identity key, `arxiv:<base>`."""
        return f"arxiv:{self.base}"


def _arxiv_from_match(m: re.Match[str]) -> ArxivId | None:
    """Build an ArxivId from a regex match of `_ID_BODY`, validating month and archive."""
    version = int(m.group("version")) if m.group("version") else None
    if version is not None and version == 0:
        return None
    new = m.group("new")
    if new:
        yymm, number = new.split(".")
        if not 1 <= int(yymm[2:]) <= 12:
            return None
        # Four-digit numbers ran from 0704 to 1412; five digits from 1501 on.
        if (len(number) == 5) != (int(yymm) >= 1501):
            return None
        return ArxivId(new, version)
    archive = m.group("archive").lower()
    if archive not in OLD_ARCHIVES:
        return None
    num = m.group("num")
    if not 1 <= int(num[2:4]) <= 12:
        return None
    # `math.GT/0309136` names the same paper as `math/0309136`: the subject class is not the id.
    return ArxivId(f"{archive}/{num}", version)


def _split_url(text: str):
    """urlsplit `text`, adding `https://` to a scheme-less `host/path`; None when not a URL."""
    s = text.strip()
    if not s or _SPACE_RE.search(s):
        return None
    if "://" not in s:
        if s.lower().startswith("//"):
            s = "https:" + s
        elif _SCHEMELESS_URL_RE.match(s) and not _FILE_NAME_RE.fullmatch(s):
            s = "https://" + s
        else:
            return None
    try:
        parts = urlsplit(s)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "ftp") or not parts.hostname:
        return None
    return parts


def _host(parts) -> str:
    """The lowercased host without a leading `www.`."""
    host = (parts.hostname or "").lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _is_arxiv_host(host: str) -> bool:
    """Whether `host` serves arXiv papers by id (arxiv.org and its subdomains, mirrors)."""
    return any(host == h or host.endswith("." + h) for h in _ARXIV_HOSTS)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """The arXiv id in a bare id, an `arXiv:` id, an arXiv URL or an arXiv DOI; else None."""
    if not isinstance(text, str):
        return None
    return _parse_arxiv_id(text)


# Above a 50,000-entry list's links: an LRU scanned in order by more keys than it holds keeps none.
@lru_cache(maxsize=1 << 18)
def _parse_arxiv_id(text: str) -> ArxivId | None:
    """parse_arxiv_id for a str, cached: lists repeat the same links in many forms and passes."""
    s = text.strip()
    if not s:
        return None
    m = _BARE_ID_RE.fullmatch(s) or _FAST_ARXIV_URL_RE.fullmatch(s)
    if m:
        return _arxiv_from_match(m)
    doi = _doi_of(s)
    if doi is not None:
        dm = _ARXIV_DOI_RE.fullmatch(doi)
        if dm:
            inner = _BARE_ID_RE.fullmatch(dm.group("id"))
            return _arxiv_from_match(inner) if inner else None
        return None
    parts = _split_url(s)
    if parts is None or not _is_arxiv_host(_host(parts)):
        return None
    host = _host(parts)
    path = unquote(parts.path)
    base = next(h for h in _ARXIV_HOSTS if host == h or host.endswith("." + h))
    prefix = _ARXIV_PATH_ONLY.get(base)
    if prefix is not None and not path.lower().startswith(prefix):
        return None
    pm = _PATH_ID_RE.fullmatch(path)
    if pm:
        return _arxiv_from_match(pm)
    return None


def _doi_of(text: str) -> str | None:
    """The DOI named by `10.x/...`, `doi:10.x/...` or a doi.org / publisher URL, lowercased."""
    s = text.strip()
    low = s.lower()
    if low.startswith("doi:"):
        s = s[4:].strip()
    elif "://" in low or low.startswith(("doi.org/", "dx.doi.org/")):
        parts = _split_url(s)
        if parts is None:
            return None
        host = _host(parts)
        path = unquote(parts.path)
        if host in ("doi.org", "dx.doi.org"):
            s = path.lstrip("/")
        else:
            m = _DOI_IN_PATH_RE.search(path)
            if not m or _is_arxiv_host(host):
                return None
            s = m.group("doi")
    if not _DOI_RE.fullmatch(s):
        return None
    return s.rstrip("/.").lower()


def _openreview_of(parts) -> str | None:
    """The forum id of an openreview.net forum/pdf/attachment URL."""
    if _host(parts) != "openreview.net":
        return None
    if parts.path.rstrip("/").lower() not in ("/forum", "/pdf", "/attachment"):
        return None
    for item in parts.query.split("&"):
        name, _, value = item.partition("=")
        if name == "id" and _OPENREVIEW_ID_RE.fullmatch(value):
            return value
    return None


def _acl_id(text: str) -> str | None:
    """A normalised ACL Anthology id (`2021.acl-long.353`, `P19-1001`), or None."""
    m = _ACL_NEW_RE.fullmatch(text)
    if m:
        return m.group("id").lower()
    m = _ACL_OLD_RE.fullmatch(text)
    if m:
        return m.group("id").upper()
    return None


def _acl_of(parts) -> str | None:
    """The ACL Anthology id of an aclanthology.org or aclweb.org/anthology URL."""
    host = _host(parts)
    path = unquote(parts.path).strip("/")
    if host == "aclweb.org" and path.lower().startswith("anthology/"):
        path = path[len("anthology/") :]
    elif host != "aclanthology.org":
        return None
    if path.lower().endswith(".pdf"):
        path = path[:-4]
    return _acl_id(path)


def canonical_url(url: str) -> str:
    """`url` normalised: lowercased host without `www.`, no fragment/tracking/trailing slash."""
    parts = _split_url(url)
    if parts is None:
        return url.strip()
    scheme = parts.scheme.lower()
    host = _host(parts)
    port = parts.port
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    if host == "github.com":
        # GitHub owners and repos are case-insensitive; `.git` names the same repo.
        path = path.lower()
        path = path[:-4] if path.endswith(".git") else path
    query = "&".join(sorted(q for q in parts.query.split("&") if q and not _is_tracking(q)))
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")


def _is_tracking(item: str) -> bool:
    """Whether one `name=value` query item is a click-tracking parameter."""
    name = item.partition("=")[0].lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def identity_key(value: str) -> str | None:
    """The version-insensitive identity of a URL, id or key; None when it names nothing."""
    if not isinstance(value, str):
        return None
    return _identity_key(value)


# Above a 50,000-entry list's links (see _parse_arxiv_id).
@lru_cache(maxsize=1 << 18)
def _identity_key(value: str) -> str | None:
    """identity_key for a str, cached (a pure function of its text)."""
    s = value.strip().strip("<>").strip()
    if not s or s.lower() in ("none", "null", "#"):
        return None
    prefix, sep, rest = s.partition(":")
    if sep and prefix.lower() in _KEY_PREFIXES and not rest.startswith("//"):
        keyed = _key_from_prefixed(prefix.lower(), rest.strip())
        if keyed is not None:
            return keyed
    arxiv = parse_arxiv_id(s)
    if arxiv is not None:
        return arxiv.key
    doi = _doi_of(s)
    if doi is not None:
        acl = _ACL_DOI_RE.fullmatch(doi)
        if acl and _acl_id(acl.group("id")):
            return f"acl:{_acl_id(acl.group('id'))}"
        return f"doi:{doi}"
    parts = _split_url(s)
    if parts is None:
        acl_bare = _acl_id(s) if _ACL_NEW_RE.fullmatch(s) else None
        return f"acl:{acl_bare}" if acl_bare else None
    openreview = _openreview_of(parts)
    if openreview:
        return f"openreview:{openreview}"
    acl_id = _acl_of(parts)
    if acl_id:
        return f"acl:{acl_id}"
    return "url:" + canonical_url(s).split("://", 1)[1]


def _key_from_prefixed(prefix: str, rest: str) -> str | None:
    """Normalise an already-keyed value such as `doi:10.1/X` or `openreview:abc`."""
    if not rest:
        return None
    if prefix == "arxiv":
        arxiv = parse_arxiv_id(rest)
        return arxiv.key if arxiv else None
    if prefix == "doi":
        return identity_key(rest) if _DOI_RE.fullmatch(rest) else None
    if prefix == "openreview":
        return f"openreview:{rest}" if _OPENREVIEW_ID_RE.fullmatch(rest) else None
    if prefix == "acl":
        acl = _acl_id(rest)
        return f"acl:{acl}" if acl else None
    parts = _split_url("https://" + rest)
    return "url:" + canonical_url("https://" + rest).split("://", 1)[1] if parts else None


def arxiv_abs_url(arxiv_id: str) -> str:
    """`https://arxiv.org/abs/<id>` for an id (version kept as given); BadInput if not an id."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise BadInput(f"Not an arXiv id: {arxiv_id!r}.", fields={"arxiv_id": "not an arXiv id"})
    return f"https://arxiv.org/abs/{parsed}"
