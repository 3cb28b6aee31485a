"""The feeds area of the JSON API: suggest, candidates, accept, reject and snooze.

The ranking models (scikit-learn, numpy, scipy: about 95 MB) are imported on the first request
that needs them, so a server started with `--no-feeds` holds none of them until the popup asks
for a suggestion.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from papershelf.feeds.store import STATUSES
from papershelf.sync.digits import whole_number
from papershelf.sync.errors import BadInput

from .schemas import json_body
from .services import RUNNING, Services

if TYPE_CHECKING:
    from papershelf.feeds.poll import Poller

bp = Blueprint("api_feeds", __name__, url_prefix="/api")

_MAX_TITLE_CHARS = 1_000
_MAX_ABSTRACT_CHARS = 20_000
_MAX_LIMIT = 10_000
_lock = threading.Lock()


def _poller(app: Flask) -> Poller:
    """The app's Poller: the running scheduler's, else one made once over the app's index."""
    services: Services = app.config["PAPERSHELF_SERVICES"]
    scheduler = services.feeds.part
    if scheduler is not None and services.feeds.state == RUNNING:
        return scheduler.poller()
    with _lock:
        poller = app.extensions.get("papershelf_feeds")
        if poller is None:
            from papershelf.feeds.poll import Poller

            poller = Poller(services.workspace, index=services.index)
            app.extensions["papershelf_feeds"] = poller
        return poller


def _text_arg(name: str, limit: int, required: bool) -> str | None:
    """A query-string argument, trimmed and bounded; BadInput when missing or too long."""
    value = (request.args.get(name) or "").strip()
    if not value:
        if required:
            raise BadInput(f"Give {name}.", fields={name: "missing"})
        return None
    if len(value) > limit:
        raise BadInput(f"{name} is longer than {limit} characters.", fields={name: "too long"})
    return value


@bp.get("/suggest")
def suggest() -> Response:
    """`?title=&abstract=` -> ranked `[{"list", "section", "score", "why"}]`."""
    title = _text_arg("title", _MAX_TITLE_CHARS, True)
    abstract = _text_arg("abstract", _MAX_ABSTRACT_CHARS, False)
    suggestions = _poller(current_app).suggest(title or "", abstract)
    return jsonify([s.to_dict() for s in suggestions])


@bp.get("/candidates")
def candidates() -> Response:
    """`?status=pending` (default; or all) -> candidates best first, with suggestion and why."""
    status = request.args.get("status", "pending").strip() or "pending"
    if status != "all" and status not in STATUSES:
        raise BadInput(
            f"Unknown status {status!r}; use one of {', '.join(STATUSES)} or all.",
            fields={"status": status},
        )
    limit_text = request.args.get("limit", "200")
    limit = whole_number(limit_text, _MAX_LIMIT)
    if limit is None or limit < 1:
        raise BadInput(
            f"limit must be a whole number 1..{_MAX_LIMIT}.", fields={"limit": limit_text[:40]}
        )
    from papershelf.feeds.decisions import open_candidates

    poller = _poller(current_app)
    wanted = None if status == "all" else status
    found = open_candidates(poller.workspace, poller.store, poller.index, wanted, limit)
    return jsonify({"ok": True, "candidates": [c.to_dict() for c in found]})


def _body() -> dict[str, Any]:
    """The JSON body of a decision (optional); BadInput when it is not an object."""
    if not request.data:
        return {}
    body = json_body()
    if not isinstance(body, dict):  # `null`, a list, a number: as POST /api/papers says it
        raise BadInput(
            "The body must be a JSON object: {} or an optional list and section.",
            fields={"body": "not an object"},
        )
    unknown = sorted(set(body) - {"list", "section"})
    if unknown:
        raise BadInput(
            f"Unknown field(s): {', '.join(unknown)}.", fields=dict.fromkeys(unknown, "unknown")
        )
    for key in ("list", "section"):
        if key in body and not isinstance(body[key], str):
            raise BadInput(f"{key} must be a string.", fields={key: "not a string"})
    return body


@bp.post("/candidates/<candidate_id>/accept")
def accept_candidate(candidate_id: str) -> tuple[Response, int]:
    """Insert the candidate (optional `list`, `section`); 201 added, 200 already listed."""
    from papershelf.feeds.decisions import accept

    body = _body()
    poller = _poller(current_app)
    candidate, result = accept(
        poller.workspace,
        poller.store,
        candidate_id,
        list_path=body.get("list"),
        section=body.get("section"),
        index=poller.index,
    )
    payload = {"ok": True, "candidate": candidate.to_dict(), **result.to_dict()}
    return jsonify(payload), 201 if result.status == "added" else 200


@bp.post("/candidates/<candidate_id>/reject")
def reject_candidate(candidate_id: str) -> Response:
    """Reject the candidate here and in the workspace's rejected.txt."""
    from papershelf.feeds.decisions import reject

    return _decided(reject, candidate_id)


@bp.post("/candidates/<candidate_id>/snooze")
def snooze_candidate(candidate_id: str) -> Response:
    """Put a pending candidate aside (status `snoozed`) to decide later; the workspace is untouched."""
    from papershelf.feeds.decisions import snooze

    return _decided(snooze, candidate_id)


def _decided(decide: Any, candidate_id: str) -> Response:
    """Run one decision that writes no list (reject, snooze); answer with the candidate."""
    _body()
    poller = _poller(current_app)
    candidate = decide(poller.workspace, poller.store, candidate_id)
    return jsonify({"ok": True, "candidate": candidate.to_dict()})
