"""`papershelf add` and `papershelf parse` as a user runs them: exit codes, one-line errors, JSON."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_support import run
from fs_support import unwritable
from server_support import ArxivFixtureServer

LIST = """\
# Reading

## Retrieval

- [Sparse Retrievers Revisited](https://arxiv.org/abs/2301.00011), Jan. 5 2023.
- [Late Interaction for Everyone](https://arxiv.org/abs/2302.00022), Feb. 7 2023.

## Agents

- [Tool Use by Imitation](https://arxiv.org/abs/2303.00033), Mar. 9 2023.
"""


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "reading.md").write_text(LIST, encoding="utf-8")
    return root


def test_add_with_json_reports_the_entry(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "add",
            "2304.00044v2",
            "--title",
            "Memory for Agents",
            "--published",
            "2023-04-11",
            "--list",
            "reading.md",
            "--section",
            "Agents",
            "--workspace",
            str(ws),
            "--json",
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert result["status"] == "added"
    assert result["section"] == "Reading > Agents"
    assert (
        result["entry"] == "- [Memory for Agents](https://arxiv.org/abs/2304.00044), Apr. 11 2023."
    )
    lines = (ws / "reading.md").read_text().splitlines()
    assert lines[result["line"] - 1] == result["entry"]


def test_add_existing_paper_is_success_with_status_exists(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (ws / "reading.md").read_bytes()
    code, out, _ = run(
        [
            "add",
            "https://arxiv.org/pdf/2302.00022v3",
            "--list",
            "reading.md",
            "--section",
            "Agents",
            "--workspace",
            str(ws),
            "--json",
        ],
        capsys,
    )
    assert code == 0
    assert json.loads(out) | {"entry": None} == {
        "status": "exists",
        "list": "reading.md",
        "section": "Reading > Retrieval",
        "line": 6,
        "entry": None,
    }
    assert (ws / "reading.md").read_bytes() == before


def test_unknown_section_exits_2_and_names_the_closest(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (ws / "reading.md").read_bytes()
    code, out, err = run(
        [
            "add",
            "2304.00044",
            "--title",
            "T",
            "--list",
            "reading.md",
            "--section",
            "Agent",
            "--workspace",
            str(ws),
        ],
        capsys,
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("papershelf: error:")
    assert "No section 'Agent' in reading.md. Closest: Reading > Agents" in err
    assert (ws / "reading.md").read_bytes() == before


def test_unknown_list_exits_2(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        [
            "add",
            "2304.00044",
            "--title",
            "T",
            "--list",
            "readng.md",
            "--section",
            "Agents",
            "--workspace",
            str(ws),
        ],
        capsys,
    )
    assert code == 2
    assert "reading.md" in err


def test_bad_json_file_is_one_line(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "paper.json"
    bad.write_text('{"title": "x", "url": "https://arxiv.org/abs/2304.00044", "colour": "red"}')
    code, _, err = run(
        [
            "add",
            "--from-json",
            str(bad),
            "--list",
            "reading.md",
            "--section",
            "Agents",
            "--workspace",
            str(ws),
        ],
        capsys,
    )
    assert code == 2
    assert "colour" in err and err.count("\n") == 1


def test_missing_option_is_a_usage_error(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["add", "2304.00044", "--workspace", str(ws)], capsys)
    assert code == 2
    assert "--list" in err


def test_parse_json_shows_sections_entries_and_style(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["parse", str(ws / "reading.md"), "--json"], capsys)
    assert code == 0
    report = json.loads(out)
    assert report["style"] == "link item"
    assert report["papers"] == 3
    addresses = [s["address"] for s in report["sections"]]
    assert "Reading > Retrieval" in addresses and "Reading > Agents" in addresses
    first = next(e for e in report["entries"] if e.get("paper"))
    assert first["start"] == 5 and first["paper"]["identities"] == ["arxiv:2301.00011"]


def test_the_installed_command_prints_no_traceback(ws: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "papershelf.server.cli",
            "add",
            "nonsense",
            "--list",
            "reading.md",
            "--section",
            "Agents",
            "--workspace",
            str(ws),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("papershelf: error:")


def test_a_title_that_is_not_utf8_is_refused_and_the_list_kept(ws: Path) -> None:
    before = (ws / "reading.md").read_bytes()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "papershelf.server.cli",
            "add",
            "2304.00044",
            b"--title",
            b"Bad \xff Title",
            "--list",
            "reading.md",
            "--section",
            "Agents",
            "--workspace",
            str(ws),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("papershelf: error:") and result.stderr.count("\n") == 1
    assert "title" in result.stderr
    assert (ws / "reading.md").read_bytes() == before


def test_a_json_file_with_a_lone_surrogate_is_one_line_exit_2(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (ws / "reading.md").read_bytes()
    paper = tmp_path / "paper.json"
    paper.write_text('{"arxiv_id": "2304.00044", "authors": ["A", "B\\udc00"], "title": "x"}')
    code, _, err = run(
        [
            "add",
            "--from-json",
            str(paper),
            "--list",
            "reading.md",
            "--section",
            "Agents",
            "--workspace",
            str(ws),
        ],
        capsys,
    )
    assert code == 2
    assert "authors.1" in err and err.count("\n") == 1
    assert (ws / "reading.md").read_bytes() == before


def test_an_empty_section_is_refused_in_a_list_with_headings(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (ws / "reading.md").read_bytes()
    code, out, err = run(
        ["add", "2304.00044", "--title", "T", "--list", "reading.md", "--section", " "]
        + ["--workspace", str(ws)],
        capsys,
    )
    assert code == 2 and out == ""
    assert err.startswith("papershelf: error:") and err.count("\n") == 1
    assert "Reading > Agents" in err
    assert (ws / "reading.md").read_bytes() == before


def test_an_empty_section_adds_to_a_list_without_headings(
    ws: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (ws / "flat.md").write_text(
        "- [Sparse Retrievers Revisited](https://arxiv.org/abs/2301.00011), Jan. 5 2023.\n",
        encoding="utf-8",
    )
    code, _, err = run(
        ["add", "2304.00044", "--title", "T", "--published", "2023-04-11"]
        + ["--list", "flat.md", "--section", "", "--workspace", str(ws)],
        capsys,
    )
    assert code == 0, err
    assert "[T](https://arxiv.org/abs/2304.00044)" in (ws / "flat.md").read_text()


def test_a_section_typo_is_reported_before_asking_arxiv(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with ArxivFixtureServer() as arxiv:
        monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", arxiv.url)
        code, _, err = run(
            ["add", "2304.00044", "--list", "reading.md", "--section", "Agnets"]
            + ["--workspace", str(ws)],
            capsys,
        )
        assert arxiv.requests == []
    assert code == 2
    assert "No section 'Agnets' in reading.md. Closest: Reading > Agents" in err


def test_an_unreachable_arxiv_fails_an_add_quickly_in_one_line(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A person waits at the prompt: it took four attempts and 21 s to say arXiv was unreachable.
    with socket.socket() as probe:  # a port nothing listens on: connections are refused
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", f"http://127.0.0.1:{closed_port}/api/query")
    before = (ws / "reading.md").read_bytes()
    started = time.monotonic()
    code, _, err = run(
        ["add", "2304.00044", "--list", "reading.md", "--section", "Agents"]
        + ["--workspace", str(ws)],
        capsys,
    )
    elapsed_seconds = time.monotonic() - started
    assert code != 0 and err.count("\n") == 1 and "unavailable" in err, err
    # The README's own example without network: the line says what to do instead.
    assert 'Give the fields yourself: --title "…" (and --author, --published).' in err
    assert elapsed_seconds < 8, f"took {elapsed_seconds:.1f} s"
    assert (ws / "reading.md").read_bytes() == before


def test_a_json_file_with_a_bom_is_read(
    ws: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paper = tmp_path / "paper.json"
    paper.write_bytes(b'\xef\xbb\xbf{"arxiv_id": "2304.00044", "title": "Saved by Notepad"}')
    code, _, err = run(
        ["add", "--from-json", str(paper), "--list", "reading.md", "--section", "Agents"]
        + ["--workspace", str(ws)],
        capsys,
    )
    assert code == 0, err
    assert "[Saved by Notepad](https://arxiv.org/abs/2304.00044)" in (ws / "reading.md").read_text()


def test_a_read_only_list_is_not_written(ws: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = ws / "reading.md"
    listing.chmod(0o444)
    before = listing.read_bytes()
    code, out, err = run(
        ["add", "2304.00044", "--title", "T", "--list", "reading.md", "--section", "Agents"]
        + ["--workspace", str(ws)],
        capsys,
    )
    assert code == 1 and out == ""
    assert err == "papershelf: error: reading.md is read-only; nothing was written " + (
        "(chmod u+w reading.md lets papershelf write it).\n"
    )
    assert listing.read_bytes() == before and stat.S_IMODE(listing.stat().st_mode) == 0o444


@pytest.fixture
def unwritable_folder(ws: Path) -> Iterator[Path]:
    """`ws` made unwritable (chattr +i for root, or the test skips)."""
    with unwritable(ws):
        yield ws


def test_a_list_in_an_unwritable_folder_is_one_line_exit_1(
    unwritable_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = (unwritable_folder / "reading.md").read_bytes()
    code, _, err = run(
        ["add", "2304.00044", "--title", "T", "--list", "reading.md", "--section", "Agents"]
        + ["--workspace", str(unwritable_folder)],
        capsys,
    )
    assert code == 1
    assert err.startswith("papershelf: error: Cannot write reading.md: ") and err.count("\n") == 1
    assert "nothing was written" in err and "unexpected" not in err
    assert (unwritable_folder / "reading.md").read_bytes() == before


def test_an_add_to_a_latin1_list_reports_the_entry_as_the_list_means_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The bytes go in as Latin-1 (0xDC); the entry reported reads 'Über', not an escape."""
    root = tmp_path / "ws"
    root.mkdir()
    data = b"# Liste\n\n## Fin\n\n- [R\xe9seaux](https://arxiv.org/abs/2401.00001)\n"
    (root / "training.md").write_bytes(data)
    paper = tmp_path / "p.json"
    paper.write_text(
        json.dumps({"title": "Über Drei", "url": "https://arxiv.org/abs/2406.10001"}),
        encoding="utf-8",
    )
    args = ["add", "--from-json", str(paper), "--list", "training.md", "--section", "Fin"]
    code, out, _ = run([*args, "--json", "--workspace", str(root)], capsys)
    assert code == 0
    assert json.loads(out)["entry"] == "- [Über Drei](https://arxiv.org/abs/2406.10001)"
    assert (root / "training.md").read_bytes() == data + (
        b"- [\xdcber Drei](https://arxiv.org/abs/2406.10001)\n"
    )
    code, out, _ = run([*args, "--workspace", str(root)], capsys)
    assert code == 0 and "- [Über Drei](https://arxiv.org/abs/2406.10001)" in out
    code, out, _ = run(["parse", str(root / "training.md"), "--json"], capsys)
    titles = [e["paper"]["title"] for e in json.loads(out)["entries"] if e["paper"]]
    assert titles == ["Réseaux", "Über Drei"]


@pytest.mark.timeout(30)
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_parse_of_a_fifo_is_one_error_line_not_a_wait_for_ever(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As `check` does: reading a FIFO would wait for a writer for ever (parse hung)."""
    fifo = tmp_path / "odd.md"
    os.mkfifo(fifo)
    code, out, err = run(["parse", str(fifo)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "odd.md" in err and "not a regular file" in err
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_add_from_a_pdf_url_links_the_abs_page_as_a_clip_does(
    ws: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The CLI had its own completion, which kept the PDF URL it was given where a clip writes
    # arXiv's abs page: both now complete through the server's ArxivCompleter.
    with ArxivFixtureServer() as arxiv:
        monkeypatch.setenv("PAPERSHELF_ARXIV_API_URL", arxiv.url)
        code, out, err = run(
            ["add", "https://arxiv.org/pdf/2611.04417v1", "--list", "reading.md"]
            + ["--section", "Agents", "--json", "--workspace", str(ws)],
            capsys,
        )
    assert code == 0, err
    entry = json.loads(out)["entry"]
    assert "Shelving Papers by Hand" in entry
    assert "https://arxiv.org/abs/2611.04417" in entry and "/pdf/" not in entry, entry
