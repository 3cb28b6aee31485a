"""The feeds area of the JSON API: suggest and candidates (filled in by the feeds work)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_feeds", __name__, url_prefix="/api")
