"""The extension's manifest, files and lint: least privilege, no remote code, loadable by
Chromium without errors or warnings, and `web-ext lint` clean for the Firefox build."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import struct
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import chromium_available
from extension_harness import (
    EXT_FIXTURES,
    EXTENSION_DIR,
    chromium_path,
    extension_args,
    fixture_server,
)

MANIFEST = EXTENSION_DIR / "manifest.json"
FIREFOX = Path("/usr/bin/firefox-esr")  # Debian's Firefox ESR; .ci/run installs it
#: Firefox reaches nothing: every HTTP(S) request goes to a closed local port, every name is
#: 127.0.0.1, no DNS over HTTPS.
FIREFOX_OFFLINE_PREFS = [
    "network.proxy.type=1",
    "network.proxy.http=127.0.0.1",
    "network.proxy.http_port=9",
    "network.proxy.ssl=127.0.0.1",
    "network.proxy.ssl_port=9",
    "network.proxy.share_proxy_settings=true",
    "network.trr.mode=5",
    "network.dns.forceResolve=127.0.0.1",
    "network.dns.disablePrefetch=true",
]
NODE_MODULES = EXTENSION_DIR / "node_modules"
WEB_EXT = NODE_MODULES / ".bin" / "web-ext"
SHIPPED_JS = sorted(
    p
    for p in EXTENSION_DIR.rglob("*.js")
    if not {"node_modules", "dist", "tools"} & set(p.relative_to(EXTENSION_DIR).parts)
)


def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text("utf-8"))


def test_manifest_v3_for_chrome_and_firefox() -> None:
    m = manifest()
    assert m["manifest_version"] == 3
    assert m["name"] == "papershelf" and re.fullmatch(r"\d+\.\d+\.\d+", m["version"])
    # Chrome runs the module service worker and ignores `scripts`; Firefox runs `scripts`.
    assert m["background"] == {
        "service_worker": "background.js",
        "scripts": ["background.js"],
        "type": "module",
    }
    gecko = m["browser_specific_settings"]["gecko"]
    assert gecko["id"].endswith("@papershelf.invalid") and gecko["strict_min_version"]
    assert m["action"]["default_popup"] == "popup.html"
    assert m["options_ui"]["page"] == "options.html"
    # The keyboard shortcut that opens the popup (docs/extension.md says how to change it).
    shortcut = m["commands"]["_execute_action"]
    assert shortcut["suggested_key"] == {"default": "Alt+Shift+P", "mac": "Alt+Shift+P"}
    assert shortcut["description"]


def test_least_privilege() -> None:
    m = manifest()
    assert sorted(m["permissions"]) == sorted(
        ["activeTab", "scripting", "storage", "contextMenus", "alarms"]
    )
    # The server on 127.0.0.1 and arXiv's pages, nothing else (a `localhost` server URL is
    # rewritten to 127.0.0.1 by lib/settings.js).
    assert sorted(m["host_permissions"]) == sorted(
        ["http://127.0.0.1/*", "*://arxiv.org/*", "*://www.arxiv.org/*"]
    )
    assert "optional_permissions" not in m and "externally_connectable" not in m
    assert "web_accessible_resources" not in m
    (script,) = m["content_scripts"]
    assert all(
        re.fullmatch(r"\*://(www\.)?arxiv\.org/(abs|html|pdf)/\*", u) for u in script["matches"]
    )
    assert script["js"] == ["lib/extract-fields.js", "lib/extract.js", "content.js"]
    # The default MV3 policy (no remote or inline script, no eval) is not loosened.
    assert "content_security_policy" not in m


def test_every_referenced_file_exists_and_icons_are_pngs_of_their_size() -> None:
    m = manifest()
    files = [m["background"]["service_worker"], *m["background"]["scripts"]]
    files += [m["action"]["default_popup"], m["options_ui"]["page"]]
    files += m["content_scripts"][0]["js"]
    for path in files:
        assert (EXTENSION_DIR / path).is_file(), path
    icons = {**m["icons"], **m["action"]["default_icon"]}
    for size, path in icons.items():
        data = (EXTENSION_DIR / path).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", path
        width, height = struct.unpack(">II", data[16:24])
        assert width == height == int(size), path


def test_no_remote_code() -> None:
    for page in EXTENSION_DIR.glob("*.html"):
        text = page.read_text("utf-8")
        for src in re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", text):
            assert not re.match(r"(https?:)?//", src), f"{page.name}: remote script {src}"
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", text), (
            f"{page.name}: inline script"
        )
        assert not re.search(r"\son[a-z]+=", text), f"{page.name}: inline event handler"
    for script in SHIPPED_JS:
        text = script.read_text("utf-8")
        assert not re.search(r"\beval\(|new Function\(|importScripts\(", text), script.name
        for target in re.findall(
            r"\bimport\s[^;]*?from\s+\"([^\"]+)\"|\bimport\s+\"([^\"]+)\"", text
        ):
            spec = target[0] or target[1]
            assert spec.startswith("./"), f"{script.name} imports {spec}"


def test_one_module_talks_to_the_server() -> None:
    """zotero-connectors' rule: only lib/api.js calls fetch."""
    callers = [
        p.relative_to(EXTENSION_DIR).as_posix()
        for p in SHIPPED_JS
        if "fetch(" in p.read_text("utf-8")
    ]
    assert callers == ["lib/api.js"]
    api = (EXTENSION_DIR / "lib" / "api.js").read_text("utf-8")
    assert "X-Papershelf-Token" in api and "AbortController" in api
    for kind in ("OfflineError", "NotPairedError", "ApiError"):
        assert f"class {kind}" in api


def test_service_worker_keeps_no_state_in_globals() -> None:
    """Top-level `let`/`var` in the service worker would be lost when it stops; only consts."""
    for name in ("background.js", "lib/api.js", "lib/queue.js", "lib/settings.js"):
        text = (EXTENSION_DIR / name).read_text("utf-8")
        assert not re.search(r"^(let|var)\s", text, re.M), name


def _lint(source_dir: Path) -> dict[str, Any]:
    result = subprocess.run(
        [str(WEB_EXT), "lint", "--source-dir", str(source_dir), "--output", "json", "--no-input"],
        cwd=EXTENSION_DIR,
        capture_output=True,
        text=True,
        timeout=180,
    )
    start = result.stdout.find("{")
    assert start >= 0, result.stdout + result.stderr
    return json.loads(result.stdout[start:])


@pytest.mark.slow
def test_web_ext_lint_clean() -> None:
    if not WEB_EXT.exists():
        pytest.skip("web-ext is not installed: run `npm ci` (or `npm install`) in extension/")
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    with tempfile.TemporaryDirectory() as tmp:
        build = subprocess.run(
            [node, str(EXTENSION_DIR / "tools" / "build-firefox.mjs")],
            cwd=EXTENSION_DIR,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert build.returncode == 0, build.stderr
        firefox = EXTENSION_DIR / "dist" / "firefox"
        report = _lint(firefox)
        assert report["summary"] == {"errors": 0, "notices": 0, "warnings": 0}, report
        built = json.loads((firefox / "manifest.json").read_text("utf-8"))
        assert built["background"] == {"scripts": ["background.js"], "type": "module"}
        # The source manifest differs only by the service worker key, which Firefox ignores.
        clean_source = Path(tmp) / "source"
        shutil.copytree(
            EXTENSION_DIR,
            clean_source,
            ignore=shutil.ignore_patterns("node_modules", "dist", "tools", "package*.json"),
        )
        source = _lint(clean_source)
        assert source["summary"]["errors"] == 0, source
        assert [w["code"] for w in source["warnings"]] in ([], ["MANIFEST_FIELD_UNSUPPORTED"]), (
            source
        )


@pytest.mark.browser
@pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium and Playwright")
def test_chromium_loads_it_without_errors_or_warnings(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with fixture_server() as port, sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium_path(),
            headless=False,  # --headless=new is in the args: the old headless mode has no extensions
            args=extension_args(port),
        )
        try:
            worker = (
                context.service_workers[0]
                if context.service_workers
                else context.wait_for_event("serviceworker", timeout=15_000)
            )
            assert worker.url.endswith("/background.js")
            page = context.new_page()
            page.goto("chrome://extensions")
            infos = page.evaluate(
                "chrome.developerPrivate.getExtensionsInfo({includeDisabled: true})"
            )
            (ours,) = [i for i in infos if i["name"] == "papershelf"]
            assert ours["state"] == "ENABLED"
            assert ours["manifestErrors"] == [] and ours["installWarnings"] == []
            assert ours["runtimeErrors"] == []
            # The shortcut's command is registered (Chromium may leave the key itself for the
            # user to confirm at chrome://extensions/shortcuts when it loads from the command line).
            commands = worker.evaluate("() => chrome.commands.getAll()")
            assert [c["name"] for c in commands] == ["_execute_action"], commands
        finally:
            context.close()


def _firefox_installs(source_dir: Path, tmp: Path, timeout: float = 90.0) -> str:
    """Run `web-ext run` on `source_dir` in headless Firefox ESR until Firefox reports the
    temporary add-on installed (it refuses a manifest it cannot load); returns the output."""
    prefs = [arg for pref in FIREFOX_OFFLINE_PREFS for arg in ("--pref", pref)]
    command = [str(WEB_EXT), "run", "--source-dir", str(source_dir), "--firefox", str(FIREFOX)]
    command += ["--no-input", "--no-reload", "--verbose", *prefs]
    env = {**os.environ, "MOZ_HEADLESS": "1", "TMPDIR": str(tmp)}  # the profile goes to tmp
    proc = subprocess.Popen(
        command,
        cwd=EXTENSION_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # web-ext and its Firefox: one process group, ended below
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    output: list[str] = []
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(
                    f"Firefox did not install the add-on in {timeout} s:\n{''.join(output)}"
                )
            if line is None:
                pytest.fail(f"web-ext run exited ({proc.wait()}):\n{''.join(output)}")
            output.append(line)
            if "as a temporary add-on" in line:
                return "".join(output)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@pytest.mark.slow
@pytest.mark.skipif(
    not FIREFOX.exists(), reason="needs Debian's firefox-esr (/usr/bin/firefox-esr)"
)
def test_firefox_loads_the_build_and_the_source_folder(tmp_path: Path) -> None:
    """Real Firefox ESR installs both: the Firefox build (background.scripts only) and the source
    folder as it is (both background keys; Firefox ignores service_worker)."""
    if not WEB_EXT.exists():
        pytest.skip("web-ext is not installed: run `npm ci --prefix extension`")
    build = subprocess.run(
        ["node", str(EXTENSION_DIR / "tools" / "build-firefox.mjs")],
        cwd=EXTENSION_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert build.returncode == 0, build.stderr
    for name, source in (("build", EXTENSION_DIR / "dist" / "firefox"), ("source", EXTENSION_DIR)):
        tmp = tmp_path / name
        tmp.mkdir()
        output = _firefox_installs(source, tmp)
        assert '"id":"papershelf@papershelf.invalid"' in output, output
        assert "moz-extension://" not in output, output  # no error from the add-on's own code


def test_every_extension_fixture_has_a_row_in_its_readme() -> None:
    """tests/fixtures/extension/README.md says what each fixture exercises: a file added
    without its row there is a fixture nobody can tell the purpose of."""
    readme = (EXT_FIXTURES / "README.md").read_text("utf-8")
    rows = [line for line in readme.splitlines() if line.startswith("| `")]
    missing = [
        f.name
        for f in sorted(EXT_FIXTURES.iterdir())
        if f.name != "README.md" and not any(f"`{f.name}`" in row for row in rows)
    ]
    assert missing == []
