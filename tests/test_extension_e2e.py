"""End to end: real headless Chromium loading the unpacked extension, arXiv pages served from our
fixtures through --host-resolver-rules, and a real `papershelf serve` subprocess writing the list.

Covers: clips from abs, html and pdf pages land in the list file; a duplicate is reported; a clip
made while the server is down is queued and delivered by the alarm when it is back, by a fresh
service worker after MV3 stopped the old one; the toolbar badge marks a listed paper before any
click; a read-only list is marked and never preselected; not paired / wrong token / offline / a
refused clip are said; the options page's connection test and which part fails; the context menu's
link clip. The docs' screenshots are taken on the way (PAPERSHELF_DOC_SCREENSHOTS=1 writes them to
docs/img)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from conftest import REPO_ROOT, chromium_available
from extension_harness import EXT_FIXTURES, Server, chromium_path, extension_args, fixture_server
from polling import free_port, wait_until

MENU_ID = "papershelf-clip-link"
#: Set to 1 to refresh the extension's screenshots in docs/img; otherwise they go to a temp folder.
SCREENSHOTS_ENV = "PAPERSHELF_DOC_SCREENSHOTS"
DOCS_IMG = REPO_ROOT / "docs" / "img"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright"),
]

LIST = """# Awesome Efficient NLP

## Pretraining

- [Pre-training Distillation for Large Language Models: A Design Space Exploration](https://arxiv.org/abs/2410.16215), Oct. 21 2024.

## Robustness

- [Curriculum Sampling for Sparse-Reward Text Games](https://arxiv.org/abs/2107.11873), Jul. 25 2021.
"""
PRETRAINING = "Awesome Efficient NLP > Pretraining"
ROBUSTNESS = "Awesome Efficient NLP > Robustness"
# Places are shown by the section's path below the list's title (the server's `label`).
PRETRAINING_SHOWN = "Pretraining"
ROBUSTNESS_SHOWN = "Robustness"
T = TypeVar("T")


@dataclass
class E2E:
    context: Any
    worker: Any
    ext_id: str
    server: Server
    list_file: Path
    token: str
    arxiv_port: int  # the fixture server: something on 127.0.0.1 that is not papershelf
    shots: Path  # where screenshots go: docs/img when refreshing the docs

    def shot(self, page: Any, name: str, width: int = 380, height: int = 470) -> None:
        """A screenshot of `page` at a popup's size (CSS px; the context renders at 2x)."""
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(self.shots / name))

    def storage(self, **values: Any) -> None:
        self.worker.evaluate("(v) => chrome.storage.local.set(v)", values)

    def stored(self, key: str) -> Any:
        return self.worker.evaluate("(k) => chrome.storage.local.get(k).then((r) => r[k])", key)

    def open_tab(self, url: str) -> tuple[Any, int]:
        page = self.context.new_page()
        page.goto(url)

        def tab_id() -> int | None:
            tabs = self.worker.evaluate("() => chrome.tabs.query({})")
            ids = [t["id"] for t in tabs if t.get("url") == url]
            return ids[0] if ids else None

        return page, wait_until(tab_id, what=f"a tab at {url}")

    def popup(self, tab_id: int) -> Any:
        page = self.context.new_page()
        page.goto(f"chrome-extension://{self.ext_id}/popup.html?tab={tab_id}")
        page.wait_for_selector("body[data-ready=true]", timeout=20_000)
        return page

    def badge(self, tab_id: int) -> tuple[str, str]:
        return tuple(
            self.worker.evaluate(
                """(id) => Promise.all([chrome.action.getBadgeText({tabId: id}),
                                        chrome.action.getTitle({tabId: id})])""",
                tab_id,
            )
        )

    def text(self) -> str:
        return self.list_file.read_text("utf-8")

    def stop_worker(self) -> None:
        """Stop the extension's service worker, as Chromium does after 30 s idle: the next event
        (an alarm, a message) starts a fresh one with empty globals."""
        page = self.context.new_page()
        try:
            cdp = self.context.new_cdp_session(page)

            def workers() -> list[dict[str, Any]]:
                infos = cdp.send("Target.getTargets")["targetInfos"]
                return [
                    t for t in infos if t["type"] == "service_worker" and self.ext_id in t["url"]
                ]

            (target,) = workers()
            assert cdp.send("Target.closeTarget", {"targetId": target["targetId"]})["success"]
            wait_until(lambda: not workers(), timeout_seconds=10, what="the service worker to stop")
        finally:
            page.close()


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2E]:
    from playwright.sync_api import sync_playwright

    root = tmp_path_factory.mktemp("extension-e2e")
    workspace = root / "ws"
    (workspace / ".papershelf").mkdir(parents=True)
    list_file = workspace / "papers.md"
    list_file.write_text(LIST, encoding="utf-8")
    data = root / "data"
    data.mkdir()
    server = Server(free_port(), workspace, data, root)
    server.start()
    try:
        token = server.token()
        with fixture_server() as arxiv_port, sync_playwright() as pw:
            context = pw.chromium.launch_persistent_context(
                str(root / "profile"),
                executable_path=chromium_path(),
                headless=False,  # the args carry --headless=new (extensions need it)
                args=extension_args(arxiv_port),
                device_scale_factor=2,  # sharp screenshots for the docs
            )
            try:
                worker = (
                    context.service_workers[0]
                    if context.service_workers
                    else context.wait_for_event("serviceworker", timeout=15_000)
                )
                ext_id = worker.url.split("/")[2]
                shots = DOCS_IMG if os.environ.get(SCREENSHOTS_ENV) == "1" else root / "shots"
                shots.mkdir(parents=True, exist_ok=True)
                env = E2E(context, worker, ext_id, server, list_file, token, arxiv_port, shots)
                # retryMinutes: unpacked extensions may fire alarms sooner than the 30 s floor.
                env.storage(serverUrl=server.base, token=token, retryMinutes=0.05)
                yield env
            finally:
                context.close()
    finally:
        server.stop()


def status_of(page: Any, state: str, timeout: float = 20_000) -> str:
    from playwright.sync_api import expect

    status = page.get_by_role("status")
    expect(status).to_have_attribute("data-state", state, timeout=timeout)
    return status.inner_text()


def section_body(text: str, heading: str) -> str:
    start = text.index(f"## {heading}\n")
    rest = text[start + 1 :]
    end = rest.find("\n## ")
    return rest if end < 0 else rest[:end]


def test_badge_marks_a_listed_paper_before_any_click(e2e: E2E) -> None:
    _page, other = e2e.open_tab("http://arxiv.org/abs/2005.01377")
    _page, listed = e2e.open_tab("http://arxiv.org/abs/2107.11873")
    text, title = wait_until(
        lambda: (b := e2e.badge(listed))[0] == "✓" and b,
        timeout_seconds=30,
        what="the listed badge",
    )
    assert title == f"papershelf: already in papers.md › {ROBUSTNESS_SHOWN}"
    assert e2e.badge(other)[0] == ""
    # Chromium's PDF viewer runs no content script: the service worker marks PDF tabs itself.
    _page, pdf = e2e.open_tab("http://arxiv.org/pdf/2107.11873v1")
    wait_until(lambda: e2e.badge(pdf)[0] == "✓", timeout_seconds=30, what="the listed PDF's badge")


def test_clip_from_abs_page_lands_in_the_list(e2e: E2E) -> None:
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2603.04217")
    popup = e2e.popup(tab)
    assert popup.get_by_label("Title").input_value() == (
        "Lattice Adapters: Parameter-Efficient Continual Pretraining for Small Language Models"
    )
    assert "Zoë Ngata-Larsen" in popup.locator("#meta").inner_text()
    assert status_of(popup, "ready").startswith("Ready")
    popup.get_by_label("List").select_option("papers.md")
    popup.get_by_label("Section").select_option(PRETRAINING)
    popup.get_by_label("Tags").fill("adapters, continual")
    e2e.shot(popup, "extension-popup.png")
    popup.get_by_role("button", name="Save").click()
    said = status_of(popup, "saved")
    e2e.shot(popup, "extension-saved.png")
    assert said.startswith(f"Saved to papers.md › {PRETRAINING_SHOWN} (line ")
    body = section_body(e2e.text(), "Pretraining")
    assert (
        "Lattice Adapters: Parameter-Efficient Continual Pretraining for Small Language Models"
        in body
    )
    assert "arxiv.org/abs/2603.04217" in body
    assert e2e.badge(tab)[0] == "✓"


def test_clip_from_arxiv_html_page(e2e: E2E) -> None:
    _page, tab = e2e.open_tab("http://arxiv.org/html/2604.00991v1")
    popup = e2e.popup(tab)
    assert popup.get_by_label("Title").input_value() == (
        "Quiet Gradients: Detecting Label Noise from Per-Example Gradient Norms"
    )
    popup.get_by_label("Section").select_option(ROBUSTNESS)
    popup.get_by_role("button", name="Save").click()
    assert status_of(popup, "saved").startswith(f"Saved to papers.md › {ROBUSTNESS_SHOWN}")
    body = section_body(e2e.text(), "Robustness")
    assert "Quiet Gradients: Detecting Label Noise from Per-Example Gradient Norms" in body
    assert "arxiv.org/abs/2604.00991" in body


def test_clip_from_pdf_page_with_the_title_edited(e2e: E2E) -> None:
    _page, tab = e2e.open_tab("http://arxiv.org/pdf/2611.05555v1")
    wait_until(
        lambda: (
            e2e.worker.evaluate("(id) => chrome.tabs.get(id).then((t) => t.title)", tab)
            == "Sparse Echo Networks"
        ),
        what="the PDF viewer to show the PDF's title",
    )
    popup = e2e.popup(tab)
    title = popup.get_by_label("Title")
    # Chromium's PDF viewer shows the PDF's own Title; the popup offers it, and it stays editable.
    assert title.input_value() == "Sparse Echo Networks"
    assert "arXiv:2611.05555v1" in popup.locator("#meta").inner_text()
    title.fill("Sparse Echo Networks for Streaming Speech")
    popup.get_by_label("Section").select_option(PRETRAINING)
    popup.get_by_role("button", name="Save").click()
    assert status_of(popup, "saved").startswith(f"Saved to papers.md › {PRETRAINING_SHOWN}")
    body = section_body(e2e.text(), "Pretraining")
    assert "Sparse Echo Networks for Streaming Speech" in body
    assert "arxiv.org/abs/2611.05555" in body


def test_old_style_pdf_without_a_title_offers_no_file_name_as_title(e2e: E2E) -> None:
    """A PDF with no Title metadata: Chromium's viewer shows the URL's file name ("9901001v2"
    for hep-th/9901001v2). That is no title: the field stays empty, so the server completes the
    paper from arXiv instead of listing it as "9901001v2"."""
    url = "http://arxiv.org/pdf/hep-th/9901001v2"
    _page, tab = e2e.open_tab(url)
    wait_until(
        lambda: (
            e2e.worker.evaluate(
                "(id) => chrome.tabs.get(id).then((t) => t.status === 'complete' && t.title)", tab
            )
            == "9901001v2"
        ),
        what="the PDF viewer to show the file name as the tab's title",
    )
    popup = e2e.popup(tab)
    assert "arXiv:hep-th/9901001v2" in popup.locator("#meta").inner_text()
    assert popup.get_by_label("Title").input_value() == ""


def test_a_read_only_list_is_marked_and_never_preselected(e2e: E2E) -> None:
    """A second list the curator made read-only (chmod 0444), sorted first: the popup still shows
    it, marked "(read-only)" and not selectable. With no suggestion (a PDF without a title) and
    no last-used place the writable list is preselected; a last-used place in the read-only list
    is not preselected either. Forced into it anyway, Save says at once why not, sending nothing;
    with every list read-only, Save is off."""
    archive = e2e.list_file.parent / "archive.md"
    archive.write_text("# Archive\n\n## Old\n", encoding="utf-8")
    archive.chmod(0o444)
    last = (e2e.stored("lastList") or "", e2e.stored("lastSection") or "")
    mode = e2e.list_file.stat().st_mode & 0o7777
    _page, tab = e2e.open_tab("http://arxiv.org/pdf/hep-th/9901001v2")
    try:
        e2e.storage(lastList="", lastSection="")
        popup = e2e.popup(tab)
        assert status_of(popup, "ready")
        assert popup.locator("#why").inner_text() == ""
        assert popup.get_by_label("List").input_value() == "papers.md"
        assert popup.get_by_label("Section").input_value() == "Awesome Efficient NLP"  # its first
        marked = popup.locator('#list option[value="archive.md"]')
        assert marked.inner_text() == "Archive (archive.md) (read-only)"
        assert marked.is_disabled()
        assert popup.locator('#list option[value="papers.md"]').is_enabled()
        assert popup.get_by_role("button", name="Save").is_enabled()
        # The last place used is in the read-only list: the writable one is still preselected.
        e2e.storage(lastList="archive.md", lastSection="Archive > Old")
        again = e2e.popup(tab)
        assert again.get_by_label("List").input_value() == "papers.md"
        # Forced into it (by a script; the picker does not offer it): said at once, not sent.
        before, queue = archive.read_bytes(), e2e.stored("queue")
        again.evaluate(
            """() => { const l = document.getElementById("list"); l.value = "archive.md";
                       l.dispatchEvent(new Event("change")); }"""
        )
        again.get_by_role("button", name="Save").click()
        said = status_of(again, "error")
        assert said == (
            "Not saved: archive.md is read-only; papershelf does not write it "
            "(chmod u+w archive.md lets it). Pick another list."
        ), said
        assert archive.read_bytes() == before and e2e.stored("queue") == queue
        # Every list read-only: nothing is picked, Save is off, and the status line says why.
        e2e.list_file.chmod(0o444)
        none = e2e.popup(tab)
        assert status_of(none, "error").startswith("Every list is read-only: papershelf writes")
        assert none.get_by_label("List").input_value() == ""
        assert none.get_by_role("button", name="Save").is_disabled()
    finally:
        e2e.list_file.chmod(mode)
        e2e.storage(lastList=last[0], lastSection=last[1])
        archive.unlink()


def test_pdf_clip_without_title_is_completed_or_queued_by_the_server(e2e: E2E) -> None:
    """A bare id: the server completes it from arXiv; arXiv is unreachable in tests, so it queues
    it (202) and the popup says so, then and on the next visit."""
    _page, tab = e2e.open_tab("http://arxiv.org/pdf/2612.07777")
    popup = e2e.popup(tab)
    popup.get_by_label("Title").fill("")
    popup.get_by_label("Section").select_option(ROBUSTNESS)
    popup.get_by_role("button", name="Save").click()
    said = status_of(popup, "queued")
    assert said.startswith(
        f"Queued by the server for papers.md › {ROBUSTNESS_SHOWN}: it is added when arXiv"
    )
    again = e2e.popup(tab)
    assert status_of(again, "queued").startswith(
        f"Queued by the server for papers.md › {ROBUSTNESS_SHOWN}"
    )
    assert "2612.07777" not in e2e.text()


def test_suggested_section_is_preselected(e2e: E2E) -> None:
    # A paper no list has yet (the queue test adds it later), so nothing outranks the suggestion.
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377v1")
    popup = e2e.popup(tab)
    # Ask the server what the popup asked: the extracted title and abstract (api.js cuts at 3000).
    html = (EXT_FIXTURES / "abs_2005.01377v1_2020.html").read_text("utf-8")
    paper = popup.evaluate(
        """([html, url]) => PapershelfExtract.extractPaper(
               new DOMParser().parseFromString(html, "text/html"), url)""",
        [html, "http://arxiv.org/abs/2005.01377v1"],
    )
    query = urllib.parse.urlencode({"title": paper["title"], "abstract": paper["abstract"][:3000]})
    request = urllib.request.Request(
        f"{e2e.server.base}/api/suggest?{query}", headers={"X-Papershelf-Token": e2e.token}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            pytest.skip("the server has no GET /api/suggest yet (feeds work)")
        raise
    suggestions = answer if isinstance(answer, list) else answer.get("suggestions", [])
    if not suggestions:
        pytest.skip("the server suggests nothing for this paper")
    top = suggestions[0]
    assert popup.get_by_label("List").input_value() == top["list"]
    selected = popup.get_by_label("Section").input_value()
    assert selected == top["section"] or selected.endswith(f" > {top['section']}")
    assert popup.locator("#why").inner_text().startswith("Suggested")


def test_suggested_hint_follows_the_choice(e2e: E2E) -> None:
    """The "Suggested: …" hint describes the place picked: once the user picks another section
    (or list) it goes, and it comes back with the suggested place."""
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377v1")
    popup = e2e.popup(tab)
    why = popup.locator("#why")
    if not why.inner_text().startswith("Suggested"):
        pytest.skip("the server suggests nothing for this paper")
    suggested = popup.get_by_label("Section").input_value()
    other = PRETRAINING if suggested != PRETRAINING else ROBUSTNESS
    popup.get_by_label("Section").select_option(other)
    popup.wait_for_selector("#why:empty", state="attached", timeout=5_000)
    popup.get_by_label("Section").select_option(suggested)
    popup.wait_for_selector("#why:not(:empty)", timeout=5_000)
    assert why.inner_text().startswith("Suggested")
    # Another list (as if the workspace had two): the hint is not about it.
    popup.evaluate(
        """() => { const l = document.getElementById("list");
                   l.add(new Option("other.md", "other.md")); l.value = "other.md";
                   l.dispatchEvent(new Event("change")); }"""
    )
    popup.wait_for_selector("#why:empty", state="attached", timeout=5_000)


def test_duplicate_is_reported_and_the_list_is_untouched(e2e: E2E) -> None:
    before = e2e.list_file.read_bytes()
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2107.11873v1")
    popup = e2e.popup(tab)
    expected = f"Already listed in papers.md › {ROBUSTNESS_SHOWN} (line "
    assert status_of(popup, "exists").startswith(expected)
    e2e.shot(popup, "extension-already-listed.png")
    # Preselected where it already is; saving again says so too (the server's 200 "exists").
    assert popup.get_by_label("Section").input_value() == ROBUSTNESS
    popup.get_by_label("Section").select_option(PRETRAINING)
    popup.get_by_role("button", name="Save").click()
    popup.wait_for_selector("body[data-saved=exists]", timeout=20_000)
    assert popup.get_by_role("status").inner_text().startswith(expected)
    assert e2e.list_file.read_bytes() == before


TOPICS = """# Topics

## Scaling

### Other

- [Scaling Laws for Neural Language Models](https://arxiv.org/abs/2001.08361), Jan. 23 2020.

## MoE

### Other

- [Switch Transformers](https://arxiv.org/abs/2101.03961), Jan. 11 2021.
"""

#: Wraps the service worker's fetch so that POST /api/papers answers carry `left_out`, as the
#: style engine's answers do when a list has no place for a field (the server's own end-to-end
#: test covers the engine; this one covers what the popup makes of the answer).
LEFT_OUT_FETCH = """() => {
  const real = globalThis.__papershelfRealFetch || globalThis.fetch;
  globalThis.__papershelfRealFetch = real;
  globalThis.fetch = async (url, init) => {
    const answer = await real(url, init);
    if (!String(url).endsWith("/api/papers") || !init || init.method !== "POST") return answer;
    const data = await answer.clone().json();
    return new Response(JSON.stringify({ ...data, left_out: ["tags"] }),
                        { status: answer.status, headers: answer.headers });
  };
}"""


@pytest.fixture
def topics(e2e: E2E) -> Iterator[Path]:
    """A second list with two sections called "Other", for the duration of one test."""
    path = e2e.list_file.parent / "topics.md"
    path.write_text(TOPICS, encoding="utf-8")
    try:
        yield path
    finally:
        path.unlink()
        e2e.storage(cachedLists=[])


def test_sections_are_named_by_their_path_in_the_picker_and_the_hint(
    e2e: E2E, topics: Path
) -> None:
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377v1")
    popup = e2e.popup(tab)
    popup.get_by_label("List").select_option("topics.md")
    options = popup.locator("#section option")
    # The title heading is a place too (entries right under it), named as the list names it.
    assert options.all_inner_texts() == [
        "Topics",
        "Scaling",
        "Scaling > Other",
        "MoE",
        "MoE > Other",
    ]
    assert [o.get_attribute("value") for o in options.all()] == [
        "Topics",
        "Topics > Scaling",
        "Topics > Scaling > Other",
        "Topics > MoE",
        "Topics > MoE > Other",
    ]
    popup.get_by_label("Section").select_option("Topics > MoE > Other")
    # The collapsed picker shows the selected option: its path, not a bare "Other".
    shown = popup.locator("#section").evaluate("(s) => s.options[s.selectedIndex].text")
    assert shown == "MoE > Other"
    # A suggestion's hint names the section the way the picker does.
    fresh = e2e.popup(tab)
    fresh.wait_for_selector("#why:not(:empty)", timeout=10_000)
    picked = fresh.locator("#section").evaluate("(s) => s.options[s.selectedIndex].text")
    assert fresh.locator("#why").inner_text().startswith(f"Suggested: {picked} (")
    assert not picked.startswith(("Awesome Efficient NLP >", "Topics >"))


def test_add_here_too_files_a_listed_paper_in_a_second_list_and_says_what_was_left_out(
    e2e: E2E, topics: Path
) -> None:
    before = e2e.list_file.read_bytes()
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2107.11873v1")  # listed in papers.md
    popup = e2e.popup(tab)
    said = status_of(popup, "exists")
    assert said.startswith(f"Already listed in papers.md › {ROBUSTNESS_SHOWN} (line ")
    assert said.endswith("To file it in another list as well, pick it and press Add here too.")
    also = popup.get_by_role("button", name="Add here too")
    assert not also.is_visible()  # the list it is in is picked
    popup.get_by_label("List").select_option("topics.md")
    popup.get_by_label("Section").select_option("Topics > MoE > Other")
    assert also.is_visible()
    # Save alone still files it once: the answer says where it is and offers the button.
    popup.get_by_role("button", name="Save").click()
    popup.wait_for_selector("body[data-saved=exists]", timeout=20_000)
    assert (
        popup.get_by_role("status")
        .inner_text()
        .endswith("Add here too files it in topics.md as well.")
    )
    popup.get_by_label("Tags").fill("heat, galerkin")
    e2e.worker.evaluate(LEFT_OUT_FETCH)
    try:
        also.click()
        said = status_of(popup, "saved")
    finally:
        e2e.worker.evaluate(
            "() => { if (globalThis.__papershelfRealFetch) globalThis.fetch = globalThis.__papershelfRealFetch; }"
        )
    assert said.startswith("Saved to topics.md › MoE > Other (line ")
    assert said.endswith(". Tags not written: topics.md shows no tags.")
    assert not also.is_visible()  # now it is in this list too
    moe = topics.read_text(encoding="utf-8").split("## MoE", 1)[1]
    assert "arxiv.org/abs/2107.11873" in moe
    assert e2e.list_file.read_bytes() == before


def test_not_paired_and_wrong_token_are_said(e2e: E2E) -> None:
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377v1")
    try:
        e2e.storage(token="")
        popup = e2e.popup(tab)
        assert status_of(popup, "unpaired").startswith("Not paired: no token is set.")
        e2e.storage(token="not-the-token")
        popup = e2e.popup(tab)
        assert status_of(popup, "unpaired").startswith("Not paired: the server refused the token")
    finally:
        e2e.storage(token=e2e.token)


def test_token_pasted_with_quotes_is_not_taken_for_an_offline_server(e2e: E2E) -> None:
    """A token pasted with typographic quotes (from a chat or a document) cannot be sent in a
    header at all: that is a pairing problem, not "Server offline", and a Save is not queued for
    ever."""
    quoted = f"“{e2e.token}”"
    page = e2e.context.new_page()
    page.goto(f"chrome-extension://{e2e.ext_id}/options.html")
    page.get_by_label("Token").fill(quoted)
    page.get_by_role("button", name="Test connection").click()
    assert status_of(page, "unpaired").startswith("Not paired: the token has")
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377v1")
    try:
        # The lists seen before the bad paste stay selectable (as when offline).
        section = {"path": PRETRAINING, "title": "Pretraining", "level": 2, "entries": 1}
        e2e.storage(token=quoted, cachedLists=[{"path": "papers.md", "sections": [section]}])
        popup = e2e.popup(tab)
        assert status_of(popup, "unpaired").startswith("Not paired: the token has")
        popup.get_by_role("button", name="Save").click()
        popup.wait_for_selector("body[data-saved=unpaired]", timeout=20_000)
        assert e2e.stored("queue") in (None, [])
    finally:
        e2e.storage(token=e2e.token)


def test_options_page_pairs_and_tests_the_connection(e2e: E2E) -> None:
    page = e2e.context.new_page()
    page.goto(f"chrome-extension://{e2e.ext_id}/options.html")
    assert page.get_by_label("Server URL").input_value() == e2e.server.base
    page.get_by_label("Token").fill("wrong")
    page.get_by_role("button", name="Test connection").click()
    assert status_of(page, "unpaired").startswith("Not paired")
    page.get_by_label("Token").fill(e2e.token)
    page.get_by_role("button", name="Test connection").click()
    assert status_of(page, "connected") == (
        "Connected: papershelf 0.1.0 (API 1), token accepted, 1 list(s)."
    )
    e2e.shot(page, "extension-options.png", width=640, height=420)
    page.get_by_label("Server URL").fill("http://example.org:8765")
    page.get_by_role("button", name="Save").click()
    assert "must be local" in status_of(page, "error")
    assert e2e.stored("serverUrl") == e2e.server.base
    # `localhost` is the same server; it is kept as 127.0.0.1, the one host the extension may reach.
    page.get_by_label("Server URL").fill(f"http://localhost:{e2e.server.port}")
    page.get_by_role("button", name="Save").click()
    assert status_of(page, "saved") == "Saved."
    assert page.get_by_label("Server URL").input_value() == e2e.server.base
    assert e2e.stored("serverUrl") == e2e.server.base
    assert e2e.stored("token") == e2e.token


def test_options_server_url_mistakes_are_said_in_one_line(e2e: E2E) -> None:
    """What people type for the server: without the scheme it is still the local server; the
    IPv6 loopback and a URL with no port are said in the status line, never only by the
    browser's own URL check; each is one line, and nothing wrong is stored."""
    from playwright.sync_api import expect

    page = e2e.context.new_page()
    page.goto(f"chrome-extension://{e2e.ext_id}/options.html")
    status = page.get_by_role("status")
    port = e2e.server.port

    def save(url: str) -> str:
        page.evaluate("() => { const s = document.getElementById('status'); s.textContent = ''; }")
        page.get_by_label("Server URL").fill(url)
        page.get_by_role("button", name="Save").click()
        expect(status).not_to_have_text("", timeout=20_000)
        said = status.inner_text()
        assert "\n" not in said, said
        return said

    try:
        for typed in (f"localhost:{port}", f"127.0.0.1:{port}"):
            assert save(typed) == "Saved.", typed
            assert page.get_by_label("Server URL").input_value() == e2e.server.base
            assert e2e.stored("serverUrl") == e2e.server.base
        said = save(f"http://[::1]:{port}")
        assert status.get_attribute("data-state") == "error"
        assert "[::1]" in said and f"http://127.0.0.1:{port}" in said, said
        assert "must be local" not in said, said
        said = save("http://127.0.0.1")
        assert status.get_attribute("data-state") == "error"
        assert "port" in said and "8765" in said, said
        assert e2e.stored("serverUrl") == e2e.server.base
    finally:
        e2e.storage(serverUrl=e2e.server.base)
        page.close()


@contextlib.contextmanager
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


def test_options_connection_test_says_which_part_fails(e2e: E2E) -> None:
    """lib/api.js's typed offline errors, through the options page: nothing listens; something
    listens and never answers (the timeout); something answers that is not papershelf."""
    from playwright.sync_api import expect

    page = e2e.context.new_page()
    page.goto(f"chrome-extension://{e2e.ext_id}/options.html")
    status = page.get_by_role("status")
    test = page.get_by_role("button", name="Test connection")
    closed = free_port()
    page.get_by_label("Server URL").fill(f"http://127.0.0.1:{closed}")
    test.click()
    expect(status).to_have_text(
        f"Server offline: nothing answers at http://127.0.0.1:{closed} (connection failed).",
        timeout=20_000,
    )
    assert status.get_attribute("data-state") == "offline"
    with silent_port() as port:
        page.get_by_label("Server URL").fill(f"http://127.0.0.1:{port}")
        started = time.monotonic()
        test.click()
        expect(status).to_have_text(
            f"Server offline: nothing answers at http://127.0.0.1:{port} (no answer within 3 s).",
            timeout=20_000,
        )
        assert time.monotonic() - started >= 2.5  # the ping's timeout, not an instant failure
    page.get_by_label("Server URL").fill(f"http://127.0.0.1:{e2e.arxiv_port}")
    test.click()
    expect(status).to_have_text(
        re.compile(rf"^Something answers at http://127\.0\.0\.1:{e2e.arxiv_port}, but it is not "),
        timeout=20_000,
    )
    assert status.get_attribute("data-state") == "offline"
    # Nothing of this was saved: the stored settings are still the working ones.
    assert e2e.stored("serverUrl") == e2e.server.base


@contextlib.contextmanager
def answering(routes: dict[str, tuple[int, dict]]) -> Iterator[int]:
    """A stand-in server on 127.0.0.1 answering each path with (status, JSON body); the port."""
    import http.server
    import threading

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            status, body = routes.get(self.path.split("?", 1)[0], (404, {"ok": False}))
            data = json.dumps(body).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin") or "*")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_the_extension_checks_the_api_version_and_reads_the_error_shape(e2e: E2E) -> None:
    """GET /api/ping's `api` is checked: a papershelf speaking another version is said, with
    which side to update. A 403 in the error shape (a refused Origin) is the server's error,
    not "not paired"; an error answer in another shape is not papershelf."""
    from playwright.sync_api import expect

    page = e2e.context.new_page()
    page.goto(f"chrome-extension://{e2e.ext_id}/options.html")
    status = page.get_by_role("status")
    ping = {"ok": True, "app": "papershelf", "version": "9.0.0"}
    lists = {"ok": True, "lists": []}
    refused = {"ok": False, "error": "This origin may not call papershelf.", "fields": {}}
    cases: list[tuple[dict[str, tuple[int, dict[str, Any]]], str, str]] = [
        (
            {"/api/ping": (200, {**ping, "api": 2}), "/api/lists": (200, lists)},
            "error",
            "papershelf 9.0.0 speaks API 2; this extension speaks API 1: update the extension.",
        ),
        (
            {"/api/ping": (200, {**ping, "api": 0}), "/api/lists": (200, lists)},
            "error",
            "papershelf 9.0.0 speaks API 0; this extension speaks API 1: update papershelf "
            "(pip install -U papershelf).",
        ),
        (
            {"/api/ping": (200, {**ping, "api": 1}), "/api/lists": (403, refused)},
            "error",
            "Server error: This origin may not call papershelf.",
        ),
        (
            {"/api/ping": (200, {**ping, "api": 1}), "/api/lists": (500, {"detail": "boom"})},
            "offline",
            "Something answers at http://127.0.0.1:{port}, but it is not papershelf (HTTP 500).",
        ),
    ]
    try:
        for routes, state, said in cases:
            with answering(routes) as port:
                page.get_by_label("Server URL").fill(f"http://127.0.0.1:{port}")
                page.get_by_label("Token").fill(e2e.token)
                page.get_by_role("button", name="Test connection").click()
                expect(status).to_have_text(said.format(port=port), timeout=20_000)
                assert status.get_attribute("data-state") == state
        assert e2e.stored("serverUrl") == e2e.server.base  # a test saves nothing
    finally:
        page.close()


def test_refused_clip_is_said_with_the_servers_error(e2e: E2E) -> None:
    """An ApiError (4xx with the error shape) is said in the popup as "Not saved: ..." and is not
    queued; the list is untouched."""
    before = e2e.list_file.read_bytes()
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377")
    popup = e2e.popup(tab)
    assert status_of(popup, "ready")
    # A section the list does not have (as if it was removed since the popup opened).
    popup.evaluate(
        """() => { const s = document.getElementById("section");
                   s.add(new Option("Gone", "Awesome Efficient NLP > Gone")); s.value = s.options[s.options.length - 1].value; }"""
    )
    popup.get_by_role("button", name="Save").click()
    said = status_of(popup, "error")
    assert said.startswith("Not saved: "), said
    assert "section" in said.lower(), said
    assert e2e.stored("queue") in (None, [])
    assert e2e.list_file.read_bytes() == before
    reply = popup.evaluate(
        """() => chrome.runtime.sendMessage({type: "papershelf:save", list: "papers.md",
                 section: "Awesome Efficient NLP > Gone",
                 paper: {url: "https://arxiv.org/abs/2005.01377", title: "x"}})"""
    )
    assert reply["ok"] is False
    assert reply["error"]["kind"] == "api" and 400 <= reply["error"]["status"] < 500, reply


def test_messages_say_each_thing_once(e2e: E2E) -> None:
    """The server's error is one readable sentence that already names the field and the closest
    section; api.js's "no token" already says where the token comes from. The popup says each
    once: no "(section: …; closest: …)" after it, no second advice after the first."""
    from playwright.sync_api import expect

    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377")
    popup = e2e.popup(tab)
    assert status_of(popup, "ready")
    popup.evaluate(
        """() => { const s = document.getElementById("section");
                   s.add(new Option("Pretrainin", "Awesome Efficient NLP > Pretrainin"));
                   s.value = "Awesome Efficient NLP > Pretrainin"; }"""
    )
    popup.get_by_role("button", name="Save").click()
    said = status_of(popup, "error")
    assert said.startswith("Not saved: No section"), said
    assert said.count("Pretrainin'") == 1 and said.count(PRETRAINING) == 1, said
    assert "(section:" not in said and said.count("losest") == 1, said
    popup.get_by_label("Section").select_option(PRETRAINING)
    popup.get_by_label("Title").fill("x" * 1001)
    popup.get_by_role("button", name="Save").click()
    # The first error's state is still on the page until this answer replaces it: wait for the
    # answer's own words, not for the state.
    status = popup.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^Not saved: Invalid clip: title: "), timeout=20_000)
    said = status.inner_text()
    assert said.count("Length must be") == 1, said
    try:
        e2e.storage(token="")
        popup = e2e.popup(tab)
        said = status_of(popup, "unpaired")
        assert said.startswith("Not paired: no token is set."), said
        assert said.count("papershelf token") == 1 and said.count("aste") == 1, said
        e2e.storage(token="not-the-token")
        popup = e2e.popup(tab)
        said = status_of(popup, "unpaired")
        assert said.startswith("Not paired: the server refused the token"), said
        assert said.count("papershelf token") == 1, said  # the advice, once
    finally:
        e2e.storage(token=e2e.token)
    assert "x" * 1001 not in e2e.text()


def test_context_menu_clips_a_link_without_opening_it(e2e: E2E) -> None:
    """The menu item is registered (for arXiv links only); its handler, reached by message since
    a headless browser has no context menu to click, sends a bare id to the last list and
    section used; arXiv being unreachable from the server in tests, the server queues it (202)
    and the tab's badge says so."""
    exists = e2e.worker.evaluate(
        "(id) => chrome.contextMenus.update(id, {}).then(() => true, () => false)", MENU_ID
    )
    assert exists, "the context menu item is not registered"
    page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377")
    e2e.storage(lastList="papers.md", lastSection=ROBUSTNESS)
    options = e2e.context.new_page()
    options.goto(f"chrome-extension://{e2e.ext_id}/options.html")

    def clip(url: str) -> dict[str, Any]:
        return options.evaluate(
            """([url, tabId]) => chrome.runtime.sendMessage({type: "papershelf:clip-link", url,
                                                              tabId})""",
            [url, tab],
        )

    reply = clip("https://arxiv.org/abs/2609.00042v1")
    assert reply["ok"], reply
    assert reply["data"]["status"] == "queued" and not reply["data"].get("offline"), reply
    assert (reply["data"]["list"], reply["data"]["section"]) == ("papers.md", ROBUSTNESS)
    assert e2e.badge(tab) == ("…", f"papershelf: queued for papers.md › {ROBUSTNESS_SHOWN}")
    # Not an arXiv paper link: refused with a typed error, nothing sent.
    refused = clip("https://example.org/abs/2609.00042")
    assert refused["ok"] is False and refused["error"]["kind"] == "api", refused
    # No list chosen yet: it says how to choose one.
    e2e.storage(lastList="", lastSection="")
    try:
        unset = clip("https://arxiv.org/pdf/2609.00043")
        assert unset["ok"] is False and "Open papershelf once" in unset["error"]["message"]
        assert e2e.badge(tab)[0] == "!"
    finally:
        e2e.storage(lastList="papers.md", lastSection=ROBUSTNESS)
    page.close()


def test_offline_before_any_list_was_seen_promises_no_queue(e2e: E2E) -> None:
    """First use with the server down: no lists known, so Save is off; the status line must not
    say that a clip saved now is queued."""
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377")
    e2e.storage(cachedLists=[])
    e2e.server.stop()
    try:
        popup = e2e.popup(tab)
        said = status_of(popup, "offline")
        assert said.startswith("Server offline: nothing answers at"), said
        assert popup.get_by_role("button", name="Save").is_disabled()
        assert "queued" not in said, said
    finally:
        e2e.server.start()


def test_queued_clip_the_server_refuses_later_is_said(e2e: E2E) -> None:
    """Queued while the server was down, then refused when it is back (its section is gone):
    the badge stops saying "queued" and the popup says it was not saved, and why."""
    _page, tab = e2e.open_tab("http://arxiv.org/pdf/2612.01010v1")
    popup = e2e.popup(tab)
    assert status_of(popup, "ready")
    popup.get_by_label("Title").fill("Refused Later")
    popup.evaluate(
        """() => { const s = document.getElementById("section");
                   s.add(new Option("Gone", "Awesome Efficient NLP > Gone"));
                   s.value = "Awesome Efficient NLP > Gone"; }"""
    )
    e2e.server.stop()
    try:
        popup.get_by_role("button", name="Save").click()
        assert status_of(popup, "queued").startswith("Queued: the server is offline")
        assert e2e.badge(tab)[0] == "…"
    finally:
        e2e.server.start()
    text, title = wait_until(
        lambda: (b := e2e.badge(tab))[0] == "!" and b, timeout_seconds=60, what="the refused badge"
    )
    assert "No section" in title, title
    again = e2e.popup(tab)
    said = status_of(again, "error")
    assert said.startswith(
        "Not saved: the clip queued for papers.md › Awesome Efficient NLP > Gone was refused: "
    ), said
    assert "No section" in said
    assert "Refused Later" not in e2e.text()


def test_clip_while_the_server_is_down_is_queued_then_delivered(e2e: E2E) -> None:
    _page, tab = e2e.open_tab("http://arxiv.org/abs/2005.01377")
    popup = e2e.popup(tab)
    assert status_of(popup, "ready")
    e2e.server.stop()
    try:
        popup.get_by_label("Section").select_option(PRETRAINING)
        popup.get_by_role("button", name="Save").click()
        said = status_of(popup, "queued")
        assert said.startswith("Queued: the server is offline")
        e2e.shot(popup, "extension-queued.png")
        queue = e2e.stored("queue")
        assert [q["paper"]["arxiv_id"] for q in queue] == ["2005.01377v1"]
        assert e2e.worker.evaluate("() => chrome.alarms.get('papershelf-retry')") is not None
        assert e2e.badge(tab)[0] == "…"
        # A popup opened now says the server is offline, and still offers the cached lists.
        again = e2e.popup(tab)
        assert status_of(again, "offline").startswith("Server offline: nothing answers at")
        assert again.get_by_label("List").input_value() == "papers.md"
        assert "Tidal Batching" not in e2e.text()
        # MV3 stops an idle service worker: whatever it held in globals is gone. The queue must
        # not depend on it.
        e2e.worker.evaluate("() => { globalThis.__papershelfTestMarker = 1; }")
        e2e.stop_worker()
    finally:
        e2e.server.start()
    # Nobody clicks anything: the alarm wakes a fresh worker, which re-sends the clip.
    wait_until(lambda: "Tidal Batching" in e2e.text(), timeout_seconds=90, what="the queued clip")
    assert e2e.worker.evaluate("() => globalThis.__papershelfTestMarker") is None
    assert "Tidal Batching: Variance-Aware Batch Sizes for Federated Speech Recognition" in (
        section_body(e2e.text(), "Pretraining")
    )
    wait_until(lambda: e2e.stored("queue") == [], what="an empty queue")
    delivered = e2e.stored("delivered")
    assert delivered[0]["status"] == "added" and delivered[0]["section"] == PRETRAINING
