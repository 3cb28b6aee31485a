"""Docs stay true: every registered setting is in docs/configuration.md with its default, and back."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG_DOC = ROOT / "docs" / "configuration.md"
ROW = re.compile(r"^\|\s*`([a-z0-9_.]+)`\s*\|\s*(.*?)\s*\|\s*(.*?)\s*\|\s*$")


def _all_settings() -> dict:
    # Settings register themselves at import time, so import every module of every package.
    for package_name in ("papershelf.sync", "papershelf.feeds", "papershelf.server"):
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if info.name.endswith("__main__"):
                continue
            importlib.import_module(info.name)
    from papershelf.sync.settings import SETTINGS

    return dict(SETTINGS)


def _documented() -> dict[str, str]:
    rows = {}
    for line in CONFIG_DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_setting_is_documented_with_its_default() -> None:
    settings = _all_settings()
    documented = _documented()
    assert sorted(settings) == sorted(documented), "docs/configuration.md and the settings differ"
    for key, setting in settings.items():
        shown = documented[key].strip("`")
        assert json.loads(shown) == setting.default, (
            f"{key}: docs say {shown}, code says {setting.default!r}"
        )


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```sh\n(.*?)\n```", readme, re.S)
    assert block is not None
    commands = block.group(1).splitlines()
    assert len(commands) == 2
    assert commands[0].endswith("papershelf serve")
    assert "[test]" in commands[1] and commands[1].endswith("pytest")


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "sed -n 2p" in ci and 'eval "$test_command"' in ci


def test_every_bounded_setting_states_its_range() -> None:
    # A maximum the docs do not name surprises a curator whose config is then refused.
    documented = {}
    for line in CONFIG_DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            documented[match.group(1)] = match.group(3)
    for key, setting in _all_settings().items():
        if setting.minimum is not None:
            assert f"{setting.minimum:g}" in documented[key], f"{key}: minimum not documented"
        if setting.maximum is not None:
            assert f"{setting.maximum:g}" in documented[key], f"{key}: maximum not documented"


DOTTED_NAME = re.compile(r"`(?:python -m )?(papershelf(?:\.[A-Za-z_]\w*)+)")


def _resolve(dotted: str) -> object:
    """The module, or the attribute of the longest importable module prefix, `dotted` names."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)  # AttributeError: the docs name what is not there
        return found
    raise ModuleNotFoundError(dotted)


def test_every_module_and_function_the_docs_name_exists() -> None:
    """A name such as `papershelf.sync.edit.edit_list` in the docs (the architecture page's
    "Where things happen" above all) is a module, class or function that exists."""
    named = {
        (doc.name, match)
        for doc in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
        for match in DOTTED_NAME.findall(doc.read_text(encoding="utf-8"))
    }
    architecture = {name for doc, name in named if doc == "architecture.md"}
    assert {"papershelf.sync.edit.edit_list", "papershelf.sync.insert.add_paper"} <= architecture
    missing = []
    for doc, name in sorted(named):
        try:
            _resolve(name)
        except (ImportError, AttributeError):
            missing.append(f"{doc}: {name}")
    assert missing == []


def test_every_file_the_architecture_page_names_exists() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    paths = set(re.findall(r"`((?:sync|server|feeds|tools|tests|papershelf)/[\w/]+\.py)`", text))
    assert "sync/edit.py" in paths
    assert sorted(p for p in paths if not (ROOT / p).is_file()) == []
