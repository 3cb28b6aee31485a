"""The review page's server side: pairing, CSRF, no state change by GET or from other origins."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from review_harness import LIST_NAME, TOKEN, build_services, make_workspace, seed, store_of

from papershelf.feeds.decisions import add_rejected
from papershelf.server.app import create_app
from papershelf.server.review import pairing_link
from papershelf.server.review_auth import (
    SESSION_COOKIE,
    SESSION_IDLE_SECONDS,
    SESSION_MAX_SECONDS,
    Session,
    csrf_token,
    session_cookie_name,
    session_value,
)
from papershelf.server.review_model import (
    Filters,
    candidate_view,
    search_args,
    split_target,
    status_items,
    target_value,
)
from papershelf.server.services import Services, Slot
from papershelf.server.token import TokenSource
from papershelf.sync.paper import paper_from_dict

REWARD = "Reward Model Ensembles"


@pytest.fixture
def services(tmp_path: Path) -> Services:
    services = build_services(make_workspace(tmp_path / "ws"))
    assert seed(services) == 4
    return services


#: The test client's own origin: every browser sends its page's origin on a POST.
OWN_ORIGIN = "http://localhost"


def own_client(app: Flask, origin: str = OWN_ORIGIN, cookies: bool = True) -> FlaskClient:
    """A test client whose requests carry the server's own Origin, as the page's would (its
    requests go to that origin's host when they give `base_url=origin`); without `cookies`,
    a request's own Cookie header is sent as given."""
    client = app.test_client(use_cookies=cookies)
    client.environ_base["HTTP_ORIGIN"] = origin
    return client


@pytest.fixture
def client(services: Services) -> FlaskClient:
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    return own_client(app)


def pair(client: FlaskClient) -> None:
    response = client.post("/review/pair", data={"token": TOKEN})
    assert response.status_code == 303, response.get_data(as_text=True)


def candidate_id(services: Services, title_part: str) -> int:
    return next(
        c.id for c in store_of(services).candidates(None) if title_part in (c.paper.title or "")
    )


def statuses(services: Services) -> dict[int, str]:
    return {c.id: c.status for c in store_of(services).candidates(None)}


def test_unpaired_page_explains_pairing_and_shows_no_candidate(client: FlaskClient) -> None:
    response = client.get("/review")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Pair this browser" in text
    assert "papershelf token" in text and "papershelf serve" in text
    assert REWARD not in text and 'class="candidate"' not in text
    wrong = client.post("/review/pair", data={"token": "not-the-token-at-all-000000"})
    assert wrong.status_code == 401 and "not the current pairing token" in wrong.get_data(True)
    assert SESSION_COOKIE not in wrong.headers.get("Set-Cookie", "")
    spent = client.get("/review/pair?code=never-issued-000000")
    assert spent.status_code == 401 and "Set-Cookie" not in spent.headers
    assert client.get(f"/review/lists/{LIST_NAME}").status_code == 200  # the pairing page again
    assert "Sections" not in client.get(f"/review/lists/{LIST_NAME}").get_data(as_text=True)


#: The address a server bound to port 8765 answers at, for the tests that need a real port.
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"


def app_on_port(services: Services) -> Flask:
    """An app that knows its bound port (so the session cookie is named and signed for it)."""
    return create_app(
        {"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN, "PAPERSHELF_PORT": PORT}
    )


def _session_cookie(response) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "Max-Age=0" not in c]
    assert len(cookies) == 1, cookies
    return cookies[0]


def test_a_one_time_pairing_link_pairs_once_with_a_strict_httponly_cookie(
    services: Services,
) -> None:
    app, base = app_on_port(services), BASE
    client = own_client(app, base)
    link = pairing_link(app, "")
    assert TOKEN not in link and link.startswith("/review/pair?code=")
    response = client.get(link, base_url=base)
    assert response.status_code == 303
    assert response.headers["Location"] == "/review"
    cookie = _session_cookie(response)
    assert cookie.startswith(f"{session_cookie_name(8765)}=") and TOKEN not in cookie
    assert session_cookie_name(8765) == "papershelf_review_8765"
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/review" in cookie
    assert f"Max-Age={SESSION_IDLE_SECONDS}" in cookie
    page = client.get("/review", base_url=base)
    assert REWARD in page.get_data(as_text=True)
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    again = own_client(app, base).get(link, base_url=base)  # another browser
    assert again.status_code == 401 and "Set-Cookie" not in again.headers
    assert "used already" in again.get_data(as_text=True)


def test_a_link_with_the_token_in_it_no_longer_pairs(client: FlaskClient) -> None:
    response = client.get(f"/review?token={TOKEN}")
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers
    assert "history would keep the token" in response.get_data(as_text=True)
    assert REWARD not in response.get_data(as_text=True)


def test_the_pairing_form_takes_the_token_from_a_post_of_the_own_page_only(
    services: Services,
) -> None:
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    for origin in ("chrome-extension://abcdefghijklmnop", None):
        stranger = app.test_client()
        headers = {"Origin": origin} if origin else {}
        refused = stranger.post("/review/pair", data={"token": TOKEN}, headers=headers)
        assert refused.status_code == 403 and "Set-Cookie" not in refused.headers, origin
    done = own_client(app).post("/review/pair", data={"token": f" {TOKEN}\n"})  # as pasted
    assert done.status_code == 303 and SESSION_COOKIE in _session_cookie(done)


def test_the_session_cookie_is_bound_to_this_server_and_expires_by_the_server(
    services: Services,
) -> None:
    app, base, port = app_on_port(services), BASE, PORT
    now = int(time.time())
    name = session_cookie_name(port)

    def paired_with(cookie_name: str, value: str) -> bool:
        page = own_client(app, base, cookies=False).get(
            "/review", base_url=base, headers={"Cookie": f"{cookie_name}={value}"}
        )
        assert page.status_code == 200
        return REWARD in page.get_data(as_text=True)

    fresh = Session(now - 60, now + SESSION_IDLE_SECONDS - 60, "0123456789abcdef")
    good = session_value(TOKEN, port, fresh)
    assert paired_with(name, good)
    assert not paired_with(SESSION_COOKIE, good)  # the unbound name older papershelfs set
    assert not paired_with(name, session_value(TOKEN, 9999, fresh))  # another port's server
    assert not paired_with(name, session_value("another-token-0123456789abcdef", port, fresh))
    assert not paired_with(name, good[:-1] + ("0" if good[-1] != "0" else "1"))  # forged
    expired = Session(now - 600, now - 1, "0123456789abcdef")
    assert not paired_with(name, session_value(TOKEN, port, expired))
    too_old = Session(now - SESSION_MAX_SECONDS - 1, now + 3600, "0123456789abcdef")
    assert not paired_with(name, session_value(TOKEN, port, too_old))  # whatever it claims
    assert not paired_with(name, f"{'1' * 5000}.1.ab.cd")  # no int() of 5,000 digits, no 500


def test_using_the_page_renews_an_old_session_cookie_up_to_the_pairings_age(
    services: Services,
) -> None:
    app, base, port = app_on_port(services), BASE, PORT
    now = int(time.time())
    old = Session(now - 7200, now + SESSION_IDLE_SECONDS - 7200, "0123456789abcdef")
    page = own_client(app, base, cookies=False).get(
        "/review",
        base_url=base,
        headers={"Cookie": f"{session_cookie_name(port)}={session_value(TOKEN, port, old)}"},
    )
    renewed = _session_cookie(page)
    value = renewed.split(";")[0].split("=", 1)[1]
    paired_at, expires_at = (int(x) for x in value.split(".")[:2])
    assert paired_at == old.paired_at and expires_at >= now + SESSION_IDLE_SECONDS
    last = Session(now - SESSION_MAX_SECONDS + 60, now + 30, "0123456789abcdef")
    page = own_client(app, base, cookies=False).get(
        "/review",
        base_url=base,
        headers={"Cookie": f"{session_cookie_name(port)}={session_value(TOKEN, port, last)}"},
    )
    assert REWARD in page.get_data(as_text=True) and "Set-Cookie" not in page.headers


def test_rotating_the_token_ends_the_session(services: Services) -> None:
    app = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": TOKEN})
    client = own_client(app)
    pair(client)
    assert REWARD in client.get("/review").get_data(as_text=True)
    app.config["PAPERSHELF_TOKEN_SOURCE"] = TokenSource("a-rotated-token-0123456789abcdef")
    assert "Pair this browser" in client.get("/review").get_data(as_text=True)


def test_get_never_decides(client: FlaskClient, services: Services) -> None:
    pair(client)
    cid = candidate_id(services, REWARD)
    before = statuses(services)
    assert client.get(f"/review/candidates/{cid}?action=accept").status_code == 405
    assert client.get("/review/bulk?action=reject&ids=1").status_code == 405
    client.get(f"/review?action=accept&id={cid}&did=accept")
    assert statuses(services) == before


@pytest.mark.parametrize(
    ("paired", "form_token", "headers", "why"),
    [
        (False, True, {}, "not paired"),
        (True, False, {}, "CSRF"),
        (True, True, {"Origin": "http://127.0.0.1:9999"}, "other origin"),
        (True, True, {"Origin": "null"}, "opaque origin"),
        (True, True, {"Sec-Fetch-Site": "same-site"}, "same-site page"),
        (True, True, {"Sec-Fetch-Site": "cross-site"}, "cross-site page"),
        (True, True, {"Origin": "chrome-extension://abcdefghijklmnop"}, "an extension"),
        (True, True, {"Origin": None}, "no origin (not a browser page)"),
    ],
)
def test_each_guard_refuses_a_decision_alone(
    client: FlaskClient,
    services: Services,
    paired: bool,
    form_token: bool,
    headers: dict[str, str],
    why: str,
) -> None:
    if paired:
        pair(client)
    if headers.get("Origin", "") is None:
        del client.environ_base["HTTP_ORIGIN"]
        headers = {}
    cid = candidate_id(services, REWARD)
    before = (services.workspace.root / LIST_NAME).read_bytes()
    form = {"action": "accept", "csrf_token": csrf_token(TOKEN) if form_token else "forged"}
    response = client.post(f"/review/candidates/{cid}", data=form, headers=headers)
    assert response.status_code == 403, why
    bulk = client.post("/review/bulk", data={**form, "ids": [str(cid)]}, headers=headers)
    assert bulk.status_code == 403, why
    for route in (f"/review/lists/{LIST_NAME}/fix", "/review/unpair"):
        refused = client.post(route, data=form, headers=headers)
        assert refused.status_code == 403, (route, why)
        assert "Set-Cookie" not in refused.headers, (route, why)
    assert statuses(services)[cid] == "pending"
    assert (services.workspace.root / LIST_NAME).read_bytes() == before


def test_a_good_post_decides_and_answers_json(client: FlaskClient, services: Services) -> None:
    pair(client)
    cid = candidate_id(services, REWARD)
    headers = {"Accept": "application/json", "Sec-Fetch-Site": "same-origin"}
    form = {
        "action": "accept",
        "csrf_token": csrf_token(TOKEN),
        "target": target_value(LIST_NAME, "Optimization"),
    }
    answer = client.post(f"/review/candidates/{cid}", data=form, headers=headers)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    assert body["ok"] is True and body["list"] == LIST_NAME
    assert body["section"].endswith("Optimization")
    # Named by its path below the list's title, as the CLI and commit messages do.
    assert body["message"].startswith(f"Added: {LIST_NAME} › Optimization, line ")
    # The status bar as it is after the decision, for the page to show without a reload.
    assert [item["name"] for item in body["status"]] == ["Sync", "Feeds", "Clips"]
    assert statuses(services)[cid] == "accepted"
    again = client.post(f"/review/candidates/{cid}", data=form, headers=headers)
    assert again.status_code == 400 and "already accepted" in again.get_json()["error"]
    missing = client.post("/review/candidates/999", data=form, headers=headers)
    assert missing.status_code == 404
    other = candidate_id(services, "Stable Large")
    bad = client.post(
        f"/review/candidates/{other}", data={**form, "action": "delete"}, headers=headers
    )
    assert bad.status_code == 400 and statuses(services)[other] == "pending"


def test_form_post_redirects_with_the_filters_kept(client: FlaskClient, services: Services) -> None:
    pair(client)
    cid = candidate_id(services, REWARD)
    form = {"action": "snooze", "csrf_token": csrf_token(TOKEN), "q": "reward", "since": "7"}
    response = client.post(f"/review/candidates/{cid}", data=form)
    assert response.status_code == 303
    assert re.search(r"did=snooze", response.headers["Location"])
    assert "q=reward" in response.headers["Location"] and "since=7" in response.headers["Location"]
    assert statuses(services)[cid] == "snoozed"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 snoozed." in page


def test_snoozed_candidates_wait_in_their_own_view(client: FlaskClient, services: Services) -> None:
    pair(client)
    cid = candidate_id(services, REWARD)
    form = {"action": "snooze", "csrf_token": csrf_token(TOKEN)}
    assert client.post(f"/review/candidates/{cid}", data=form).status_code == 303
    assert REWARD not in client.get("/review").get_data(as_text=True)
    snoozed = client.get("/review?status=snoozed").get_data(as_text=True)
    assert snoozed.count('class="candidate"') == 1 and REWARD in snoozed
    assert 'value="snooze"' not in snoozed  # decided later: accept or reject, not snooze again
    assert 'value="accept"' in snoozed and 'value="reject"' in snoozed
    later = {**form, "action": "accept", "status": "snoozed"}
    done = client.post(f"/review/candidates/{cid}", data=later)
    assert done.status_code == 303 and "status=snoozed" in done.headers["Location"]
    assert statuses(services)[cid] == "accepted"
    assert "Nothing snoozed." in client.get("/review?status=snoozed").get_data(as_text=True)


def test_a_candidate_without_suggestion_asks_for_a_section(
    client: FlaskClient, services: Services
) -> None:
    paper = paper_from_dict({"arxiv_id": "2604.39999", "title": "An Unplaceable Paper"})
    _store_without_suggestion(services, paper)
    pair(client)
    text = client.get("/review?q=unplaceable").get_data(as_text=True)
    assert 'option value="" selected>Choose a section' in text
    cid = candidate_id(services, "Unplaceable")
    form = {"action": "accept", "csrf_token": csrf_token(TOKEN), "target": ""}
    answer = client.post(
        f"/review/candidates/{cid}", data=form, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 400 and "section" in answer.get_json()["error"]
    placed = {**form, "target": target_value(LIST_NAME, "Retrieval")}
    assert client.post(f"/review/candidates/{cid}", data=placed).status_code == 303
    assert statuses(services)[cid] == "accepted"


def test_a_read_only_list_is_marked_in_the_picker_and_never_picked(
    client: FlaskClient, services: Services
) -> None:
    """As GET /api/lists says `read_only` and the extension greys it out: offered, not pickable."""
    root = services.workspace.root
    (root / "other.md").write_text("# Other\n\n## Later\n\n", encoding="utf-8")
    (root / LIST_NAME).chmod(0o444)
    services.index.refresh()
    pair(client)
    text = client.get("/review").get_data(as_text=True)
    assert f'<optgroup label="{LIST_NAME} (read-only)" disabled>' in text
    assert '<optgroup label="other.md">' in text
    group = text.split(f'<optgroup label="{LIST_NAME} (read-only)" disabled>')[1]
    assert " selected" not in group.split("</optgroup>")[0]  # never the default
    assert 'option value="" selected>Choose a section (papers.md is read-only)' in text
    assert "(suggested)" not in text
    cid = next(c.id for c in store_of(services).candidates(None) if c.suggestions)
    form = {"action": "accept", "csrf_token": csrf_token(TOKEN), "target": ""}
    answer = client.post(
        f"/review/candidates/{cid}", data=form, headers={"Accept": "application/json"}
    )
    assert answer.status_code == 409 and "chmod u+w" in answer.get_json()["error"]


def test_a_long_queue_is_paged(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("papershelf.server.review.PAGE_SIZE", 2)
    pair(client)
    text = client.get("/review").get_data(as_text=True)
    assert text.count('class="candidate"') == 2
    assert "Showing the best 2 of 4" in text
    assert '<span class="count">4</span>' in text
    narrowed = client.get("/review?q=ensembles").get_data(as_text=True)
    assert '<span class="count">1 of 4</span>' in narrowed and "Showing the best" not in narrowed


def _fill_queue(services: Services, count: int) -> str:
    """`count` more pending candidates, each scored above the one it returns the title of: the
    lowest-scored of all, from its own feed, with words no other candidate has."""
    rows = []
    for k in range(count):
        paper = paper_from_dict(
            {
                "arxiv_id": f"2605.{k:05d}",
                "title": f"Filler Study Number {k} of Retrieval",
                "authors": ["Ada Filler", f"Bert Number{k}"],
                "abstract": "A filler abstract about retrieval and language models. " * 8,
            }
        )
        suggestion = {"list": LIST_NAME, "section": "Retrieval", "score": 0.5 + k / 10 / count}
        suggestion["why"] = ["retrieval"]
        rows.append(
            {
                "identity": paper.identity,
                "paper": paper,
                "source": "filler-feed",
                "scores": {LIST_NAME: suggestion["score"]},
                "suggestions": [suggestion],
            }
        )
    needle = paper_from_dict(
        {
            "arxiv_id": "2605.99999",
            "title": "Zygomorphic Tokenisers for Ancient Scripts",
            "authors": ["Ludwig Queue-End"],
            "abstract": "Nobody else writes about this.",
        }
    ).replace(extra={"categories": ["cs.DL"]})
    low = {"list": "other.md", "section": "Scripts", "score": 0.001, "why": ["cuneiform"]}
    rows.append(
        {
            "identity": needle.identity,
            "paper": needle,
            "source": "rare-feed",
            "scores": {"other.md": 0.001},
            "suggestions": [low],
        }
    )
    assert store_of(services).upsert_many(rows) == count + 1
    return needle.title or ""


def _timed_page(client: FlaskClient, url: str) -> tuple[str, float]:
    started = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True), time.perf_counter() - started


def test_search_and_filters_reach_every_candidate_of_a_big_queue_quickly(
    client: FlaskClient, services: Services
) -> None:
    needle = _fill_queue(services, 2_000)  # with the fixture's 4: 2,005 pending
    pair(client)
    page, seconds = _timed_page(client, "/review")
    assert page.count('class="candidate"') == 100 and needle not in page
    assert '<span class="count">2005</span>' in page and "Showing the best 100 of 2005" in page
    assert '<option value="rare-feed"' in page and '<option value="other.md"' in page
    assert "look at the best" not in page
    assert seconds < 2.0, seconds
    for query in (
        "q=zygomorphic",  # title
        "q=queue-end",  # author
        "q=nobody+else",  # abstract
        "q=cs.dl",  # category
        "q=cuneiform",  # why-word
        "source=rare-feed",
        "list=other.md",
    ):
        page, seconds = _timed_page(client, f"/review?{query}")
        assert page.count('class="candidate"') == 1 and needle in page, query
        assert '<span class="count">1 of 2005</span>' in page, query
        assert seconds < 2.0, (query, seconds)
    page, _ = _timed_page(client, "/review?q=filler+number1999")
    assert page.count('class="candidate"') == 1
    page, _ = _timed_page(client, "/review?q=filler&since=1")
    assert '<span class="count">2000 of 2005</span>' in page
    assert "Showing the best 100 of 2000" in page


def test_numbers_in_other_digits_or_too_big_are_refused_not_a_500(
    client: FlaskClient, services: Services
) -> None:
    pair(client)
    form = {"action": "reject", "csrf_token": csrf_token(TOKEN)}
    huge = client.post(f"/review/candidates/{'9' * 23}", data=form)
    assert huge.status_code == 404
    too_many_digits = "1" * 4301  # more than int() reads from text
    bulk = client.post("/review/bulk", data={**form, "ids": ["\u00b2", "9" * 23, too_many_digits]})
    assert bulk.status_code in (303, 409)
    assert set(statuses(services).values()) == {"pending"}
    for fixed in ("\u00b2", too_many_digits):
        assert client.get(f"/review/lists/{LIST_NAME}?fixed={fixed}").status_code == 200


def test_search_finds_every_author_not_only_those_on_the_card(
    client: FlaskClient, services: Services
) -> None:
    authors = [f"Author Number{k}" for k in range(1, 8)] + ["Ellie Pavlick"]  # 8: the card shows 6
    paper = paper_from_dict(
        {
            "arxiv_id": "2604.22027",
            "title": "Shared Lexical Task Representations",
            "authors": authors,
        }
    )
    _store_without_suggestion(services, paper)
    pair(client)
    text = client.get("/review?q=pavlick").get_data(as_text=True)
    assert text.count('class="candidate"') == 1 and "Shared Lexical Task" in text


def test_search_and_source_filters_narrow_the_page(client: FlaskClient) -> None:
    pair(client)
    text = client.get("/review?q=ensembles").get_data(as_text=True)
    assert text.count('class="candidate"') == 1 and REWARD in text
    assert client.get("/review?source=nope").get_data(as_text=True).count('class="candidate"') == 0
    everything = client.get("/review?source=cs_CL_today.xml&since=1").get_data(as_text=True)
    assert everything.count('class="candidate"') == 4


def test_list_page_refuses_unknown_paths_and_fix_needs_csrf(
    client: FlaskClient, services: Services
) -> None:
    pair(client)
    assert client.get("/review/lists/../etc/passwd").status_code == 404
    assert client.get("/review/lists/missing.md").status_code == 404
    path = services.workspace.root / LIST_NAME
    path.write_text(path.read_text(encoding="utf-8").replace("Critique", "CritiquÃ©"), "utf-8")
    before = path.read_bytes()
    assert client.post(f"/review/lists/{LIST_NAME}/fix", data={}).status_code == 403
    assert path.read_bytes() == before
    done = client.post(f"/review/lists/{LIST_NAME}/fix", data={"csrf_token": csrf_token(TOKEN)})
    assert done.status_code == 303 and done.headers["Location"].endswith("fixed=1")
    assert "Critiqué" in path.read_text(encoding="utf-8")


def test_list_page_names_the_latest_commits_of_the_file(
    client: FlaskClient, services: Services
) -> None:
    root = services.workspace.root
    for args in (
        ["init", "-q"],
        ["add", LIST_NAME],
        ["commit", "-q", "-m", "Add the first papers"],
    ):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, timeout=30)
    pair(client)
    text = client.get(f"/review/lists/{LIST_NAME}").get_data(as_text=True)
    assert "Recent commits" in text and "Add the first papers" in text
    # A section is named by its path below the list's title (the page's heading).
    assert re.search(r"<td>Retrieval</td><td class=\"num\">3</td>", text)


def test_unpair_forgets_the_browser(client: FlaskClient) -> None:
    pair(client)
    assert client.post("/review/unpair", data={}).status_code == 403
    done = client.post("/review/unpair", data={"csrf_token": csrf_token(TOKEN)})
    assert done.status_code == 303 and f"{SESSION_COOKIE}=;" in done.headers["Set-Cookie"]
    assert "Pair this browser" in client.get("/review").get_data(as_text=True)


def test_status_bar_shows_errors_of_each_part(client: FlaskClient, services: Services) -> None:
    services.sync = Slot("sync", state="error", reason="did not start: no git here")
    pair(client)
    text = client.get("/review").get_data(as_text=True)
    assert "error: did not start: no git here" in text
    assert "0 queued" in text


def test_without_a_store_the_page_says_so(client: FlaskClient, services: Services) -> None:
    services.candidates = None
    pair(client)
    text = client.get("/review").get_data(as_text=True)
    assert "candidate store is not available" in text
    assert 'class="candidate"' not in text


# -- pure helpers ------------------------------------------------------------------------------


def test_filters_become_the_arguments_of_the_store_search() -> None:
    now = 1_800_000_000.0
    filters = Filters(list="b.md", source="feed-b", since="7", q="Dense  SCALE")
    assert search_args(filters, now) == {
        "list_path": "b.md",
        "source": "feed-b",
        "seen_since": now - 7 * 86400,
        "words": ("dense", "scale"),
    }
    assert search_args(Filters(), now) == {
        "list_path": "",
        "source": "",
        "seen_since": None,
        "words": (),
    }
    assert Filters.from_args({"since": "9999", "q": " x ", "status": "rejected"}) == Filters(q="x")
    assert Filters(q="x", status="snoozed").query() == {"q": "x", "status": "snoozed"}


def test_targets_round_trip_and_reject_junk() -> None:
    value = target_value("lists/a.md", "Top > Sub")
    assert split_target(value) == ("lists/a.md", "Top > Sub")
    assert split_target("no separator") is None
    assert split_target("::Sub") is None and split_target("a.md::") is None


def test_candidate_view_from_a_store_candidate(services: Services) -> None:
    cand = next(c for c in store_of(services).candidates(None) if REWARD in (c.paper.title or ""))
    view = candidate_view(cand)
    assert view.abs_url and view.abs_url.startswith("https://arxiv.org/abs/2604.30004")
    assert view.pdf_url and view.pdf_url.startswith("https://arxiv.org/pdf/2604.30004")
    assert view.authors == "Frances Allen, John Backus"
    assert view.list == LIST_NAME and view.section and view.section.endswith("Alignment")
    assert view.why and view.sources == ("cs_CL_today.xml",)
    assert view.categories == ("cs.CL",)


def test_cards_show_the_feed_categories(client: FlaskClient) -> None:
    pair(client)
    text = client.get("/review?q=dense").get_data(as_text=True)
    assert re.search(
        r'<span class="cats"[^>]*><span class="sr-only">Categories:</span>\s*'
        r'<span class="cat">cs\.CL</span><span class="cat">cs\.IR</span></span>',
        text,
    )
    assert client.get("/review?q=cs.IR").get_data(as_text=True).count('class="candidate"') == 1


def test_status_items_name_commit_push_poll_and_queue() -> None:
    items = status_items(
        {
            "sync": {
                "state": "running",
                "last_commit": {"sha": "abcdef1234", "message": "Add x", "at": "2026-04-27"},
                "last_push": {"time": "2026-04-27T10:00:00Z", "ok": False, "error": "offline"},
                "conflict": "papers.md: one entry edited two ways",
            },
            "feeds": {
                "state": "running",
                "last_poll": 1_800_000_000,
                "errors": {"arxiv": "HTTP 503"},
                "feeds": {"a": {"next_poll": "2027-01-16T00:00:00Z"}, "b": {"next_poll": None}},
                "candidates": {"pending": 7},
            },
            "clips": {"state": "running", "queued": 2, "failed": 1},
        }
    )
    sync, feeds, clips = items
    assert (
        "abcdef1" in sync.detail
        and "Add x" in sync.detail
        and "last push 2026-04-27 10:00:00 UTC (failed)" in sync.detail
    )
    assert "(failed)" in sync.detail
    # Every part's times are said one way, whatever their source wrote (Z, +00:00, epoch).
    assert status_items({"sync": {"last_push": {"time": "2026-04-27T12:00:00+02:00"}}})[
        0
    ].detail.endswith("last push 2026-04-27 10:00:00 UTC")
    assert sync.error == "papers.md: one entry edited two ways"
    assert "last poll 2027-01-15 08:00:00 UTC" in feeds.detail
    assert "next poll 2027-01-16 00:00:00 UTC" in feeds.detail
    assert "7 pending" in feeds.detail
    assert feeds.error == "arxiv: HTTP 503"
    assert clips.detail == "2 queued, 1 failed" and clips.error is None


def test_pages_load_nothing_from_elsewhere_and_every_post_form_has_the_csrf_token(
    client: FlaskClient, services: Services
) -> None:
    path = services.workspace.root / LIST_NAME
    path.write_text(path.read_text(encoding="utf-8").replace("Critique", "CritiquÃ©"), "utf-8")
    pages = {"/review": client.get("/review").get_data(as_text=True)}  # unpaired
    pair(client)
    for url in ("/review", "/review?status=snoozed", f"/review/lists/{LIST_NAME}"):
        pages[url + " (paired)"] = client.get(url).get_data(as_text=True)
    forms_seen = decisions = 0
    for url, html in pages.items():
        for tag in re.findall(r"<(?:script|link|img|iframe)\b[^>]*>", html):
            source = re.search(r'(?:src|href)="([^"]*)"', tag)
            assert source is None or not re.match(r"(https?:)?//", source.group(1)), f"{url}: {tag}"
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
            if 'action="/review/pair"' in form:  # carries the token itself; own Origin only
                continue
            if 'method="post"' in form:
                forms_seen += 1
                decisions += form.count('formaction="/review/candidates/')
                assert f'name="csrf_token" value="{csrf_token(TOKEN)}"' in form, f"{url}: {form}"
    assert forms_seen >= 6  # the queue form of each paired page, unpair on each, the list's fix
    assert decisions >= 12  # each card's buttons post the queue form, which carries the token


def test_bulk_decides_the_others_when_one_cannot_be_decided(
    client: FlaskClient, services: Services
) -> None:
    pair(client)
    reward, stable, dense = (candidate_id(services, t) for t in (REWARD, "Stable Large", "Dense"))
    store_of(services).set_status(reward, "accepted")  # decided meanwhile, elsewhere
    form = {
        "action": "accept",
        "csrf_token": csrf_token(TOKEN),
        "ids": [str(reward), str(stable), str(dense), "junk"],
        f"target-{stable}": target_value(LIST_NAME, "Language Model Papers > Alignment"),
    }
    answer = client.post("/review/bulk", data=form)
    assert answer.status_code == 409
    text = answer.get_data(as_text=True)
    assert "Partly done" in text and "2 accepted. Not decided:" in text
    assert f"#{reward}: Candidate {reward} is already accepted." in text
    assert f"#{stable}" not in text and f"#{dense}" not in text
    assert statuses(services)[stable] == statuses(services)[dense] == "accepted"
    results = {c.id: c.result or {} for c in store_of(services).candidates("accepted")}
    assert results[stable].get("section") == "Language Model Papers > Alignment"  # its own pick
    assert results[dense].get("section") == "Language Model Papers > Retrieval"  # the suggestion
    unknown = client.post("/review/bulk", data={**form, "action": "archive"})
    assert unknown.status_code == 400


def test_a_bulk_answer_says_each_undecided_candidate_in_its_own_sentence(
    client: FlaskClient, services: Services
) -> None:
    pair(client)
    reward, stable = (candidate_id(services, t) for t in (REWARD, "Stable Large"))
    store_of(services).set_status(reward, "accepted")
    store_of(services).set_status(stable, "rejected")
    form = {"action": "accept", "csrf_token": csrf_token(TOKEN), "ids": [str(reward), str(stable)]}
    answer = client.post("/review/bulk", data=form)
    assert answer.status_code == 409
    text = answer.get_data(as_text=True)
    assert ".;" not in text
    assert (
        f"0 accepted. Not decided: #{reward}: Candidate {reward} is already accepted. "
        f"#{stable}: Candidate {stable} is already rejected." in text
    )


@pytest.mark.parametrize("target", ["garbage", f"{LIST_NAME}::", "::Retrieval", " :: "])
def test_an_ill_formed_target_is_refused_and_nothing_is_written(
    client: FlaskClient, services: Services, target: str
) -> None:
    pair(client)
    cid = candidate_id(services, REWARD)
    before = (services.workspace.root / LIST_NAME).read_bytes()
    form = {"action": "accept", "csrf_token": csrf_token(TOKEN), "target": target}
    json_answer = client.post(
        f"/review/candidates/{cid}", data=form, headers={"Accept": "application/json"}
    )
    assert json_answer.status_code == 400
    assert json_answer.get_json() == {
        "ok": False,
        "error": f"Unknown section {target!r}: pick one in the Section picker.",
        "fields": {"target": target},
    }
    page = client.post(f"/review/candidates/{cid}", data=form)
    assert page.status_code == 400 and "Unknown section" in page.get_data(as_text=True)
    bulk = client.post(
        "/review/bulk",
        data={
            "action": "accept",
            "csrf_token": csrf_token(TOKEN),
            "ids": [str(cid), str(candidate_id(services, "Dense"))],
            f"target-{cid}": target,
        },
    )
    assert bulk.status_code == 400 and "Unknown section" in bulk.get_data(as_text=True)
    assert set(statuses(services).values()) == {"pending"}
    assert (services.workspace.root / LIST_NAME).read_bytes() == before


def test_a_target_naming_no_section_of_the_list_is_refused(
    client: FlaskClient, services: Services
) -> None:
    pair(client)
    cid = candidate_id(services, REWARD)
    before = (services.workspace.root / LIST_NAME).read_bytes()
    form = {"action": "accept", "csrf_token": csrf_token(TOKEN)}
    for target in (target_value(LIST_NAME, "No Such Section"), "nolist.md::Retrieval"):
        answer = client.post(
            f"/review/candidates/{cid}",
            data={**form, "target": target},
            headers={"Accept": "application/json"},
        )
        assert answer.status_code == 404, target
        assert answer.get_json()["ok"] is False and "No " in answer.get_json()["error"]
    assert statuses(services)[cid] == "pending"
    assert (services.workspace.root / LIST_NAME).read_bytes() == before


def test_status_bar_counts_the_real_clip_queue(client: FlaskClient, services: Services) -> None:
    key = str(services.workspace.root)
    for n in (1, 2):
        paper = paper_from_dict({"arxiv_id": f"2604.4000{n}"})  # bare ids wait for arXiv
        services.clips.queue.put(key, paper, LIST_NAME, "Retrieval", error="arXiv unreachable")
    failed = services.clips.queue.put(key, paper_from_dict({"arxiv_id": "2604.40003"}), "x", "y")
    services.clips.queue.mark_failed(failed.id, "no such section")
    pair(client)
    text = client.get("/review").get_data(as_text=True)
    clips = re.search(r'data-part="clips">(.*?)</p>', text, flags=re.S)
    assert clips and "2 queued, 1 failed" in clips.group(1)


def test_candidates_rejected_or_listed_elsewhere_are_not_shown(
    client: FlaskClient, services: Services
) -> None:
    pair(client)
    assert client.get("/review").get_data(as_text=True).count('class="candidate"') == 4
    # A pull brings a collaborator's rejection and an entry another curator clipped.
    add_rejected(services.workspace, "arxiv:2604.30004")
    with (services.workspace.root / LIST_NAME).open("a", encoding="utf-8") as fh:
        fh.write("- [Stable Large Batch Training](https://arxiv.org/abs/2604.30003), 2026.\n")
    text = client.get("/review").get_data(as_text=True)
    assert text.count('class="candidate"') == 2
    assert REWARD not in text and "Stable Large Batch" not in text


def test_the_status_bar_route_answers_the_paired_page_only(
    client: FlaskClient, services: Services
) -> None:
    refused = client.get("/review/status", headers={"Accept": "application/json"})
    assert refused.status_code == 401 and refused.get_json()["ok"] is False
    pair(client)
    answer = client.get("/review/status", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    items = answer.get_json()["status"]
    assert [(i["name"], sorted(i)) for i in items] == [
        (name, ["detail", "error", "name", "state"]) for name in ("Sync", "Feeds", "Clips")
    ]


def _store_without_suggestion(services: Any, paper: Any) -> None:
    """A pending candidate for `paper` that no section is suggested for."""
    row: dict[str, Any] = {
        "identity": paper.identity,
        "paper": paper,
        "source": "manual",
        "scores": {},
        "suggestions": [],
    }
    assert store_of(services).upsert_many([row]) == 1
