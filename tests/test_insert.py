"""The one write path: entries land in the list's style, nothing else changes, races are safe."""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
from pathlib import Path

import pytest

from papershelf.sync.errors import BadInput, ListChanged, NotFound
from papershelf.sync.insert import add_paper
from papershelf.sync.listmodel import parse_list
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import open_workspace

LINK_DATE_LIST = """\

> Papers on how models learn, kept by hand.

### Optimization

- [Gradient Noise Schedules for Small Transformers](https://arxiv.org/pdf/2401.01234), Jan. 3 2024.
- [Warmup Without Tears](https://arxiv.org/abs/2402.05678), Feb. 9 2024. [code](https://github.com/example/warmup).
- [Second-Order Steps at Scale](https://arxiv.org/pdf/2403.09999), Mar. 14 2024.

### Pre-training

- [Data Mixtures That Age Well](https://arxiv.org/pdf/2404.00001), Apr. 1 2024. `data`.
- [Curricula for Code Models](https://arxiv.org/pdf/2405.00002), May 2 2024.
"""


def _paper(n: int = 1, **changes: object) -> Paper:
    base = Paper(
        arxiv_id=f"2406.{10000 + n:05d}",
        url=f"https://arxiv.org/abs/2406.{10000 + n:05d}",
        title=f"A Careful Study Number {n}",
        authors=("Ada Lovelace", "Alan Turing"),
        published="2024-06-20",
    )
    return base.replace(**changes)


def _workspace(tmp_path: Path, text: str | bytes = LINK_DATE_LIST, name: str = "training.md"):
    root = tmp_path / "ws"
    root.mkdir()
    data = text.encode("utf-8") if isinstance(text, str) else text
    (root / name).write_bytes(data)
    return open_workspace(root), root / name


def _assert_only_insertion(before: bytes, after: bytes) -> list[str]:
    """After is before with lines spliced in at one place; return the inserted lines."""
    old, new = before.split(b"\n"), after.split(b"\n")
    prefix = 0
    while prefix < len(old) and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < len(old) - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    assert prefix + suffix == len(old), "bytes outside the insertion changed"
    return [line.decode() for line in new[prefix : len(new) - suffix]]


def test_adds_in_the_lists_own_style_and_changes_nothing_else(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    before = path.read_bytes()
    # Only an id: the link takes the section's majority form (pdf, no version).
    result = add_paper(ws, _paper(url=None, arxiv_id="2406.10001v2"), "training.md", "Optimization")
    after = path.read_bytes()
    inserted = _assert_only_insertion(before, after)
    assert inserted == [
        "- [A Careful Study Number 1](https://arxiv.org/pdf/2406.10001), Jun. 20 2024."
    ]
    assert result.status == "added"
    assert result.section == "Optimization"
    assert after.decode().splitlines()[result.line - 1] == inserted[0]
    assert result.entry == inserted[0]


def test_already_listed_in_any_form_is_exists_and_bytes_stay(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    (ws.root / "other.md").write_text(
        "## Misc\n\n- [Older copy](http://arxiv.org/abs/2406.10001v2)\n"
    )
    before = path.read_bytes()
    other_before = (ws.root / "other.md").read_bytes()
    versioned = _paper(arxiv_id="2406.10001v3", url="https://export.arxiv.org/pdf/2406.10001v3.pdf")
    result = add_paper(ws, versioned, "training.md", "Optimization")
    assert result.status == "exists"
    assert (result.list, result.line) == ("other.md", 3)
    assert path.read_bytes() == before
    assert (ws.root / "other.md").read_bytes() == other_before


@pytest.mark.parametrize("warm_index", [False, True])
def test_an_old_style_id_with_its_subject_class_is_found(tmp_path: Path, warm_index: bool) -> None:
    from papershelf.sync.index import WorkspaceIndex

    ws, path = _workspace(tmp_path)
    (ws.root / "other.md").write_text(
        "## Misc\n\n- [Knots, again](https://arxiv.org/abs/math.GT/0309136v2), 2003.\n"
    )
    before = path.read_bytes()
    index = WorkspaceIndex.build(ws) if warm_index else None
    paper = _paper(arxiv_id="math/0309136", url=None, title="Knots, again")
    result = add_paper(ws, paper, "training.md", "Optimization", index=index)
    assert (result.status, result.list, result.line) == ("exists", "other.md", 3)
    assert path.read_bytes() == before


def test_unknown_section_names_the_closest_and_writes_nothing(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    before = path.read_bytes()
    with pytest.raises(NotFound) as caught:
        add_paper(ws, _paper(), "training.md", "Optimisation")
    assert "Optimization" in caught.value.closest
    assert path.read_bytes() == before


def test_unknown_list_is_not_found(tmp_path: Path) -> None:
    ws, _ = _workspace(tmp_path)
    with pytest.raises(NotFound) as caught:
        add_paper(ws, _paper(), "trainin.md", "Optimization")
    assert "training.md" in caught.value.closest


def test_a_paper_without_title_is_refused(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    before = path.read_bytes()
    with pytest.raises(BadInput):
        add_paper(ws, _paper(title=None), "training.md", "Optimization")
    assert path.read_bytes() == before


@pytest.mark.parametrize("eol", ["\n", "\r\n"])
@pytest.mark.parametrize("final_newline", [True, False])
def test_line_endings_and_missing_final_newline_survive(
    tmp_path: Path, eol: str, final_newline: bool
) -> None:
    text = LINK_DATE_LIST if final_newline else LINK_DATE_LIST.rstrip("\n")
    data = text.replace("\n", eol).encode()
    ws, path = _workspace(tmp_path, data)
    add_paper(ws, _paper(), "training.md", "Pre-training")
    after = path.read_bytes()
    assert after.endswith(eol.encode()) == final_newline
    if eol == "\r\n":
        assert after.count(b"\n") == after.count(b"\r\n")
    assert after.count(b"A Careful Study Number 1") == 1
    assert parse_list(after).render() == after


def test_hostile_title_cannot_break_the_structure(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    before_doc = parse_list(path.read_bytes())
    title = "# Heading?\n- not an item](http://evil.example) `tick` <script>alert(1)</script>"
    add_paper(ws, _paper(title=title), "training.md", "Optimization")
    after_doc = parse_list(path.read_bytes())
    assert [s.address for s in after_doc.sections] == [s.address for s in before_doc.sections]
    assert len(after_doc.entries) == len(before_doc.entries) + 1
    assert "<script>" not in path.read_text()


def test_permissions_are_kept(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    os.chmod(path, 0o640)
    add_paper(ws, _paper(), "training.md", "Optimization")
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_persons_edit_during_the_add_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save between our read and our rename is re-read, never overwritten."""
    import papershelf.sync.insert as insert_module

    ws, path = _workspace(tmp_path)
    real_plan = insert_module.plan_insertion
    edits: list[bool] = []

    def plan_while_someone_saves(doc, section, style, paper, *rest):
        if not edits:
            text = path.read_text()
            path.write_text(
                text.replace("Curricula for Code Models", "Curricula for Code Models (v2)")
            )
            edits.append(True)
        return real_plan(doc, section, style, paper, *rest)

    monkeypatch.setattr(insert_module, "plan_insertion", plan_while_someone_saves)
    add_paper(ws, _paper(), "training.md", "Optimization")
    text = path.read_text()
    assert "Curricula for Code Models (v2)" in text
    assert text.count("A Careful Study Number 1") == 1


def test_threads_adding_the_same_papers_write_each_once(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    from papershelf.sync.index import WorkspaceIndex

    index = WorkspaceIndex.build(ws)
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            add_paper(ws, _paper(n % 5), "training.md", "Optimization", index=index)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    text = path.read_text()
    for n in range(5):
        assert text.count(f"A Careful Study Number {n}]") == 1


def _add_in_process(root: str, n: int, data_dir: str) -> str:
    os.environ["PAPERSHELF_DATA_DIR"] = data_dir
    ws = open_workspace(root)
    return add_paper(ws, _paper(n % 4), "training.md", "Pre-training").status


def test_processes_adding_the_same_papers_write_each_once(tmp_path: Path) -> None:
    ws, path = _workspace(tmp_path)
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        statuses = pool.starmap(
            _add_in_process,
            [(str(ws.root), n, os.environ["PAPERSHELF_DATA_DIR"]) for n in range(12)],
        )
    assert statuses.count("added") == 4
    text = path.read_text()
    for n in range(4):
        assert text.count(f"A Careful Study Number {n}]") == 1


LATIN1_LIST = (
    "# Liste\n\n## Fin\n\n"
    "- [Réseaux](https://arxiv.org/abs/2401.00101), Jan. 5 2024.\n"
    "- [Modèles](https://arxiv.org/abs/2401.00102), Jan. 6 2024.\n"
)


@pytest.mark.parametrize(
    ("extra", "quotes"),
    [
        # Bytes cp1252 reads (0x93/0x94 are its curly quotes): the list is cp1252.
        (
            b"- [Na\xefve \x93quotes\x94](https://arxiv.org/abs/2401.00103), Jan. 7 2024.\n",
            b"\x93Modelle\x94",
        ),
        # A byte cp1252 leaves undefined (0x81): Latin-1, which has no curly quotes.
        (
            b"- [Control \x81](https://arxiv.org/abs/2401.00103), Jan. 7 2024.\n",
            b"&#8220;Modelle&#8221;",
        ),
    ],
)
def test_a_list_in_a_legacy_encoding_gets_the_entry_in_that_encoding(
    tmp_path: Path, extra: bytes, quotes: bytes
) -> None:
    """A Latin-1 list stays Latin-1: `Ü` is one byte; what it lacks is a character reference."""
    data = LATIN1_LIST.encode("latin-1") + extra
    ws, path = _workspace(tmp_path, data)
    add_paper(ws, _paper(title="Über 中文 “Modelle”"), "training.md", "Fin")
    after = path.read_bytes()
    added = b"- [\xdcber &#20013;&#25991; " + quotes
    added += b"](https://arxiv.org/abs/2406.10001), Jun. 20 2024.\n"
    assert after == data + added
    assert parse_list(after).render() == after


def test_a_utf8_list_with_a_stray_byte_stays_utf8(tmp_path: Path) -> None:
    data = (
        LATIN1_LIST.encode("utf-8") + b"- [Stray \xff](https://arxiv.org/abs/2401.00103), 2024.\n"
    )
    ws, path = _workspace(tmp_path, data)
    add_paper(ws, _paper(title="Über"), "training.md", "Fin")
    assert path.read_bytes().startswith(data) and b"- [\xc3\x9cber]" in path.read_bytes()


@pytest.mark.parametrize(
    "stray",
    [b"\x92", b"\x93Word\x94 \x96"],  # a pasted Word apostrophe; quotes and a dash on one line
)
def test_an_ascii_list_with_stray_punctuation_bytes_stays_utf8(
    tmp_path: Path, stray: bytes
) -> None:
    """GitHub and editors read it as UTF-8 with a bad byte: new lines go in as UTF-8."""
    data = (
        b"# Liste\n\n## Fin\n\n"
        b"- [Don" + stray + b"t Panic](https://arxiv.org/abs/2401.00101), Jan. 5 2024.\n"
    )
    ws, path = _workspace(tmp_path, data)
    add_paper(ws, _paper(title="Understanding disentangling in β-VAE"), "training.md", "Fin")
    add_paper(ws, _paper(2, title="Über"), "training.md", "Fin")
    after = path.read_bytes()
    assert after.startswith(data)
    assert "in β-VAE]".encode() in after and "[Über]".encode() in after
    assert b"&#946;" not in after


def test_a_heading_of_a_legacy_list_is_addressed_as_the_text_it_means(tmp_path: Path) -> None:
    """`--section Théorie` finds `## Th\\xe9orie` of a Latin-1 list; only the entry's bytes go in."""
    data = ("# Liste\n\n## Théorie\n\n" + LATIN1_LIST.split("## Fin\n\n")[1]).encode("latin-1")
    ws, path = _workspace(tmp_path, data)
    result = add_paper(ws, _paper(title="Über"), "training.md", "théorie")
    assert result.section == "Liste > Théorie"
    assert (
        path.read_bytes()
        == data + b"- [\xdcber](https://arxiv.org/abs/2406.10001), Jun. 20 2024.\n"
    )
    with pytest.raises(NotFound, match="Closest: Liste > Théorie"):
        add_paper(ws, _paper(2), "training.md", "Theorie X")


@pytest.mark.parametrize(("indent", "says"), [("\t", "by a tab"), ("    ", "by 4 or more spaces")])
def test_a_section_indented_into_a_code_block_is_refused_in_words(
    tmp_path: Path, indent: str, says: str
) -> None:
    """`\\t- [A](…)` under a heading is a code block to markdown: no entry goes into or above it."""
    text = "# T\n\n## Tabbed\n\n" + "".join(
        f"{indent}- [{c}](https://arxiv.org/abs/2401.0020{n}), Jan. {n} 2024.\n"
        for n, c in enumerate("ABC", 1)
    )
    text += "\n## Next\n\n- [D](https://arxiv.org/abs/2401.00204), Jan. 4 2024.\n"
    ws, path = _workspace(tmp_path, text)
    with pytest.raises(ListChanged) as caught:
        add_paper(ws, _paper(), "training.md", "Tabbed")
    message = str(caught.value)
    assert "\n" not in message
    assert f"lines 5-7 of section 'T > Tabbed' are indented {says}" in message
    assert "markdown reads them as a code block" in message
    assert "fewer than 4 spaces, without a tab" in message
    assert path.read_bytes() == text.encode()
