"""The lists area of the API: `GET /api/lists` and `GET /api/lookup`."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from papershelf.sync.atomic import why_not_writable
from papershelf.sync.identity import identity_key
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.section_label import section_label, title_heading

from .schemas import load_lookup_query
from .services import Services

bp = Blueprint("api_lists", __name__, url_prefix="/api")

#: At most this many possible (fuzzy title) matches are returned.
MAX_POSSIBLE_MATCHES = 5


def lists_summary(index: WorkspaceIndex) -> list[dict[str, Any]]:
    """Each list with its headed sections (with the `label` people read: the path below the
    list's title), their paper-entry counts and whether it is read-only.

    `read_only` is the write's own rule (`why_not_writable`): a clip into such a list is a 409.
    """
    out = []
    for path, outline in index.outlines().items():  # the index's outlines: no list is parsed
        sections = [s for s in outline if s.address]
        title = next((s.title for s in sections if s.level == 1), path.rsplit("/", 1)[-1])
        list_title = title_heading((s.level, s.title) for s in sections)
        out.append(
            {
                "path": path,
                "title": title,
                "read_only": why_not_writable(index.workspace.root / path, path) is not None,
                "sections": [
                    {
                        "path": s.address,
                        "label": section_label(s.address, list_title),
                        "title": s.title,
                        "level": s.level,
                        "entries": s.paper_entries,
                    }
                    for s in sections
                ],
            }
        )
    return out


def _place(location: Any) -> dict[str, Any]:
    return {
        "list": location.list,
        "section": location.section,
        "line": location.line,
        "entry": location.entry,
    }


@bp.get("/lists")
def lists() -> Response:
    """Every list of the workspace with its sections, for the extension's pickers."""
    services: Services = current_app.config["PAPERSHELF_SERVICES"]
    services.index.refresh()
    return jsonify({"ok": True, "lists": lists_summary(services.index)})


@bp.get("/lookup")
def lookup() -> Response:
    """Where a paper already is, its candidate state, and entries whose title is close."""
    services: Services = current_app.config["PAPERSHELF_SERVICES"]
    query = load_lookup_query(request.args.to_dict())
    given = query.get("url") or query["id"]
    identity = identity_key(given)
    services.index.refresh()
    found = services.index.lookup(given) if identity else []
    possible = []
    if query.get("title"):
        places = {(loc.list, loc.line) for loc in found}
        for loc, score in services.index.lookup_title(query["title"], MAX_POSSIBLE_MATCHES):
            if (loc.list, loc.line) not in places:
                possible.append({**_place(loc), "title": loc.title, "score": score})
    return jsonify(
        {
            "ok": True,
            "identity": identity,
            "listed": bool(found),
            "locations": [_place(loc) for loc in found],
            "candidate": services.candidate_state(identity),
            "queued": _queued(services, identity),
            "possible": possible,
        }
    )


def _queued(services: Services, identity: str | None) -> dict[str, Any] | None:
    if not identity:
        return None
    clip = services.clips.queued_for(identity)  # None too when the queue cannot be read
    return (
        None if clip is None else {"queue_id": clip.id, "list": clip.list, "section": clip.section}
    )
