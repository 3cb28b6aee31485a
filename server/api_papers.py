"""The papers area of the API: `POST /api/papers`, the clip."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from .schemas import json_body, load_clip
from .services import Services

bp = Blueprint("api_papers", __name__, url_prefix="/api")


@bp.post("/papers")
def add_paper() -> tuple[Response, int]:
    """Add a clipped paper: 201 added, 200 already listed, 202 queued until arXiv answers."""
    services: Services = current_app.config["PAPERSHELF_SERVICES"]
    clip = load_clip(json_body())  # `null`, a list, a number: "The body must be a JSON object: …"
    outcome = services.clips.submit(clip.paper, clip.list_path, clip.section, also=clip.also)
    return jsonify(outcome.to_dict()), outcome.http_status
