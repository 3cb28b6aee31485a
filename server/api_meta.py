"""The meta area of the API: `GET /api/ping` (no token) and `GET /api/status`."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify

from papershelf import __version__

from .services import Services

bp = Blueprint("api_meta", __name__, url_prefix="/api")

API_VERSION = 1


@bp.get("/ping")
def ping() -> Response:
    """Whether papershelf runs here; the only route that needs no token."""
    return jsonify({"ok": True, "app": "papershelf", "version": __version__, "api": API_VERSION})


@bp.get("/status")
def status() -> Response:
    """Sync, feeds and queued clips."""
    services: Services = current_app.config["PAPERSHELF_SERVICES"]
    return jsonify({"ok": True, **services.status()})
