"""The review page in real headless Chromium against a real server, store and list file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, REPO_ROOT, chromium_available
from polling import wait_until
from review_harness import (
    CHROMIUM_ARGS,
    FEED,
    LIST_NAME,
    LiveServer,
    build_services,
    live_server,
    make_workspace,
    seed,
    store_of,
)
from server_support import ServeProcess, run_cli

from papershelf.server.api_lists import lists_summary
from papershelf.sync.paper import Link, Paper

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright"),
]

if chromium_available():
    from playwright.sync_api import Browser, Cookie, Page, expect, sync_playwright

DOCS_IMG = REPO_ROOT / "docs" / "img"
#: Set to 1 to refresh the screenshots in docs/img; otherwise they go to a temp folder.
SCREENSHOTS_ENV = "PAPERSHELF_DOC_SCREENSHOTS"
TIMEOUT_MS = 10_000
DENSE = "Dense Retrieval of Passages"
STABLE = "Stable Large Batch Training"
ENSEMBLES = "Reward Model Ensembles"
PREFERENCE = "Preference Optimization from Human Feedback"
#: The viewports the page must be usable at: a laptop and a narrow phone-sized window.
WIDTHS = (1280, 400)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One headless Chromium (Debian's) for the module."""
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/img when refreshing the docs, else a temp folder."""
    folder = DOCS_IMG if os.environ.get(SCREENSHOTS_ENV) == "1" else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A real server over a workspace whose store holds the fixture feed's four candidates."""
    services = build_services(make_workspace(tmp_path / "ws"))
    assert seed(services) == 4
    with live_server(services) as live:
        yield live


class Console:
    """Console errors and uncaught script errors of every page of a test (checked at its end)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._allowed: list[re.Pattern[str]] = []

    def attach(self, page: Page) -> None:
        page.on(
            "console",
            lambda m: self.errors.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: self.errors.append(f"{page.url}: {e}"))

    def allow(self, pattern: str) -> None:
        """Expect errors matching `pattern` (a refused request the test itself provokes)."""
        self._allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(p.search(e) for p in self._allowed)]


@pytest.fixture
def console() -> Console:
    """The console of the test's pages: any error not allowed fails the test."""
    return Console()


def new_context(browser: Browser, console: Console, **options: Any) -> Any:
    """A fresh context (no cookies): arxiv.org answered locally, never fetched; console watched."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    context.route(re.compile(r"https://(www\.)?arxiv\.org/.*"), _stub_arxiv)
    context.on("page", console.attach)
    return context


@pytest.fixture
def page(browser: Browser, console: Console) -> Iterator[Page]:
    """A page in a fresh context; the test fails if any page logged an unexpected error."""
    context = new_context(browser, console)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()
    assert console.unexpected() == [], "console errors"


def at_width(page: Page, width: int) -> Page:
    page.set_viewport_size({"width": width, "height": 900 if width > 600 else 800})
    return page


def no_horizontal_scroll(page: Page) -> None:
    assert page.viewport_size is not None
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _stub_arxiv(route: Any) -> None:
    route.fulfill(status=200, content_type="text/html", body="<title>arXiv stub</title>")


def paired(page: Page, server: LiveServer) -> Page:
    """Pair the page's browser and wait for the candidates."""
    page.goto(server.pair_url())
    expect(page.locator("li.candidate").first).to_be_visible()
    return page


def card(page: Page, title_part: str) -> Any:
    return page.locator("li.candidate").filter(has_text=title_part)


_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def section_holding(path: Path, title_part: str) -> str | None:
    """The heading path (`A > B`) of the entry line naming `title_part`, None if not listed.

    Read with a plain ATX-heading scan, independent of the list model under test.
    """
    headings: list[tuple[int, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _HEADING.match(line)
        if match:
            level = len(match.group(1))
            headings = [h for h in headings if h[0] < level] + [(level, match.group(2))]
        elif title_part in line and line.lstrip().startswith(("-", "*", "|")):
            return " > ".join(title for _, title in headings)
    return None


# -- pairing ---------------------------------------------------------------------------------


def _session(page: Page, server: LiveServer) -> Cookie:
    """The review session cookie the browser holds for `server`."""
    port = server.base.rsplit(":", 1)[1]
    cookies = {c["name"]: c for c in page.context.cookies()}
    return cookies[f"papershelf_review_{port}"]


def test_pairing_link_sets_a_strict_httponly_cookie_for_this_server_and_is_spent(
    browser: Browser, page: Page, server: LiveServer, console: Console
) -> None:
    console.allow(r"status of 40[01]")  # the wrong token, the token link and the spent link
    page.goto(f"{server.base}/review")
    expect(page.get_by_role("heading", name="Pair this browser with papershelf")).to_be_visible()
    expect(page.get_by_text("papershelf token", exact=False).first).to_be_visible()
    assert page.locator("li.candidate").count() == 0
    assert DENSE not in page.content()

    page.get_by_label("Pairing token").fill("wrong-token-wrong-token-wrong")
    page.get_by_role("button", name="Pair this browser").click()
    expect(page.get_by_role("alert")).to_contain_text("not the current pairing token")
    assert page.locator("li.candidate").count() == 0

    page.goto(f"{server.base}/review?token={server.token}")  # an old-style link pairs nothing
    expect(page.get_by_role("alert")).to_contain_text("no longer pairs")
    assert page.locator("li.candidate").count() == 0

    link = server.pair_url()
    page.goto(link)
    page.wait_for_url(f"{server.base}/review")
    expect(page.locator("li.candidate")).to_have_count(4)
    session = _session(page, server)
    assert session["httpOnly"] is True and session["sameSite"] == "Strict"
    assert session["path"] == "/review"
    assert server.token not in session["value"]
    assert page.evaluate("document.cookie") == ""

    other = new_context(browser, console)  # the same link in another browser: spent
    try:
        spent = other.new_page()
        spent.goto(link)
        expect(spent.get_by_role("alert")).to_contain_text("used already")
        assert spent.locator("li.candidate").count() == 0
        assert other.cookies() == []
    finally:
        other.close()


def test_pairing_by_pasting_the_token_posts_it_and_never_puts_it_in_a_url(
    page: Page, server: LiveServer
) -> None:
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{server.base}/review")
    page.get_by_label("Pairing token").fill(server.token)
    page.get_by_role("button", name="Pair this browser").click()
    page.wait_for_url(f"{server.base}/review")
    expect(page.locator("li.candidate")).to_have_count(4)
    assert not [url for url in requested if server.token in url]


def _history_urls(profile: Path) -> list[str]:
    """Every URL the Chromium profile's History database holds (read from a copy)."""
    import shutil
    import sqlite3

    copy = profile.parent / "History-copy"
    shutil.copyfile(profile / "Default" / "History", copy)
    with sqlite3.connect(copy) as db:
        return [row[0] for row in db.execute("SELECT url FROM urls")]


def test_pairing_leaves_no_token_in_the_browser_history_and_no_usable_link(
    browser: Browser, server: LiveServer, tmp_path: Path, console: Console
) -> None:
    # Chromium records the URL a redirect came from: the old /review?token=… stayed in history.
    profile = tmp_path / "profile"
    context = browser.browser_type.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
    )
    try:
        page = context.new_page()
        page.goto(server.pair_url())
        page.wait_for_url(f"{server.base}/review")
        expect(page.locator("li.candidate")).to_have_count(4)
        page.goto(f"{server.base}/review/lists/{LIST_NAME}")  # some more history
    finally:
        context.close()  # writes the History database
    urls = _history_urls(profile)
    assert any(url.startswith(f"{server.base}/review/pair?code=") for url in urls), urls
    assert not [url for url in urls if server.token in url], urls
    spent = next(url for url in urls if "/review/pair?code=" in url)
    console.allow(r"status of 401")
    stranger = new_context(browser, console)  # someone who reads the history tries the link
    try:
        page = stranger.new_page()
        page.goto(spent)
        expect(page.get_by_role("alert")).to_contain_text("used already")
        assert page.locator("li.candidate").count() == 0
    finally:
        stranger.close()


class _OtherApp(BaseHTTPRequestHandler):
    """Another web app on 127.0.0.1 (a dev server, a notebook): it notes the cookies it gets."""

    cookies: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        _OtherApp.cookies.append(self.headers.get("Cookie") or "")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(b"<title>another local app</title><p>hello</p>")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def test_another_local_app_gets_no_review_cookie_and_a_leaked_one_cannot_decide(
    page: Page, server: LiveServer
) -> None:
    import requests

    paired(page, server)
    value = _session(page, server)["value"]
    other = ThreadingHTTPServer(("127.0.0.1", 0), _OtherApp)
    threading.Thread(target=other.serve_forever, daemon=True).start()
    _OtherApp.cookies = []
    try:
        for path in ("/", "/index.html", "/api/items"):
            page.goto(f"http://127.0.0.1:{other.server_address[1]}{path}")
    finally:
        other.shutdown()
        other.server_close()
    assert len(_OtherApp.cookies) >= 3  # the three pages (and maybe /favicon.ico)
    assert not [c for c in _OtherApp.cookies if "papershelf" in c], _OtherApp.cookies

    # Had it leaked (an app serving /review/…): it names this server's port, and a POST with it
    # but without this page's Origin (a script, another app, an extension) decides nothing.
    port = server.base.rsplit(":", 1)[1]
    cookie = {"Cookie": f"papershelf_review_{port}={value}"}
    with requests.Session() as session:
        session.trust_env = False
        review = session.get(f"{server.base}/review", headers=cookie, timeout=10)
        csrf_found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', review.text)
        cid_found = re.search(r'data-id="(\d+)"', review.text)
        assert csrf_found and cid_found, review.text[:500]
        csrf, cid = csrf_found.group(1), cid_found.group(1)
        for origin in ({}, {"Origin": "chrome-extension://abcdefghijklmnop"}):
            refused = session.post(
                f"{server.base}/review/candidates/{cid}",
                data={"action": "accept", "csrf_token": csrf},
                headers={**cookie, **origin},
                timeout=10,
                allow_redirects=False,
            )
            assert refused.status_code == 403, (origin, refused.text[:200])
    assert [server.status_of(t) for t in (DENSE, STABLE, ENSEMBLES, PREFERENCE)] == ["pending"] * 4


# -- decisions -------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_click_accept_into_a_picked_section_writes_the_list_and_the_store(
    page: Page, server: LiveServer, width: int
) -> None:
    paired(at_width(page, width), server)
    before = server.list_file.read_bytes()
    target = card(page, ENSEMBLES)
    assert "Alignment" in target.get_by_label("Section").input_value()
    target.get_by_label("Section").select_option(
        f"{LIST_NAME}::Language Model Papers > Optimization"
    )
    # The card after it (best score first; the one before when it is last): the order is the
    # relevance model's business.
    titles = page.locator("li.candidate h2").all_inner_texts()
    at = next(i for i, title in enumerate(titles) if ENSEMBLES in title)
    following = card(page, titles[at + 1] if at + 1 < len(titles) else titles[at - 1])
    target.get_by_role("button", name="Accept", exact=True).click()

    expect(target).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text("Added")
    expect(page.get_by_role("status").first).to_contain_text("Optimization")
    expect(following).to_be_focused()  # focus moves on to the next card
    expect(following).to_have_attribute("aria-current", "true")
    assert server.status_of(ENSEMBLES) == "accepted"
    assert section_holding(server.list_file, ENSEMBLES) == "Language Model Papers > Optimization"
    after = server.list_file.read_bytes()
    assert after.startswith(before.split(b"## Optimization")[0])  # nothing above was touched

    # Reject and snooze by click too.
    card(page, STABLE).get_by_role("button", name="Reject", exact=True).click()
    expect(card(page, STABLE)).to_have_count(0)
    card(page, PREFERENCE).get_by_role("button", name="Snooze", exact=True).click()
    expect(card(page, PREFERENCE)).to_have_count(0)
    assert server.status_of(STABLE) == "rejected"
    assert server.status_of(PREFERENCE) == "snoozed"
    assert section_holding(server.list_file, STABLE) is None
    rejected = (server.services.workspace.root / ".papershelf" / "rejected.txt").read_text()
    assert "arxiv:2604.30003" in rejected

    # A reload shows only what is left; the snoozed one waits under Show: Snoozed.
    page.reload()
    expect(page.locator("li.candidate")).to_have_count(1)
    expect(card(page, DENSE)).to_have_count(1)
    no_horizontal_scroll(page)
    page.get_by_label("Show", exact=True).select_option("snoozed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*status=snoozed.*"))
    expect(page.locator("li.candidate")).to_have_count(1)
    expect(card(page, PREFERENCE)).to_have_count(1)


@pytest.mark.parametrize("width", WIDTHS)
def test_keyboard_moves_and_decides(page: Page, server: LiveServer, width: int) -> None:
    paired(at_width(page, width), server)
    cards = page.locator("li.candidate")
    expect(cards.first).to_have_attribute("aria-current", "true")
    expect(cards.first).to_contain_text(DENSE)

    page.keyboard.press("a")  # accept the current (best) one into its suggested section
    expect(cards).to_have_count(3)
    expect(page.locator("h1 .count")).to_have_text("3")
    expect(page.get_by_role("status").first).to_contain_text("Added")
    expect(cards.first).to_be_focused()
    assert server.status_of(DENSE) == "accepted"
    assert section_holding(server.list_file, DENSE) == "Language Model Papers > Retrieval"

    expect(cards.first).to_have_attribute("aria-current", "true")
    page.keyboard.press("j")
    expect(cards.nth(1)).to_have_attribute("aria-current", "true")
    current_title = cards.nth(1).locator("h2").inner_text()
    page.keyboard.press("r")
    expect(cards).to_have_count(2)
    assert server.status_of(current_title[:20]) == "rejected"

    page.keyboard.press("x")  # select the current card for a bulk decision
    expect(cards.nth(1).get_by_role("checkbox")).to_be_checked()
    page.keyboard.press("k")
    page.keyboard.press("k")
    expect(cards.first).to_have_attribute("aria-current", "true")
    first_title = cards.first.locator("h2").inner_text()
    page.keyboard.press("s")
    expect(cards).to_have_count(1)
    assert server.status_of(first_title[:20]) == "snoozed"

    with page.context.expect_page() as opened:
        page.keyboard.press("o")
    assert re.match(r"https://arxiv\.org/abs/2604\.3000\d", opened.value.url)


def test_bulk_reject_of_a_selection_and_no_javascript_forms(
    browser: Browser, server: LiveServer, console: Console
) -> None:
    context = new_context(browser, console, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        paired(page, server)
        card(page, STABLE).get_by_role("checkbox").check()
        card(page, PREFERENCE).get_by_role("checkbox").check()
        page.get_by_role("button", name="Reject selected").click()
        page.wait_for_url(re.compile(r".*did=reject.*"))
        expect(page.get_by_role("status").first).to_contain_text("2 rejected")
        expect(page.locator("li.candidate")).to_have_count(2)
        # One decision by plain form post (no script): accept into the suggestion.
        card(page, DENSE).get_by_role("button", name="Accept", exact=True).click()
        page.wait_for_url(re.compile(r".*did=accept.*"))
        expect(page.locator("li.candidate")).to_have_count(1)
    finally:
        context.close()
    assert server.status_of(STABLE) == "rejected"
    assert server.status_of(PREFERENCE) == "rejected"
    assert server.status_of(ENSEMBLES) == "pending"
    assert section_holding(server.list_file, DENSE) == "Language Model Papers > Retrieval"
    assert console.unexpected() == []


def _add_candidate(
    server: LiveServer,
    paper: Paper,
    *,
    source: str,
    list_path: str = LIST_NAME,
    section: str = "Language Model Papers > Retrieval",
    days_ago: float = 0.0,
) -> None:
    """Store one more candidate, as a poll would, seen `days_ago` days ago."""
    suggestion = {"list": list_path, "section": section, "score": 0.9, "why": ["code", "search"]}
    row = {
        "identity": paper.identity,
        "paper": paper,
        "source": source,
        "scores": {list_path: 0.9},
        "suggestions": [suggestion],
    }
    now = time.time() - days_ago * 86400
    assert store_of(server.services).upsert_many([row], now=now) == 1


CODE_PAPER = Paper(
    url="https://arxiv.org/abs/2604.30009v2",
    arxiv_id="2604.30009v2",
    title="Searching Code with Learned Sparse Retrieval",
    authors=("Margaret Hamilton", "Ken Thompson", "Dennis Ritchie"),
    published="2026-04-26",
    abstract="We search code with a learned sparse retriever and release it.",
    code_url="https://github.com/example/sparse-code",
    links=(Link("blog", "https://blog.example.org/sparse-code"),),
    extra={"source": "arxiv-rss", "categories": ["cs.IR", "cs.SE"]},
)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_card_shows_what_a_decision_needs(page: Page, server: LiveServer, width: int) -> None:
    _add_candidate(server, CODE_PAPER, source="code-feed")
    paired(at_width(page, width), server)
    expect(page.locator("li.candidate")).to_have_count(5)
    scores = [float(t.split()[-1]) for t in page.locator("li.candidate .score").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)  # the best score comes first
    first = card(page, CODE_PAPER.title or "")
    heading = first.get_by_role("heading", name=CODE_PAPER.title)
    expect(heading.get_by_role("link")).to_have_attribute(
        "href", "https://arxiv.org/abs/2604.30009v2"
    )
    meta = first.locator(".meta")
    expect(meta).to_contain_text("Margaret Hamilton, Ken Thompson, Dennis Ritchie")
    expect(meta).to_contain_text("2026-04-26")
    expect(meta.locator(".cat")).to_have_text(["cs.IR", "cs.SE"])
    expect(meta).to_contain_text("via code-feed")
    expect(first.locator(".score")).to_have_text("score 0.90")
    expect(first.locator(".why mark")).to_have_text(["code", "search"])
    links = {
        name: first.locator(".links").get_by_role("link", name=name, exact=True)
        for name in ("abs", "pdf", "code", "blog")
    }
    expect(links["abs"]).to_have_attribute("href", "https://arxiv.org/abs/2604.30009v2")
    expect(links["pdf"]).to_have_attribute("href", "https://arxiv.org/pdf/2604.30009v2")
    expect(links["code"]).to_have_attribute("href", "https://github.com/example/sparse-code")
    expect(links["blog"]).to_have_attribute("href", "https://blog.example.org/sparse-code")

    abstract = first.get_by_text("We search code with a learned sparse retriever")
    expect(abstract).to_be_hidden()  # folded until asked for
    first.get_by_text("Abstract", exact=True).click()
    expect(abstract).to_be_visible()

    picker = first.get_by_label("Section")
    expect(picker).to_have_value(f"{LIST_NAME}::Language Model Papers > Retrieval")
    # Named by its path below the list's title (the list is the optgroup), as everywhere.
    expect(picker.locator("option:checked")).to_have_text("Retrieval (suggested)")
    assert picker.locator("optgroup").evaluate_all("gs => gs.map(g => g.label)") == [LIST_NAME]
    assert picker.locator("option").count() == len(sections_of_picker(server))

    # Every card carries its categories (the feed's), the dense retrieval one included.
    expect(card(page, DENSE).locator(".cat")).to_have_text(["cs.CL", "cs.IR"])
    no_horizontal_scroll(page)


def sections_of_picker(server: LiveServer) -> list[str]:
    """Every section of every list: what the Section picker offers."""
    summary = lists_summary(server.services.index)
    return [s["path"] for row in summary for s in row["sections"]]


def test_filters_by_list_source_date_and_words(page: Page, server: LiveServer) -> None:
    old = Paper(
        arxiv_id="2603.10001",
        title="An Older Paper on Curriculum Design",
        extra={"categories": ["cs.AI"]},
    )
    _add_candidate(
        server, old, source="weekly-feed", list_path="other.md", section="Curricula", days_ago=10
    )
    paired(page, server)
    cards = page.locator("li.candidate")
    expect(cards).to_have_count(5)

    page.get_by_label("List", exact=True).select_option("other.md")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*list=other\.md.*"))
    expect(cards).to_have_count(1)
    expect(page.locator("h1 .count")).to_have_text("1 of 5")
    expect(cards.first.get_by_label("Section")).to_have_value("other.md::Curricula")

    page.get_by_role("link", name="Clear filters").click()
    expect(cards).to_have_count(5)
    page.get_by_label("Source", exact=True).select_option("weekly-feed")
    page.get_by_role("button", name="Filter").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Curriculum")

    page.get_by_label("Source", exact=True).select_option("")
    page.get_by_label("Date", exact=True).select_option("7")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r".*since=7.*"))
    expect(cards).to_have_count(4)
    expect(page.get_by_text("Curriculum")).to_have_count(0)

    search = page.get_by_role("searchbox", name="Search")
    search.fill("human preferences")
    search.press("Enter")
    page.wait_for_url(re.compile(r".*q=human\+preferences.*"))
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text(ENSEMBLES)
    expect(search).to_have_value("human preferences")

    # A decision keeps the filtered view (even after a reload of the page).
    cards.first.get_by_role("button", name="Snooze", exact=True).click()
    expect(cards).to_have_count(0)
    page.reload()
    assert "q=human+preferences" in page.url and "since=7" in page.url
    expect(page.get_by_text("No candidate matches these filters.")).to_be_visible()
    assert server.status_of(ENSEMBLES) == "snoozed"


def test_bulk_accept_files_each_card_where_its_picker_says(page: Page, server: LiveServer) -> None:
    paired(page, server)
    card(page, STABLE).get_by_label("Section").select_option(
        f"{LIST_NAME}::Language Model Papers > Alignment"
    )
    card(page, STABLE).get_by_role("checkbox").check()
    card(page, DENSE).get_by_role("checkbox").check()
    page.get_by_role("button", name="Accept selected").click()
    page.wait_for_url(re.compile(r".*did=accept.*"))
    expect(page.get_by_role("status").first).to_contain_text("2 accepted")
    expect(page.locator("li.candidate")).to_have_count(2)
    assert section_holding(server.list_file, STABLE) == "Language Model Papers > Alignment"
    assert section_holding(server.list_file, DENSE) == "Language Model Papers > Retrieval"
    assert [server.status_of(t) for t in (STABLE, DENSE)] == ["accepted", "accepted"]

    page.get_by_label("Select all").check()
    expect(page.locator("input.pick:checked")).to_have_count(2)
    page.get_by_role("button", name="Snooze selected").click()
    page.wait_for_url(re.compile(r".*did=snooze.*"))
    expect(page.get_by_role("status").first).to_contain_text("2 snoozed")
    expect(page.get_by_text("Nothing to review")).to_be_visible()
    assert [server.status_of(t) for t in (ENSEMBLES, PREFERENCE)] == ["snoozed", "snoozed"]


def test_bulk_accept_without_javascript_files_each_card_where_its_picker_says(
    browser: Browser, server: LiveServer, console: Console
) -> None:
    context = new_context(browser, console, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        paired(page, server)
        card(page, STABLE).get_by_label("Section").select_option(
            f"{LIST_NAME}::Language Model Papers > Alignment"
        )
        card(page, STABLE).get_by_role("checkbox").check()
        card(page, DENSE).get_by_role("checkbox").check()
        page.get_by_role("button", name="Accept selected").click()
        page.wait_for_url(re.compile(r".*did=accept.*"))
        expect(page.get_by_role("status").first).to_contain_text("2 accepted")
        expect(page.locator("li.candidate")).to_have_count(2)
        # A single card's own Accept still takes its picker too, without script.
        card(page, ENSEMBLES).get_by_label("Section").select_option(
            f"{LIST_NAME}::Language Model Papers > Optimization"
        )
        card(page, ENSEMBLES).get_by_role("button", name="Accept", exact=True).click()
        page.wait_for_url(re.compile(r".*did=accept.*"))
        expect(page.locator("li.candidate")).to_have_count(1)
    finally:
        context.close()
    assert section_holding(server.list_file, STABLE) == "Language Model Papers > Alignment"
    assert section_holding(server.list_file, DENSE) == "Language Model Papers > Retrieval"
    assert section_holding(server.list_file, ENSEMBLES) == "Language Model Papers > Optimization"
    assert [server.status_of(t) for t in (STABLE, DENSE, ENSEMBLES, PREFERENCE)] == [
        "accepted",
        "accepted",
        "accepted",
        "pending",
    ]
    assert console.unexpected() == []


def test_a_refused_decision_is_said_and_the_card_stays(
    page: Page, server: LiveServer, console: Console
) -> None:
    console.allow(r"status of 400")  # the refused accept below
    lost = Paper(arxiv_id="2604.39999", title="An Unplaceable Paper on Everything")
    row: dict[str, Any] = {"identity": lost.identity, "paper": lost, "source": "hand", "scores": {}}
    assert store_of(server.services).upsert_many([{**row, "suggestions": []}]) == 1
    paired(page, server)
    target = card(page, "Unplaceable")
    picker = target.get_by_label("Section")
    expect(picker).to_have_value("")
    expect(picker.locator("option:checked")).to_have_text("Choose a section…")
    accept = target.get_by_role("button", name="Accept", exact=True)
    accept.click()
    status = page.get_by_role("status").first
    expect(status).to_contain_text("section")
    expect(status).to_have_class(re.compile(r"banner-error"))
    expect(target).to_have_count(1)
    expect(accept).to_be_enabled()  # free to try again
    assert server.status_of("Unplaceable") == "pending"

    picker.select_option(f"{LIST_NAME}::Language Model Papers > Retrieval")
    accept.click()
    expect(target).to_have_count(0)
    expect(status).to_contain_text("Added")
    expect(status).not_to_have_class(re.compile(r"banner-error"))
    assert section_holding(server.list_file, "Unplaceable") == "Language Model Papers > Retrieval"


def test_unpairing_forgets_the_browser(page: Page, server: LiveServer) -> None:
    paired(page, server)
    page.get_by_role("button", name="Unpair this browser").click()
    expect(page.get_by_role("heading", name="Pair this browser with papershelf")).to_be_visible()
    assert "papershelf_review" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{server.base}/review/lists/{LIST_NAME}")
    expect(page.get_by_role("heading", name="Pair this browser with papershelf")).to_be_visible()
    assert [server.status_of(t) for t in (DENSE, STABLE)] == ["pending", "pending"]


# -- another origin ------------------------------------------------------------------------------


class _AttackPage(BaseHTTPRequestHandler):
    html = b""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.html)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _attack_html(base: str, ids: list[int], csrf_guess: str) -> bytes:
    """A page that tries every way a web page has to make the paired browser decide (or fix a
    list, or unpair)."""
    a, b, c = ids
    return f"""<!doctype html><title>evil</title>
<img src="{base}/review/candidates/{c}?action=accept&csrf_token={csrf_guess}">
<form id="f" method="post" action="{base}/review/candidates/{a}">
  <input name="action" value="accept"><input name="csrf_token" value="{csrf_guess}">
  <input name="target" value="papers.md::Alignment">
</form>
<script>
const body = new URLSearchParams({{action: "reject", csrf_token: "{csrf_guess}", ids: "{b}"}});
const post = {{method: "POST", mode: "no-cors", credentials: "include", body}};
Promise.allSettled([
  fetch("{base}/review/candidates/{b}", post),
  fetch("{base}/review/bulk", post),
  fetch("{base}/review/lists/papers.md/fix", post),
  fetch("{base}/review/unpair", post),
]).then(() => {{ document.title = "fetched"; document.getElementById("f").submit(); }});
</script>""".encode()


def test_a_page_from_another_origin_cannot_decide(
    page: Page, server: LiveServer, console: Console
) -> None:
    console.allow(r"Failed to load resource")  # the refusals the attacking page provokes
    text = server.list_file.read_text(encoding="utf-8")  # a safe fix the attacker could apply
    server.list_file.write_text(text.replace("Self Critique", "Self CritiquÃ©"), encoding="utf-8")
    paired(page, server)  # the browser holds a valid session cookie
    real_csrf = page.locator("input[name=csrf_token]").first.input_value()
    ids = [
        int(x)
        for x in page.locator("li.candidate").evaluate_all("els => els.map(e => e.dataset.id)")
    ]
    before = server.list_file.read_bytes()

    for guess in ("guessed", real_csrf):  # even a leaked CSRF token does not help another origin
        _AttackPage.html = _attack_html(server.base, ids[:3], guess)
        evil = ThreadingHTTPServer(("127.0.0.1", 0), _AttackPage)
        threading.Thread(target=evil.serve_forever, daemon=True).start()
        try:
            page.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
            page.wait_for_url(f"{server.base}/review/candidates/*")
            expect(page.locator("body")).to_contain_text("not allowed")
        finally:
            evil.shutdown()
            evil.server_close()

    assert [server.status_of(t) for t in (DENSE, STABLE, ENSEMBLES, PREFERENCE)] == ["pending"] * 4
    assert server.list_file.read_bytes() == before  # nothing accepted, nothing "fixed"
    assert not (server.services.workspace.root / ".papershelf" / "rejected.txt").exists()
    page.goto(f"{server.base}/review")  # and the browser is still paired
    expect(page.locator("li.candidate")).to_have_count(4)


# -- layout, accessibility, console --------------------------------------------------------------


def test_no_console_errors_and_usable_at_400_px(
    page: Page, server: LiveServer, shots: Path, console: Console
) -> None:
    page.goto(f"{server.base}/review")
    page.screenshot(path=str(shots / "review-pairing.png"))
    paired(page, server)
    card(page, DENSE).locator("details.abstract summary").click()
    expect(card(page, DENSE).locator("details.abstract p")).to_be_visible()
    page.screenshot(path=str(shots / "review-candidates.png"), full_page=False)

    page.set_viewport_size({"width": 400, "height": 800})
    page.reload()
    first = page.locator("li.candidate").first
    for name in ("Accept", "Reject", "Snooze"):
        button = first.get_by_role("button", name=name, exact=True)
        expect(button).to_be_visible()
        expect(button).to_be_in_viewport()
    expect(first.get_by_label("Section")).to_be_visible()
    no_horizontal_scroll(page)
    page.screenshot(path=str(shots / "review-narrow.png"))

    # Every form control has an accessible name; the decision buttons reach focus by Tab.
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('select, input:not([type=hidden]), button')]
            .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                    && !el.textContent.trim()).map(el => el.outerHTML)"""
    )
    assert unnamed == []
    first.get_by_label("Section").focus()
    page.keyboard.press("Tab")
    expect(first.get_by_role("button", name="Accept", exact=True)).to_be_focused()

    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("a")  # focus is on the first card's Accept button
    expect(page.locator("li.candidate")).to_have_count(3)
    assert forms_without_csrf(page) == []

    # The first Tab reaches the skip link, which shows itself and leads to the content.
    page.reload()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    for width in WIDTHS:
        at_width(page, width).goto(f"{server.base}/review/lists/{LIST_NAME}")
        expect(page.get_by_role("heading", name="Sections")).to_be_visible()
        expect(page.get_by_role("link", name=LIST_NAME)).to_have_attribute("aria-current", "page")
        no_horizontal_scroll(page)
        assert forms_without_csrf(page) == []
    assert console.unexpected() == []


def forms_without_csrf(page: Page) -> list[str]:
    """The page's POST forms that do not carry the CSRF token (there must be none)."""
    forms = page.evaluate(
        """() => [...document.forms].map(f => ({
              action: f.getAttribute('action'), method: (f.getAttribute('method') || 'get'),
              csrf: (f.querySelector('input[type=hidden][name=csrf_token]') || {}).value || ''}))"""
    )
    assert any(f["method"].lower() == "post" for f in forms)
    return [f["action"] for f in forms if f["method"].lower() == "post" and len(f["csrf"]) < 32]


def test_list_page_shows_sections_additions_and_applies_a_safe_fix(
    page: Page, server: LiveServer, shots: Path
) -> None:
    text = server.list_file.read_text(encoding="utf-8")
    broken = text.replace("Self Critique", "Self CritiquÃ©")
    server.list_file.write_text(broken, encoding="utf-8")
    paired(page, server)
    card(page, DENSE).get_by_role("button", name="Accept", exact=True).click()
    expect(card(page, DENSE)).to_have_count(0)

    page.get_by_role("link", name=LIST_NAME).click()
    page.wait_for_url(f"{server.base}/review/lists/{LIST_NAME}")
    rows = page.locator("table.sections tbody tr")
    expect(rows.filter(has_text="Retrieval")).to_contain_text("4")
    expect(rows.filter(has_text="Alignment")).to_contain_text("3")
    expect(page.locator("ul.latest")).to_contain_text(DENSE)
    expect(page.locator("table.findings")).to_contain_text("mojibake")
    page.screenshot(path=str(shots / "review-list.png"), full_page=True)

    at_width(page, 400)  # the findings table and the fix button fit a narrow window too
    expect(page.get_by_role("button", name=re.compile(r"Apply 1 safe fix"))).to_be_visible()
    no_horizontal_scroll(page)
    page.get_by_role("button", name=re.compile(r"Apply 1 safe fix")).click()
    expect(page.get_by_role("status")).to_contain_text("Fixed 1 finding")
    expect(page.get_by_text("No findings")).to_be_visible()
    fixed = server.list_file.read_text(encoding="utf-8")
    assert "Self Critiqué" in fixed
    kept = [line for line in fixed.splitlines() if DENSE not in line]
    assert kept == broken.replace("CritiquÃ©", "Critiqué").splitlines()  # only the fix changed


# -- the real command --------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, timeout_seconds=120)


class _FeedServer(BaseHTTPRequestHandler):
    """A local feed host: the fixture feed at /cl.xml, 404 for anything else."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        found = self.path == "/cl.xml"
        body = FEED.read_bytes() if found else b"not here"
        self.send_response(200 if found else 404)
        self.send_header("Content-Type", "application/rss+xml" if found else "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def _lists_repo(tmp_path: Path, feed_base: str) -> tuple[Path, Path]:
    """A bare remote holding the review list and a config with two local feeds; a clone of it."""
    remote, seed_dir = tmp_path / "remote.git", tmp_path / "seed"
    _git(tmp_path, "init", "--quiet", "--bare", "-b", "main", str(remote))
    _git(tmp_path, "clone", "--quiet", str(remote), str(seed_dir))
    make_workspace(seed_dir)
    config = seed_dir / ".papershelf" / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "\n[sync]\nquiet_seconds = 0.3\n\n"
        + '[[feeds]]\nname = "local-cl"\ntype = "arxiv-rss"\ncategory = "cs.CL"\n'
        + f'url = "{feed_base}/cl.xml"\n\n'
        + f'[[feeds]]\nname = "gone"\ntype = "rss"\nurl = "{feed_base}/gone.xml"\n',
        encoding="utf-8",
    )
    _git(seed_dir, "add", "-A")
    _git(seed_dir, "commit", "--quiet", "-m", "Start the lists")
    _git(seed_dir, "push", "--quiet", "-u", "origin", "main")
    workspace = tmp_path / "ws"
    _git(tmp_path, "clone", "--quiet", str(remote), str(workspace))
    return remote, workspace


def test_the_url_papershelf_serve_prints_pairs_accepts_and_shows_status(
    page: Page, tmp_path: Path, shots: Path
) -> None:
    """The real daemon (HTTP, sync, scheduler) on a git clone whose feeds live on 127.0.0.1."""
    feeds = ThreadingHTTPServer(("127.0.0.1", 0), _FeedServer)
    threading.Thread(target=feeds.serve_forever, daemon=True).start()
    try:
        remote, workspace = _lists_repo(tmp_path, f"http://127.0.0.1:{feeds.server_address[1]}")
        polled = _cli("poll", "--workspace", str(workspace))  # both configured feeds, once
        assert re.search(r"local-cl.*4 new", polled.stdout), polled.stdout + polled.stderr
        serve = ServeProcess(workspace, "--threads", "4")  # sync and feeds on
        try:
            printed = wait_until(
                lambda: re.search(r"Review feed candidates: (\S+)", serve.stdout_path.read_text()),
                timeout_seconds=20,
            ).group(1)
            assert printed.startswith(f"{serve.url}/review/pair?code=")
            assert serve.token not in printed
            page.goto(printed)
            page.wait_for_url(f"{serve.url}/review")
            expect(page.locator("li.candidate")).to_have_count(4)

            bar = page.get_by_role("region", name="Status")
            feeds_item = bar.locator("[data-part=feeds]")
            expect(feeds_item).to_contain_text("running")
            expect(feeds_item).to_contain_text(
                re.compile(r"last poll \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
            )
            expect(feeds_item).to_contain_text(
                re.compile(r"next poll \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC")
            )
            expect(feeds_item).to_contain_text("4 pending")
            expect(feeds_item.locator(".error-text")).to_contain_text("gone")
            expect(bar.locator("[data-part=sync]")).to_contain_text("running")
            expect(bar.locator("[data-part=sync]")).to_contain_text("last push never")
            expect(bar.locator("[data-part=clips]")).to_contain_text("0 queued")

            card(page, STABLE).get_by_role("button", name="Accept", exact=True).click()
            expect(card(page, STABLE)).to_have_count(0)
            # Named by its path below the list's title, as the CLI and commit messages do.
            expect(page.get_by_role("status").first).to_contain_text(
                f"Added: {LIST_NAME} › Optimization, line "
            )
            # The bar follows the decision at once, without a reload: one fewer pending.
            expect(feeds_item).to_contain_text("3 pending")

            # The sync daemon commits and pushes the accepted paper; the bar then says so, by
            # itself (it asks the server again every few seconds), still without a reload.
            subject = wait_until(
                lambda: next(
                    (
                        m
                        for m in _git(remote, "log", "--format=%s", "main").splitlines()
                        if STABLE in m
                    ),
                    None,
                ),
                timeout_seconds=30,
            )
            sha = _git(remote, "rev-parse", "--short=7", "main").strip()
            sync_item = page.get_by_role("region", name="Status").locator("[data-part=sync]")
            expect(sync_item).to_contain_text(sha, timeout=15_000)
            expect(sync_item).to_contain_text(subject)
            expect(sync_item).to_contain_text(
                re.compile(r"last push \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"), timeout=15_000
            )
            page.reload()  # and the page as served says the same
            expect(sync_item).not_to_contain_text("failed")
            expect(page.get_by_role("region", name="Status")).to_contain_text("3 pending")
            page.screenshot(path=str(shots / "review-status.png"))
            # The bar asks the server every few seconds: leave the page before stopping it, or
            # its next refresh is a refused connection in the console.
            page.goto("about:blank")
        finally:
            serve.stop()
    finally:
        feeds.shutdown()
        feeds.server_close()
    assert section_holding(workspace / LIST_NAME, STABLE) == "Language Model Papers > Optimization"
    listed = _cli("candidates", "--json", "--workspace", str(workspace), "--status", "accepted")
    assert listed.returncode == 0, listed.stderr
    accepted = json.loads(listed.stdout)
    rows = accepted["candidates"] if isinstance(accepted, dict) else accepted
    assert [r["paper"]["title"][:27] for r in rows] == [STABLE]
    assert rows[0]["categories"] == ["cs.LG"]  # the feed's categories survive into the store


@pytest.mark.parametrize("javascript", [True, False])
def test_enter_on_a_selection_box_accepts_the_selection_not_the_top_card(
    browser: Browser, server: LiveServer, console: Console, javascript: bool
) -> None:
    """The queue is one form: Enter (implicit submission) pressed its first submit button, the
    first card's Accept, so the top card went into its suggestion though nobody picked it."""
    context = new_context(browser, console, java_script_enabled=javascript)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        paired(page, server)
        box = card(page, PREFERENCE).get_by_role("checkbox")
        box.check()
        box.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r".*did=accept.*"))
        expect(page.get_by_role("status").first).to_contain_text("1 accepted")
    finally:
        context.close()
    assert server.status_of(PREFERENCE) == "accepted"
    assert [server.status_of(t) for t in (DENSE, STABLE, ENSEMBLES)] == ["pending"] * 3
    assert console.unexpected() == []
