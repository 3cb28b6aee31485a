"""The Paper record (docs/paper-json.md): one shape for a paper in the API, the CLI and the stores."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from .errors import PaperError

_PUBLISHED_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_HTTP_URL = validate.URL(
    schemes={"http", "https"}, require_tld=False, error="Not a valid http(s) URL."
)

#: Generous bounds: a paper record is small; anything larger is a mistake or an attack.
MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000
MAX_NOTE_CHARS = 5_000
MAX_AUTHORS = 2_000
MAX_SHORT_CHARS = 300


@dataclass(frozen=True)
class Link:
    """A labelled extra link of a paper (tweet, blog, video...)."""

    label: str
    url: str


@dataclass(frozen=True)
class Paper:
    """A paper as papershelf knows it; every field but one identifier is optional."""

    url: str | None = None
    arxiv_id: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    venue: str | None = None
    abstract: str | None = None
    code_url: str | None = None
    links: tuple[Link, ...] = ()
    tags: tuple[str, ...] = ()
    note: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def identity(self) -> str | None:
        """The version-insensitive identity key (`arxiv:2410.16215`, `doi:...`, `url:...`)."""
        from .identity import identity_key

        for candidate in (self.arxiv_id, self.url):
            if candidate:
                key = identity_key(candidate)
                if key:
                    return key
        return None

    def to_dict(self) -> dict[str, Any]:
        """The Paper JSON (docs/paper-json.md), empty fields left out."""
        raw = asdict(self)
        raw.pop("extra", None)
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if value in (None, (), [], ""):
                continue
            if key == "links":
                value = [{"label": link["label"], "url": link["url"]} for link in value]
            elif isinstance(value, tuple):
                value = list(value)
            out[key] = value
        return out

    def replace(self, **changes: Any) -> Paper:
        """A copy with some fields changed."""
        from dataclasses import replace

        return replace(self, **changes)


_BARE_HOST_RE = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?:[/?#]\S*)?$")


def with_scheme(url: str) -> str:
    """`github.com/o/r` as `https://github.com/o/r`: a link typed without its scheme."""
    return "https://" + url if "://" not in url and _BARE_HOST_RE.match(url) else url


def _clean_text(value: str) -> str:
    return " ".join(value.split())


class LinkSchema(Schema):
    """One labelled link."""

    class Meta:
        unknown = RAISE

    label = fields.String(required=True, validate=validate.Length(min=1, max=MAX_SHORT_CHARS))
    url = fields.String(required=True, validate=_HTTP_URL)


class PaperSchema(Schema):
    """Validates Paper JSON; unknown keys are an error, as docs/paper-json.md says."""

    class Meta:
        unknown = RAISE

    url = fields.String(validate=[_HTTP_URL, validate.Length(max=2_000)], allow_none=True)
    arxiv_id = fields.String(validate=validate.Length(min=1, max=64), allow_none=True)
    title = fields.String(validate=validate.Length(min=1, max=MAX_TITLE_CHARS), allow_none=True)
    authors = fields.List(
        fields.String(validate=validate.Length(min=1, max=MAX_SHORT_CHARS)),
        validate=validate.Length(max=MAX_AUTHORS),
    )
    published = fields.String(allow_none=True)
    venue = fields.String(validate=validate.Length(max=MAX_SHORT_CHARS), allow_none=True)
    abstract = fields.String(validate=validate.Length(max=MAX_ABSTRACT_CHARS), allow_none=True)
    code_url = fields.String(validate=_HTTP_URL, allow_none=True)
    links = fields.List(fields.Nested(LinkSchema), validate=validate.Length(max=50))
    tags = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=50)
    )
    note = fields.String(validate=validate.Length(max=MAX_NOTE_CHARS), allow_none=True)

    @pre_load
    def _strip_strings(self, data: Any, **_: Any) -> Any:
        # Blank strings mean "not given"; surrounding whitespace is never meaningful.
        if not isinstance(data, dict):
            return data
        broken = _surrogate_fields(data)
        if broken:
            # A lone surrogate (JSON "\\ud800", bytes that were not UTF-8 on the command line)
            # cannot be written as UTF-8: refuse it here rather than fail or corrupt the list.
            raise ValidationError(dict.fromkeys(broken, "Not valid Unicode text."))
        cleaned = {}
        for key, value in data.items():
            if isinstance(value, str):
                value = value.strip()
                if not value:
                    continue
                if key in ("url", "code_url"):
                    value = with_scheme(value)
            elif key == "links" and isinstance(value, list):
                value = [
                    {**x, "url": with_scheme(x["url"])}
                    if isinstance(x, dict) and isinstance(x.get("url"), str)
                    else x
                    for x in value
                ]
            cleaned[key] = value
        return cleaned

    @validates("published")
    def _check_published(self, value: str | None, **_: Any) -> None:
        if value is not None and not _is_published_date(value):
            raise ValidationError("Use YYYY-MM-DD or YYYY-MM.")

    @validates("arxiv_id")
    def _check_arxiv_id(self, value: str | None, **_: Any) -> None:
        from .identity import parse_arxiv_id

        if value is not None and parse_arxiv_id(value) is None:
            raise ValidationError("Not an arXiv identifier (e.g. 2410.16215 or hep-th/9901001).")

    @validates_schema
    def _check_identifier(self, data: dict[str, Any], **_: Any) -> None:
        if not data.get("url") and not data.get("arxiv_id"):
            raise ValidationError("Give url or arxiv_id.", "url")

    @post_load
    def _make_paper(self, data: dict[str, Any], **_: Any) -> Paper:
        return Paper(
            url=data.get("url"),
            arxiv_id=data.get("arxiv_id"),
            title=_clean_text(data["title"]) if data.get("title") else None,
            authors=tuple(_clean_text(a) for a in data.get("authors") or () if a.strip()),
            published=data.get("published"),
            venue=_clean_text(data["venue"]) if data.get("venue") else None,
            abstract=data.get("abstract"),
            code_url=data.get("code_url"),
            links=tuple(Link(x["label"].strip(), x["url"]) for x in data.get("links") or ()),
            tags=tuple(t.strip() for t in data.get("tags") or () if t.strip()),
            note=data.get("note"),
        )


def _surrogate_fields(value: Any, path: str = "") -> list[str]:
    """The dotted paths (`title`, `authors.1`) of strings in `value` holding a lone surrogate."""
    if isinstance(value, str):
        return [path] if _SURROGATE_RE.search(value) else []
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    found: list[str] = []
    for key, item in items:
        found += _surrogate_fields(item, f"{path}.{key}" if path else str(key))
    return found


def _is_published_date(value: str) -> bool:
    """Whether `value` is YYYY-MM or a YYYY-MM-DD day that exists (no February 30)."""
    if not _PUBLISHED_RE.match(value):
        return False
    try:
        return len(value) == 7 or bool(date.fromisoformat(value))
    except ValueError:
        return False


def paper_from_dict(data: Any) -> Paper:
    """Validate Paper JSON into a Paper, or raise PaperError whose `fields` name each problem."""
    if not isinstance(data, dict):
        raise PaperError("A paper must be a JSON object.")
    try:
        return PaperSchema().load(data)
    except ValidationError as exc:
        problems = _flatten_messages(exc.messages)
        summary = "; ".join(f"{name}: {msg}" for name, msg in problems.items())
        raise PaperError(f"Invalid paper: {summary}", fields=problems) from None


def _flatten_messages(messages: Any, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = key if key != "_schema" else "paper"
            out.update(
                _flatten_messages(value, f"{prefix}{name}" if not prefix else f"{prefix}.{name}")
            )
    elif isinstance(messages, list):
        if all(isinstance(m, str) for m in messages):
            out[prefix or "paper"] = " ".join(messages)
        else:
            for item in messages:
                out.update(_flatten_messages(item, prefix))
    else:
        out[prefix or "paper"] = str(messages)
    return out
