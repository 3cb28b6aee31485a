"""The review page in real headless Chromium against a real server, store and list file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, REPO_ROOT, chromium_available
from review_harness import (
    CHROMIUM_ARGS,
    FEED,
    LIST_NAME,
    LiveServer,
    build_services,
    live_server,
    make_workspace,
    seed,
)
from server_support import ServeProcess, wait_until

from sync.index import index_document
from sync.listmodel import parse_list

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright"),
]

if chromium_available():
    from playwright.sync_api import Browser, Page, expect, sync_playwright

DOCS_IMG = REPO_ROOT / "docs" / "img"
#: Set to 1 to refresh the screenshots in docs/img; otherwise they go to a temp folder.
SCREENSHOTS_ENV = "PAPERSHELF_DOC_SCREENSHOTS"
TIMEOUT_MS = 10_000
DENSE = "Dense Retrieval of Passages"
STABLE = "Stable Large Batch Training"
ENSEMBLES = "Reward Model Ensembles"
PREFERENCE = "Preference Optimization from Human Feedback"


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
    """Console errors and uncaught page errors of one page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (no cookies) and page; arxiv.org answered locally, never fetched."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route(re.compile(r"https://(www\.)?arxiv\.org/.*"), _stub_arxiv)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def _stub_arxiv(route: Any) -> None:
    route.fulfill(status=200, content_type="text/html", body="<title>arXiv stub</title>")


def paired(page: Page, server: LiveServer) -> Page:
    """Pair the page's browser and wait for the candidates."""
    page.goto(server.pair_url())
    expect(page.locator("li.candidate").first).to_be_visible()
    return page


def card(page: Page, title_part: str) -> Any:
    return page.locator("li.candidate").filter(has_text=title_part)


def sections_of(path: Path) -> dict[str, str]:
    """Title -> section address of every entry of a list file."""
    doc = parse_list(path.read_bytes())
    return {loc.title or "": loc.section for loc in index_document(LIST_NAME, doc)}


def section_holding(path: Path, title_part: str) -> str | None:
    for title, section in sections_of(path).items():
        if title_part in title:
            return section
    return None


# -- pairing ---------------------------------------------------------------------------------


def test_pairing_sets_a_strict_httponly_cookie_and_hides_the_token(
    page: Page, server: LiveServer
) -> None:
    page.goto(f"{server.base}/review")
    expect(page.get_by_role("heading", name="Pair this browser with papershelf")).to_be_visible()
    expect(page.get_by_text("papershelf token", exact=False).first).to_be_visible()
    assert page.locator("li.candidate").count() == 0
    assert DENSE not in page.content()

    page.goto(f"{server.base}/review?token=wrong-token-wrong-token-wrong")
    expect(page.get_by_role("alert")).to_contain_text("not the current one")
    assert page.locator("li.candidate").count() == 0

    page.goto(server.pair_url())
    page.wait_for_url(f"{server.base}/review")
    assert "token" not in page.url
    expect(page.locator("li.candidate")).to_have_count(4)
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["papershelf_review"]
    assert session["httpOnly"] is True
    assert session["sameSite"] == "Strict"
    assert server.token not in session["value"]
    assert page.evaluate("document.cookie") == ""


# -- decisions -------------------------------------------------------------------------------


def test_click_accept_into_a_picked_section_writes_the_list_and_the_store(
    page: Page, server: LiveServer
) -> None:
    paired(page, server)
    before = server.list_file.read_bytes()
    target = card(page, ENSEMBLES)
    assert "Alignment" in target.get_by_label("Section").input_value()
    target.get_by_label("Section").select_option(
        f"{LIST_NAME}::Language Model Papers > Optimization"
    )
    target.get_by_role("button", name="Accept", exact=True).click()

    expect(target).to_have_count(0)
    expect(page.get_by_role("status").first).to_contain_text("Added")
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

    # A reload shows only what is left.
    page.reload()
    expect(page.locator("li.candidate")).to_have_count(1)
    expect(card(page, DENSE)).to_have_count(1)


def test_keyboard_moves_and_decides(page: Page, server: LiveServer) -> None:
    paired(page, server)
    cards = page.locator("li.candidate")
    expect(cards.first).to_have_attribute("aria-current", "true")
    expect(cards.first).to_contain_text(DENSE)

    page.keyboard.press("a")  # accept the current (best) one into its suggested section
    expect(cards).to_have_count(3)
    expect(page.locator("h1 .count")).to_have_text("3")
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
    browser: Browser, server: LiveServer
) -> None:
    context = browser.new_context(java_script_enabled=False)
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
    """A page that tries every way a web page has to make the paired browser decide."""
    a, b, c = ids
    return f"""<!doctype html><title>evil</title>
<img src="{base}/review/candidates/{c}?action=accept&csrf_token={csrf_guess}">
<form id="f" method="post" action="{base}/review/candidates/{a}">
  <input name="action" value="accept"><input name="csrf_token" value="{csrf_guess}">
  <input name="target" value="papers.md::Alignment">
</form>
<script>
const body = new URLSearchParams({{action: "reject", csrf_token: "{csrf_guess}", ids: "{b}"}});
Promise.allSettled([
  fetch("{base}/review/candidates/{b}", {{method: "POST", mode: "no-cors", credentials: "include", body}}),
  fetch("{base}/review/bulk", {{method: "POST", mode: "no-cors", credentials: "include", body}}),
]).then(() => {{ document.title = "fetched"; document.getElementById("f").submit(); }});
</script>""".encode()


def test_a_page_from_another_origin_cannot_decide(page: Page, server: LiveServer) -> None:
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
    assert server.list_file.read_bytes() == before
    assert not (server.services.workspace.root / ".papershelf" / "rejected.txt").exists()


# -- layout, accessibility, console --------------------------------------------------------------


def test_no_console_errors_and_usable_at_400_px(
    page: Page, server: LiveServer, shots: Path
) -> None:
    console = Console(page)
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
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
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
    page.goto(f"{server.base}/review/lists/{LIST_NAME}")
    expect(page.get_by_role("heading", name="Sections")).to_be_visible()
    assert console.errors == []


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

    page.get_by_role("button", name=re.compile(r"Apply 1 safe fix")).click()
    expect(page.get_by_role("status")).to_contain_text("Fixed 1 finding")
    expect(page.get_by_text("No findings")).to_be_visible()
    fixed = server.list_file.read_text(encoding="utf-8")
    assert "Self Critiqué" in fixed
    kept = [line for line in fixed.splitlines() if DENSE not in line]
    assert kept == broken.replace("CritiquÃ©", "Critiqué").splitlines()  # only the fix changed


# -- the real command --------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_url_papershelf_serve_prints_pairs_and_accepts(page: Page, tmp_path: Path) -> None:
    workspace = make_workspace(tmp_path / "ws")
    polled = _cli("poll", "--from-file", str(FEED), "--workspace", str(workspace))
    assert polled.returncode == 0, polled.stderr
    serve = ServeProcess(workspace)
    try:
        printed = wait_until(
            lambda: re.search(r"Review feed candidates: (\S+)", serve.stdout_path.read_text()),
            timeout_seconds=20,
        ).group(1)
        assert printed.startswith(f"{serve.url}/review?token=")
        page.goto(printed)
        page.wait_for_url(f"{serve.url}/review")
        expect(page.locator("li.candidate")).to_have_count(4)
        card(page, STABLE).get_by_role("button", name="Accept", exact=True).click()
        expect(card(page, STABLE)).to_have_count(0)
        expect(page.get_by_role("status").first).to_contain_text("Optimization")
    finally:
        serve.stop()
    assert section_holding(workspace / LIST_NAME, STABLE) == "Language Model Papers > Optimization"
    listed = _cli("candidates", "--json", "--workspace", str(workspace), "--status", "accepted")
    assert listed.returncode == 0, listed.stderr
    accepted = json.loads(listed.stdout)
    rows = accepted["candidates"] if isinstance(accepted, dict) else accepted
    assert [r["paper"]["title"][:27] for r in rows] == [STABLE]
