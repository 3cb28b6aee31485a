"""Request schemas (marshmallow 4): a clip is Paper JSON plus `list` and `section`; lookup's query."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates,
    validates_schema,
)
from werkzeug.exceptions import BadRequest

from papershelf.sync.errors import BadInput, PaperError
from papershelf.sync.identity import identity_key
from papershelf.sync.paper import Paper, PaperSchema

MAX_PATH_CHARS = 1_000


@dataclass(frozen=True)
class ClipRequest:
    """A validated `POST /api/papers` body: the paper and where it goes."""

    paper: Paper
    list_path: str
    section: str
    also: bool = False


class ClipSchema(PaperSchema):
    """Paper JSON (docs/paper-json.md) plus the target `list` (workspace-relative path) and
    `section`, and `also` (add it even when another list has it)."""

    class Meta:
        unknown = RAISE

    list_path = fields.String(
        data_key="list", required=True, validate=validate.Length(min=1, max=MAX_PATH_CHARS)
    )
    section = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PATH_CHARS))
    # Only JSON true or false: "yes" or 1 is a typo to report, not a guess to make.
    also = fields.Boolean(truthy={True}, falsy={False}, load_default=False)

    @post_load
    def _make_paper(self, data: dict[str, Any], **kwargs: Any) -> ClipRequest:
        rest = {k: v for k, v in data.items() if k not in ("list_path", "section", "also")}
        paper = PaperSchema._make_paper(self, rest, **kwargs)
        return ClipRequest(
            paper=paper, list_path=data["list_path"], section=data["section"], also=data["also"]
        )


class LookupQuerySchema(Schema):
    """`GET /api/lookup`: exactly one of `url` or `id`, and an optional `title` for near matches."""

    class Meta:
        unknown = RAISE

    url = fields.String(validate=validate.Length(min=1, max=2_000))
    id = fields.String(validate=validate.Length(min=1, max=200))
    title = fields.String(validate=validate.Length(min=1, max=1_000))

    @validates_schema
    def _one_of(self, data: dict[str, Any], **_: Any) -> None:
        if bool(data.get("url")) == bool(data.get("id")):
            raise ValidationError("Give exactly one of url or id.", "url")

    @validates("id")
    def _an_identifier(self, value: str, **_: Any) -> None:
        # An id that names nothing could never be listed: 200 with identity null hid the typo.
        if identity_key(value) is None:
            raise ValidationError(
                "Not a paper identifier: give an arXiv id (2410.16215, hep-th/9901001), "
                "a DOI (10.1000/xyz) or a URL."
            )


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, str]:
    """marshmallow's nested messages as {"field" or "field.sub": "problem"}."""
    out: dict[str, str] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = "paper" if key == "_schema" else str(key)
            out.update(flatten_messages(value, f"{prefix}.{name}" if prefix else name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        out[prefix or "body"] = " ".join(messages)
    elif isinstance(messages, list):
        for item in messages:
            out.update(flatten_messages(item, prefix))
    else:
        out[prefix or "body"] = str(messages)
    return out


#: An error sentence names this many problems and counts the rest (20,000 unknown query
#: parameters made a 500 KB sentence).
_SUMMARY_PROBLEMS = 10


def _summary(problems: dict[str, str]) -> str:
    named = sorted(problems.items())
    text = "; ".join(f"{name}: {msg}" for name, msg in named[:_SUMMARY_PROBLEMS])
    left = len(named) - _SUMMARY_PROBLEMS
    return f"{text}; and {left:,} more" if left > 0 else text


def load_clip(data: Any) -> ClipRequest:
    """Validate a clip body, or raise PaperError whose `fields` name each problem."""
    if not isinstance(data, dict):
        raise PaperError(
            "The body must be a JSON object: Paper JSON plus list and section.",
            fields={"body": "not an object"},
        )
    try:
        return ClipSchema().load(data)
    except ValidationError as exc:
        problems = flatten_messages(exc.messages)
        raise PaperError(f"Invalid clip: {_summary(problems)}", fields=problems) from None


def json_body() -> Any:
    """The request's JSON body, any JSON value (a valid `null` is None); BadInput when it is
    not valid JSON. Not `get_json(silent=True)`: it answers None for invalid JSON and for
    `null` alike."""
    try:
        return request.get_json()
    except BadRequest:
        raise BadInput("The body is not valid JSON.", fields={"body": "invalid JSON"}) from None
    except RecursionError:  # json.loads gives up on deep nesting with this, not a ValueError
        raise BadInput(
            "The body is nested too deeply to be a clip or a decision.",
            fields={"body": "nested too deeply"},
        ) from None


def refuse_repeated_query() -> None:
    """A Flask before_request (after the token check): a GET route of the API answers 400 in
    the one error shape for a query parameter given twice, before its view reads the first.
    No route defines a repeated name (taking the first silently answered for another paper,
    or ranked another title)."""
    if request.method not in ("GET", "HEAD") or not (request.blueprint or "").startswith("api_"):
        return
    for name in request.args:
        count = len(request.args.getlist(name))
        if count > 1:
            raise BadInput(
                f"Give {name} once (it was given {count} times).", fields={name: "repeated"}
            )


def load_lookup_query(args: dict[str, str]) -> dict[str, str]:
    """Validate lookup's query string, or raise BadInput naming each problem (a repeated
    parameter is refused before: `refuse_repeated_query`)."""
    try:
        return LookupQuerySchema().load(args)
    except ValidationError as exc:
        problems = flatten_messages(exc.messages)
        raise BadInput(f"Invalid lookup: {_summary(problems)}", fields=problems) from None
