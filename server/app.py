"""The Flask app factory: `create_app(config=None)` wires errors, security and one blueprint per area."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from . import errors, schemas, security
from .services import Services
from .token import TokenSource

log = logging.getLogger(__name__)


def _default_services(app: Flask) -> Services:
    """Services for the configured workspace when none were given (clip worker not started)."""
    from papershelf.sync.workspace import open_workspace

    return Services.build(open_workspace(app.config.get("PAPERSHELF_WORKSPACE")))


class JsonAnswers(DefaultJSONProvider):
    """JSON as papershelf answers it: keys in the order they were written, text unescaped."""

    sort_keys = False
    ensure_ascii = False


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """A papershelf app; `config` may carry PAPERSHELF_SERVICES, PAPERSHELF_TOKEN, PAPERSHELF_PORT."""
    # No app-wide /static (the review page serves its own files under /review/static), so every
    # rule below is made after this: `/api//lists` is then a 404 in the error shape, not a 308
    # HTML redirect that werkzeug answers before any error handler could.
    app = Flask(__name__, static_folder=None)
    app.url_map.merge_slashes = False
    app.config.update(
        PAPERSHELF_PORT=None,
        PAPERSHELF_ALLOWED_HOSTS=frozenset(),
        PAPERSHELF_WORKSPACE=None,
    )
    app.json = JsonAnswers(app)
    if config:
        app.config.update(config)
    app.config["PAPERSHELF_ALLOWED_HOSTS"] = frozenset(
        h.lower() for h in app.config["PAPERSHELF_ALLOWED_HOSTS"]
    )
    if "PAPERSHELF_TOKEN_SOURCE" not in app.config:
        app.config["PAPERSHELF_TOKEN_SOURCE"] = TokenSource(app.config.get("PAPERSHELF_TOKEN"))
    if app.config.get("PAPERSHELF_SERVICES") is None:
        app.config["PAPERSHELF_SERVICES"] = _default_services(app)

    errors.init_app(app)
    security.init_app(app)
    app.before_request(schemas.refuse_repeated_query)  # after security's checks: 401 first
    _register_blueprints(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """One blueprint per area: the JSON API's four and the review page."""
    from . import api_feeds, api_lists, api_meta, api_papers, review

    for module in (api_meta, api_lists, api_papers, api_feeds):
        app.register_blueprint(module.bp)
    review.init_app(app)
