"""One import name: a non-editable install puts only `papershelf` into the environment.

The repository's folders sync/, server/ and feeds/ install as papershelf.sync, papershelf.server
and papershelf.feeds (pyproject.toml's package-dir); papershelf/ owns the version. These tests
build a real wheel offline (`package_support.build_wheel`), read its file list, and install it into a fresh venv to import it and run `papershelf`.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from package_support import PACKAGE_FOLDERS, build_wheel

from papershelf import __version__

FLOORS = PACKAGE_FOLDERS[1:]


def _setuptools_config() -> dict:
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)["tool"]["setuptools"]


def _repo_packages() -> set[str]:
    """Every package folder of the repository, by its installed name."""
    found = {"papershelf"}
    for floor in FLOORS:
        for init in (REPO_ROOT / floor).rglob("__init__.py"):
            parts = init.parent.relative_to(REPO_ROOT).parts
            found.add(".".join(("papershelf", *parts)))
    return found


def test_every_package_folder_is_installed_under_papershelf() -> None:
    """pyproject.toml lists each package folder (a new subpackage must be added there) and maps
    each floor folder to its papershelf name."""
    config = _setuptools_config()
    assert set(config["packages"]) == _repo_packages()
    assert config["package-dir"] == {
        "papershelf": "papershelf",
        **{f"papershelf.{floor}": floor for floor in FLOORS},
    }


def test_the_tests_import_this_checkout_under_the_installed_names() -> None:
    """The editable install maps papershelf.sync to ./sync (and so on), so the suite tests these
    folders, not some other copy of papershelf."""
    for floor in FLOORS:
        module = importlib.import_module(f"papershelf.{floor}")
        assert Path(str(module.__file__)).resolve() == (REPO_ROOT / floor / "__init__.py").resolve()


def test_the_version_is_papershelfs_and_the_projects() -> None:
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        assert tomllib.load(handle)["project"]["version"] == __version__


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built offline from a copy of the source."""
    return build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.slow
def test_the_wheel_holds_only_papershelf(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        entry_points = archive.read(f"papershelf-{__version__}.dist-info/entry_points.txt").decode()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"papershelf", f"papershelf-{__version__}.dist-info"}
    expected = {
        f"papershelf/{path.relative_to(REPO_ROOT).as_posix()}"
        for floor in FLOORS
        for path in (REPO_ROOT / floor).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    expected |= {
        "papershelf/__init__.py",
        "papershelf/__main__.py",
        "papershelf/server/templates/review.html",
    }
    assert expected <= set(names)
    assert "papershelf = papershelf.server.cli:main" in entry_points


@pytest.mark.slow
def test_an_installed_wheel_imports_as_papershelf_only(wheel: Path, tmp_path: Path) -> None:
    """In a fresh venv with the wheel installed (its dependencies borrowed from this
    environment, not its editable install), `import sync` fails and `papershelf` runs."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # A bare path in a .pth: this environment's libraries, without running its own .pth files
    # (so not its editable finder for the repository).
    (site / "borrowed-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = (
        "import importlib.util, papershelf, papershelf.server.cli\n"
        "print(papershelf.__version__, papershelf.server.cli.__file__)\n"
        "print([n for n in ('sync', 'server', 'feeds') if importlib.util.find_spec(n)])\n"
    )
    ran = subprocess.run(
        [str(python), "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert ran.returncode == 0, ran.stderr
    version, cli_file = ran.stdout.splitlines()[0].split(" ", 1)
    assert version == __version__
    assert Path(cli_file).is_relative_to(site / "papershelf" / "server")
    assert ran.stdout.splitlines()[1] == "[]"  # no generic top-level package
    helped = subprocess.run(
        [str(venv / "bin" / "papershelf"), "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert helped.returncode == 0, helped.stderr
    assert "Commands:" in helped.stdout and "serve" in helped.stdout
    as_module = subprocess.run(
        [str(python), "-m", "papershelf", "--version"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert as_module.stdout.strip() == f"papershelf, version {__version__}", as_module.stderr
