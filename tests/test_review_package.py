"""The review page ships in the package: a non-editable build carries and serves its files.

`pip install .` installs the wheel: the packages and the `[tool.setuptools.package-data]` of
pyproject.toml. This test builds that wheel offline from a copy of the source, unpacks it as an
install would, then serves the review page from the unpacked copy alone, in a fresh interpreter,
so a template or asset left out of the package data fails here.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
import zipfile
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from package_support import build_wheel

pytestmark = pytest.mark.slow

ASSET_DIRS = ("templates", "static")


def _assets(server: Path) -> set[str]:
    """The review templates and static files of the server package at `server`, as paths
    relative to it."""
    return {
        p.relative_to(server).as_posix()
        for folder in ASSET_DIRS
        for p in (server / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_package_data_globs_cover_every_template_and_static_file() -> None:
    """pyproject.toml's package-data for papershelf.server names every review asset (no build)."""
    with (REPO_ROOT / "pyproject.toml").open("rb") as handle:
        config = tomllib.load(handle)
    globs = config["tool"]["setuptools"]["package-data"]["papershelf.server"]
    package = REPO_ROOT / "server"
    covered = {
        p.relative_to(package).as_posix()
        for pattern in globs
        for p in package.glob(pattern)
        if p.is_file()
    }
    assert _assets(package) <= covered


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `pip install .` puts in site-packages: the wheel, unpacked."""
    work = tmp_path_factory.mktemp("package")
    lib = work / "lib"
    with zipfile.ZipFile(build_wheel(work)) as archive:
        archive.extractall(lib)
    return lib


def test_every_template_and_static_file_is_package_data(built: Path) -> None:
    expected = _assets(REPO_ROOT / "server")
    assert {"templates/review.html", "static/review.js"} <= expected
    assert _assets(built / "papershelf" / "server") == expected
    for rel in expected:
        built_bytes = (built / "papershelf" / "server" / rel).read_bytes()
        assert built_bytes == (REPO_ROOT / "server" / rel).read_bytes(), rel


_SERVE_FROM_BUILD = textwrap.dedent(
    """
    import sys
    from pathlib import Path

    lib, root = Path(sys.argv[1]), Path(sys.argv[2])
    from papershelf import server
    assert Path(server.__file__).resolve().is_relative_to(lib.resolve()), server.__file__

    from papershelf.feeds.store import CandidateStore
    from papershelf.server.app import create_app
    from papershelf.server.services import Services
    from papershelf.sync.workspace import open_workspace

    (root / "papers.md").write_text("# Papers\\n\\n## Retrieval\\n\\n", encoding="utf-8")
    workspace = open_workspace(root)
    services = Services.build(workspace, candidates=CandidateStore(workspace=str(root)))
    token = "package-test-token-0123456789abcdef"
    client = create_app({"PAPERSHELF_SERVICES": services, "PAPERSHELF_TOKEN": token}).test_client()

    unpaired = client.get("/review")
    assert unpaired.status_code == 200 and b"Pair this browser" in unpaired.data
    paired = client.post("/review/pair", data={"token": token}, headers={"Origin": "http://localhost"})
    assert paired.status_code == 303
    page = client.get("/review")
    assert page.status_code == 200 and b"Nothing to review" in page.data, page.data[:300]
    assert client.get("/review/lists/papers.md").status_code == 200
    for name in ("review.css", "review.js"):
        asset = client.get(f"/review/static/{name}")
        assert asset.status_code == 200, name
        assert asset.data == (lib / "papershelf" / "server" / "static" / name).read_bytes(), name
    print("served from", Path(server.__file__).parent)
    """
)


def test_the_built_package_alone_serves_the_review_page(built: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", _SERVE_FROM_BUILD, str(built), str(workspace)],
        cwd=tmp_path,  # not the repository: the built copy is found first as papershelf.server
        env={**_env_without_repo(), "PYTHONPATH": str(built)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"served from {built / 'papershelf' / 'server'}" in done.stdout


def _env_without_repo() -> dict[str, str]:
    """This process's environment (isolated data dir included), minus any PYTHONPATH."""
    import os

    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
