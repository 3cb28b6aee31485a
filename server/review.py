"""The review page: pair with a link, triage candidates, look after each list (a blueprint).

Views only orchestrate: pairing and CSRF live in `review_auth`, what a page shows is computed in
`review_model`, and decisions go through `review_actions` to `papershelf.feeds.decisions` (and so to
`papershelf.sync.insert.add_paper`, the one write path).
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict
from typing import Any

import werkzeug
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)

from papershelf.sync.digits import whole_number
from papershelf.sync.errors import BadInput, PapershelfError

from . import review_actions as actions
from . import review_auth as auth
from . import review_model as model
from .api_lists import lists_summary
from .security import origin_kind
from .services import Services

log = logging.getLogger(__name__)

bp = Blueprint(
    "review",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/review/static",
)

#: No script, style or form target from anywhere but this server; never framed.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
#: What a finished decision says on the next page (?did=...).
DONE_TEXT = {"accept": "accepted", "reject": "rejected", "snooze": "snoozed"}
#: Browsers say where a request came from; only our own pages (or a typed URL) may decide.
_ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})
#: Cards on one page (each carries a Section picker with every section); filters reach the rest.
PAGE_SIZE = 100
_CODES = "papershelf_pairing_codes"
#: The largest candidate id or count a form or query may carry (SQLite's largest INTEGER).
MAX_ID = 2**63 - 1


def _services() -> Services:
    return current_app.config["PAPERSHELF_SERVICES"]


def _token() -> str:
    return current_app.config["PAPERSHELF_TOKEN_SOURCE"].current()


def _port() -> int | None:
    return current_app.config.get("PAPERSHELF_PORT")


def _paired() -> bool:
    """Whether the request carries a valid session of this server (kept for the renewal)."""
    if "review_session" not in g:
        g.review_session = auth.paired_session(request, _token(), _port())
    return g.review_session is not None


def pairing_codes(app: Flask) -> auth.PairingCodes:
    """The app's one-time pairing codes (`papershelf serve` prints a link with one)."""
    return app.extensions[_CODES]


def pairing_link(app: Flask, base_url: str) -> str:
    """A one-time link that pairs the browser opening it: `<base_url>/review/pair?code=…`."""
    return f"{base_url}/review/pair?{auth.CODE_FIELD}={pairing_codes(app).issue()}"


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """A review template with what every page needs: CSRF token, status bar, list links."""
    services = _services()
    try:
        status_items = model.status_items(services.status())
    except Exception as exc:  # the page must render even when a part's status fails
        log.warning("status failed: %s", exc)
        status_items = []
    context.setdefault("error", None)
    return render_template(
        template,
        csrf_token=auth.csrf_token(_token()),
        csrf_field=auth.CSRF_FIELD,
        status_items=status_items,
        nav_lists=services.index.list_paths(),
        paired=_paired(),
        **context,
    ), status


def _refuse(message: str, status: int = 403) -> Response | tuple[Any, int]:
    """A refusal as JSON for the page's script, or as a short page."""
    if _wants_json():
        return {"ok": False, "error": message, "fields": {}}, status
    return render_template("review_refused.html", message=message), status


def _from_own_page() -> bool:
    """Whether a POST comes from a page of this server: its Origin is this server's own (every
    browser sends one on a POST; an extension's or none is refused) and no Sec-Fetch-Site says
    another site sent it."""
    if origin_kind(request.headers.get("Origin"), request.host) != "self":
        log.info("refused a review POST from origin %s", request.headers.get("Origin"))
        return False
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in _ALLOWED_FETCH_SITES:
        log.info("refused a review POST from a %s page", site)
        return False
    return True


def _post_guard() -> Response | tuple[Any, int] | None:
    """Refuse a POST that is not from a paired page of this server with the right CSRF token."""
    if not _from_own_page():
        return _refuse("Decisions can only be made from papershelf's own review page.")
    if not _paired():
        return _refuse(
            "This browser is not paired: open the review URL `papershelf serve` printed."
        )
    if not auth.csrf_ok(request, _token()):
        return _refuse("The form is stale or forged (bad CSRF token); reload the review page.")
    return None


def _form_target(value: str) -> tuple[str, str] | None:
    """A form's picked section: None when none was picked (the suggestion), else (list, section);
    BadInput (400) for a value the Section picker never sends, so it is not taken as no pick."""
    if not value.strip():
        return None
    target = model.split_target(value)
    if target is None:
        raise BadInput(
            f"Unknown section {value!r}: pick one in the Section picker.", fields={"target": value}
        )
    return target


def _filters_from_form() -> dict[str, Any]:
    """The filters a form carried back (so a decision keeps the view)."""
    return model.Filters.from_args(request.form).query()


@bp.after_request
def _headers(response: Response) -> Response:
    """CSP, no framing, no referrer to other sites on every review answer; a page view renews
    an old enough session cookie.

    `same-origin`, not `no-referrer`: with no-referrer Chromium sends `Origin: null` on the page's
    own form posts, which the server's Origin check (rightly) refuses.
    """
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    session = g.get("review_session")
    if session is not None and request.method == "GET" and response.status_code == 200:
        now = time.time()
        fresh = auth.renewed(session, now)
        if fresh is not None:
            auth.set_session(response, _token(), _port(), fresh, now)
    return response


def _paired_redirect() -> werkzeug.Response:
    """Pair this browser: a new session cookie, and on to the candidates."""
    response = redirect(url_for("review.page"), code=303)
    now = time.time()
    auth.clear_session(response, _port())
    auth.set_session(response, _token(), _port(), auth.new_session(now), now)
    log.info("a browser paired with the review page")
    return response


@bp.get("/review/pair")
def pair_with_code() -> Any:
    """Open a one-time pairing link: pair and go on to `/review`; a spent code pairs nothing."""
    if not pairing_codes(current_app).redeem(request.args.get(auth.CODE_FIELD)):
        return _render(
            "review_pair.html",
            401,
            error="That pairing link was used already, or is from an earlier run of papershelf "
            "serve: each link pairs one browser once. Paste the token below instead.",
        )
    return _paired_redirect()


@bp.post("/review/pair")
def pair_with_token() -> Any:
    """The pairing form: the token in the POST body (never in a URL) pairs this browser."""
    if not _from_own_page():
        return _refuse("Pairing is only done from papershelf's own pairing page.")
    if not auth.pairing_token_ok(request.form.get(auth.TOKEN_FIELD), _token()):
        return _render("review_pair.html", 401, error="That is not the current pairing token.")
    return _paired_redirect()


@bp.get("/review")
def page() -> Any:
    """The candidates (paired), or how to pair."""
    if request.args.get(auth.TOKEN_FIELD) is not None:  # an old link: never pair from a URL
        return _render(
            "review_pair.html",
            400,
            error="A link with the token in it no longer pairs: the browser's history would keep "
            "the token. Open the pairing link papershelf serve prints, or paste the token below.",
        )
    if not _paired():
        return _render("review_pair.html")
    services = _services()
    services.index.refresh()  # the Section picker offers the lists as they are on disk now
    filters = model.Filters.from_args(request.args)
    error = None
    try:
        found = actions.find(
            services, filters.status, limit=PAGE_SIZE, **model.search_args(filters)
        )
    except PapershelfError as exc:
        found, error = actions.Found([], 0, 0, [], []), exc.message
    did = request.args.get("did", "")
    notice = None
    if did in DONE_TEXT:
        count = request.args.get("n", "1")
        notice = f"{count if count.isdigit() else 1} {DONE_TEXT[did]}."
    return _render(
        "review.html",
        candidates=[model.candidate_view(c) for c in found.candidates],
        matching=found.matching,
        total=found.total,
        filters=filters,
        filter_lists=found.lists,
        filter_sources=found.sources,
        date_choices=model.DATE_CHOICES,
        targets=model.list_targets(lists_summary(services.index)),
        target_value=model.target_value,
        store_missing=services.candidates is None,
        notice=notice,
        error=error,
    )


@bp.post("/review/candidates/<int:candidate_id>")
def decide(candidate_id: int) -> Any:
    """Accept, reject or snooze one candidate (form or the page's script)."""
    refused = _post_guard()
    if refused is not None:
        return refused
    action = request.form.get("action", "")
    try:
        # `target` (a client's own form), else the queue form's picker of this card
        picked = request.form.get("target", request.form.get(f"target-{candidate_id}", ""))
        target = _form_target(picked)
        outcome = actions.decide(_services(), candidate_id, action, target)
    except PapershelfError as exc:
        if _wants_json():
            return {"ok": False, "error": exc.message, "fields": exc.fields}, exc.http_status
        return _render("review_refused.html", exc.http_status, message=exc.message)
    if _wants_json():
        # The status bar as it is now (one candidate fewer pending), for the page's script.
        return {"ok": True, **outcome.to_dict(), "status": _status_dicts()}
    return redirect(url_for("review.page", did=action, n=1, **_filters_from_form()), code=303)


def _status_dicts() -> list[dict[str, Any]]:
    """The status bar's parts as JSON (empty when a part's status fails, as on the page)."""
    try:
        return [asdict(item) for item in model.status_items(_services().status())]
    except Exception as exc:
        log.warning("status failed: %s", exc)
        return []


@bp.get("/review/status")
def status() -> Any:
    """The status bar's parts, for the page's script to keep the bar current (paired only)."""
    if not _paired():
        return {"ok": False, "error": "This browser is not paired.", "fields": {}}, 401
    return {"ok": True, "status": _status_dicts()}


@bp.post("/review/bulk")
def bulk() -> Any:
    """Decide every selected candidate at once (each with its picked or suggested section)."""
    refused = _post_guard()
    if refused is not None:
        return refused
    action = request.form.get("action", "")
    if action not in model.DECISIONS:
        return _refuse(f"Unknown decision {action!r}.", 400)
    ids = [n for v in request.form.getlist("ids") if (n := whole_number(v, MAX_ID)) is not None]
    if not ids:
        return redirect(url_for("review.page", **_filters_from_form()), code=303)
    targets = {}
    try:  # an ill-formed target refuses the whole request, before anything is decided
        for candidate_id in ids:
            target = _form_target(request.form.get(f"target-{candidate_id}", ""))
            if target:
                targets[candidate_id] = target
    except PapershelfError as exc:
        return _render("review_refused.html", exc.http_status, message=exc.message)
    outcomes = actions.decide_many(_services(), ids, action, targets)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        done = len(outcomes) - len(failed)
        message = f"{done} {DONE_TEXT[action]}. Not decided: " + " ".join(
            f"#{o.id}: {_sentence(o.message)}" for o in failed
        )
        title = "Partly done" if done else "Not done"
        return render_template("review_refused.html", message=message, title=title), 409
    return redirect(
        url_for("review.page", did=action, n=len(outcomes), **_filters_from_form()), code=303
    )


def _sentence(text: str) -> str:
    """`text` ending as a sentence does (one full stop, not two), to be joined with others."""
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _known_list(list_path: str) -> bool:
    """Whether `list_path` is one of the workspace's lists (never a path outside it)."""
    return list_path in _services().index.list_paths()


@bp.get("/review/lists/<path:list_path>")
def list_page(list_path: str) -> Any:
    """One list: sections with entry counts, latest additions, check findings and safe fixes."""
    if not _paired():
        return _render("review_pair.html")
    services = _services()
    services.index.refresh()
    if not _known_list(list_path):
        return _render("review_refused.html", 404, message=f"No list {list_path!r} here.")
    summary = next(row for row in lists_summary(services.index) if row["path"] == list_path)
    findings = model.finding_views(actions.list_findings(services, list_path), list_path)
    fixed = request.args.get("fixed")
    return _render(
        "review_list.html",
        summary=summary,
        findings=findings,
        fixable=sum(1 for f in findings if f.fixable),
        accepted=model.latest_accepted(actions.accepted(services), list_path),
        commits=actions.recent_commits(services, list_path),
        fixed=whole_number(fixed or "", MAX_ID),
        section_labels={s["path"]: s["label"] for s in summary["sections"]},
    )


@bp.post("/review/lists/<path:list_path>/fix")
def fix(list_path: str) -> Any:
    """Apply the safe fixes of `papershelf check --fix` to one list."""
    refused = _post_guard()
    if refused is not None:
        return refused
    if not _known_list(list_path):
        return _refuse(f"No list {list_path!r} here.", 404)
    try:
        count = actions.fix_list(_services(), list_path)
    except PapershelfError as exc:
        return _render("review_refused.html", exc.http_status, message=exc.message)
    return redirect(url_for("review.list_page", list_path=list_path, fixed=count), code=303)


@bp.post("/review/unpair")
def unpair() -> Any:
    """Forget this browser's pairing."""
    refused = _post_guard()
    if refused is not None:
        return refused
    response = redirect(url_for("review.page"), code=303)
    auth.clear_session(response, _port())
    return response


def init_app(app: Flask) -> None:
    """Register the review page on `app` (its static files under /review/static) with its
    pairing codes."""
    app.extensions[_CODES] = auth.PairingCodes()
    app.register_blueprint(bp)
