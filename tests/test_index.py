"""The workspace index: exact identity lookup, fuzzy title lookup, refresh by file stamps."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from conftest import SHARED_SEEDS

from papershelf.sync.index import Location, WorkspaceIndex, index_document, normalize_title
from papershelf.sync.listmodel import ListDocument, parse_list
from papershelf.sync.workspace import open_workspace

TRAINING = """\
# Training

## Optimization

- [SOAP: Improving and stabilizing Shampoo using Adam](https://arxiv.org/abs/2409.11321), Sep. 17 2024.
- [MARS: Unleashing the Power of Variance Reduction](https://arxiv.org/pdf/2411.10438v2), Nov. 15 2024. [code](https://github.com/AGI-Arena/MARS).

## Pre-training

- [Analyzing & Eliminating Learning Rate Warmup](https://openreview.net/pdf?id=RveSp5oESA), 2024.
- [A project page without an id](https://example.com/project/), 2024.
"""

ALIGNMENT = """\
# Alignment

## Survey

- **Aligning Large Language Models with Human: A Survey**, `arXiv, 2307.12966`, [arxiv](http://arxiv.org/abs/2307.12966v1), [pdf](http://arxiv.org/pdf/2307.12966v1.pdf), cication: [**-1**](None)

\t *Yufei Wang, Wanjun Zhong* · ([AlignLLMHumanSurvey](https://github.com/GaryYufei/AlignLLMHumanSurvey) - GaryYufei)
- **SOAP: Improving and stabilizing Shampoo using Adam**, `arXiv, 2409.11321`, [arxiv](http://arxiv.org/abs/2409.11321v2), [pdf](http://arxiv.org/pdf/2409.11321v2.pdf), cication: [**-1**](None)
"""


def _bump(path: Path, text: str) -> None:
    """Rewrite `path` and make sure its stamp changes even on coarse-mtime file systems."""
    st = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def ws(workspace_dir: Path):
    (workspace_dir / "training.md").write_text(TRAINING, encoding="utf-8")
    (workspace_dir / "sub").mkdir()
    (workspace_dir / "sub" / "alignment.md").write_text(ALIGNMENT, encoding="utf-8")
    return open_workspace(workspace_dir)


def test_index_document_is_pure_and_in_file_order() -> None:
    doc = parse_list(TRAINING.encode())
    locations = index_document("training.md", doc)
    assert [loc.line for loc in locations] == [5, 6, 10, 11]
    first = locations[0]
    assert first == Location(
        list="training.md",
        section="Training > Optimization",
        line=5,
        entry=TRAINING.splitlines()[4],
        identity="arxiv:2409.11321",
        title="SOAP: Improving and stabilizing Shampoo using Adam",
    )
    assert locations[2].identity == "openreview:RveSp5oESA"
    assert locations[3].identity == "url:example.com/project"
    assert first.to_dict()["section"] == "Training > Optimization"


@pytest.mark.parametrize(
    "query",
    [
        "2409.11321",
        "2409.11321v7",
        "arXiv:2409.11321",
        "https://arxiv.org/pdf/2409.11321v1.pdf",
        "https://www.arxiv.org/abs/2409.11321#",
        "http://export.arxiv.org/abs/2409.11321v2",
        "arxiv:2409.11321",
    ],
)
def test_lookup_any_form_finds_every_place(ws, query: str) -> None:
    index = WorkspaceIndex.build(ws)
    hits = index.lookup(query)
    assert [(h.list, h.line, h.section) for h in hits] == [
        ("sub/alignment.md", 8, "Alignment > Survey"),
        ("training.md", 5, "Training > Optimization"),
    ]


def test_lookup_other_identities(ws) -> None:
    index = WorkspaceIndex.build(ws)
    assert [h.line for h in index.lookup("https://openreview.net/forum?id=RveSp5oESA")] == [10]
    assert [h.line for h in index.lookup("https://www.example.com/project")] == [11]
    assert index.lookup("2410.16215") == []
    assert index.lookup("not an id at all") == []
    assert index.lookup("") == []


def test_secondary_links_match_only_when_no_paper_does(ws) -> None:
    index = WorkspaceIndex.build(ws)
    # The code link of MARS is not a paper of its own, but is where that repo is listed.
    hits = index.lookup("https://github.com/agi-arena/mars")
    assert [(h.list, h.line, h.identity) for h in hits] == [("training.md", 6, "arxiv:2411.10438")]


def test_entry_of_multiline_paper(ws) -> None:
    index = WorkspaceIndex.build(ws)
    (hit,) = index.lookup("2307.12966")
    assert hit.line == 5
    assert hit.entry.startswith("- **Aligning Large Language Models with Human: A Survey**")
    assert "Yufei Wang" in hit.entry
    assert hit.title == "Aligning Large Language Models with Human: A Survey"


def test_lookup_title_fuzzy_is_a_possible_match(ws) -> None:
    index = WorkspaceIndex.build(ws)
    hits = index.lookup_title("Soap: improving & stabilizing shampoo using ADAM")
    assert [(loc.list, loc.line) for loc, _ in hits] == [
        ("sub/alignment.md", 8),
        ("training.md", 5),
    ]
    assert all(score == 1.0 for _, score in hits)
    near = index.lookup_title("MARS: Unleashing the Power of Variance Reductions")
    assert [(loc.line, score < 1.0, score >= 0.85) for loc, score in near] == [(6, True, True)]
    assert index.lookup_title("A completely different paper about protein folding") == []
    assert index.lookup_title("") == []
    assert (
        len(index.lookup_title("SOAP improving and stabilizing shampoo using adam", limit=1)) == 1
    )


def test_has_title_is_an_exact_normalised_match(ws) -> None:
    index = WorkspaceIndex.build(ws)
    assert index.has_title("Soap: improving & stabilizing shampoo using ADAM")
    assert not index.has_title("MARS: Unleashing the Power of Variance Reductions")  # only close
    assert not index.has_title("") and not index.has_title("  ")


def test_normalize_title() -> None:
    assert normalize_title("  SOAP:  Improving — Shampoo!  ") == "soap improving shampoo"
    assert normalize_title("Ｆｕｌｌ width") == "full width"


def test_refresh_reparses_changed_adds_new_drops_deleted(ws) -> None:
    index = WorkspaceIndex.build(ws)
    root = ws.root
    assert len(index) == 6
    _bump(root / "training.md", TRAINING.replace("2409.11321", "2409.99999"))
    (root / "new.md").write_text(
        "# New\n\n- [Brand new](https://arxiv.org/abs/2501.01956), 2025.\n"
    )
    (root / "sub" / "alignment.md").unlink()
    index.refresh()
    assert index.lookup("2409.11321") == []
    assert [h.list for h in index.lookup("2409.99999")] == ["training.md"]
    assert [h.list for h in index.lookup("2501.01956")] == ["new.md"]
    assert sorted(index.documents()) == ["new.md", "training.md"]
    assert len(index) == 5
    assert index.lookup_title("Aligning Large Language Models with Human: A Survey") == []


def test_refresh_skips_unchanged_files(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    index = WorkspaceIndex.build(ws)
    parsed: list[int] = []
    import papershelf.sync.listmodel as listmodel

    real = listmodel.parse_list

    def counted(data: bytes) -> ListDocument:
        parsed.append(1)
        return real(data)

    monkeypatch.setattr(listmodel, "parse_list", counted)
    index.refresh()
    assert parsed == []
    _bump(ws.root / "training.md", TRAINING + "\n")
    index.refresh()
    assert parsed == [1]


def test_update_file_from_parsed_doc(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    import papershelf.sync.listmodel as listmodel

    index = WorkspaceIndex.build(ws)
    new_text = TRAINING + "- [Added](https://arxiv.org/abs/2410.16215v1), Oct. 21 2024.\n"
    (ws.root / "training.md").write_text(new_text, encoding="utf-8")
    doc = parse_list(new_text.encode())
    index.update_file("training.md", doc)
    assert [h.line for h in index.lookup("2410.16215")] == [12]
    assert index.documents()["training.md"] is doc
    parsed: list[int] = []
    real = listmodel.parse_list

    def counted(data: bytes) -> ListDocument:
        parsed.append(1)
        return real(data)

    monkeypatch.setattr(listmodel, "parse_list", counted)
    index.refresh()  # the stamp was taken by update_file: nothing to re-parse
    assert parsed == []
    assert [h.line for h in index.lookup("2409.11321") if h.list == "training.md"] == [5]


def test_concurrent_lookups_and_updates(ws) -> None:
    index = WorkspaceIndex.build(ws)
    errors: list[BaseException] = []
    docs = [parse_list(TRAINING.encode()), parse_list(TRAINING.replace("11321", "11322").encode())]

    def writer() -> None:
        try:
            for k in range(200):
                index.update_file("training.md", docs[k % 2])
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(400):
                hits = index.lookup("2409.11321") + index.lookup("2409.11322")
                assert {h.list for h in hits} <= {"training.md", "sub/alignment.md"}
                index.lookup_title("SOAP: Improving and stabilizing Shampoo using Adam")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer)] + [
        threading.Thread(target=reader) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(index.locations()) == 6


@pytest.mark.skipif(not SHARED_SEEDS.is_dir(), reason="shared seeds not present")
def test_seed_workspace_lookups(workspace_dir: Path) -> None:
    for seed in sorted(SHARED_SEEDS.glob("*.txt")):
        shutil.copyfile(seed, workspace_dir / f"{seed.stem}.md")
    index = WorkspaceIndex.build(open_workspace(workspace_dir))
    assert len(index) > 300
    # seed 000 lists https://arxiv.org/abs/2403.09472# and https://www.arxiv.org/pdf/2409.09603
    assert index.lookup("2403.09472v2")
    assert index.lookup("https://arxiv.org/abs/2409.09603v1")
    assert [h.list for h in index.lookup("https://aclanthology.org/2021.acl-long.353.pdf")] == [
        "002_796680ec3eaaa982.md"
    ]
    assert index.lookup("https://openreview.net/forum?id=3d5CIRG1n2")
    # seed 003/004 write http://arxiv.org/abs/<id>v1 links; any form finds them
    assert index.lookup("https://arxiv.org/pdf/2401.13160")


def test_refresh_does_not_undo_a_concurrent_update(ws, monkeypatch: pytest.MonkeyPatch) -> None:
    """A write (update_file) landing while refresh parses an older read wins over that read."""
    import papershelf.sync.listmodel as listmodel

    index = WorkspaceIndex.build(ws)
    path = ws.root / "training.md"
    _bump(path, TRAINING.replace("2409.11321", "2409.00001"))  # what refresh will read
    newer = TRAINING.replace("2409.11321", "2409.00002")
    real = listmodel.parse_list

    def parse_while_someone_writes(data: bytes):
        doc = real(data)
        if b"2409.00001" in data:
            _bump(path, newer)
            index.update_file("training.md", real(newer.encode()))
        return doc

    monkeypatch.setattr(listmodel, "parse_list", parse_while_someone_writes)
    index.refresh()
    assert index.lookup("2409.00001") == []
    assert [h.list for h in index.lookup("2409.00002")] == ["training.md"]
    monkeypatch.setattr(listmodel, "parse_list", real)
    index.refresh()  # the stamp update_file took is current: nothing changes
    assert [h.list for h in index.lookup("2409.00002")] == ["training.md"]


def test_concurrent_refresh_and_edits(ws) -> None:
    """Refreshes, edits on disk and lookups from several threads: no error, a consistent end."""
    index = WorkspaceIndex.build(ws)
    path = ws.root / "training.md"
    errors: list[BaseException] = []

    def editor() -> None:
        try:
            for k in range(30):
                _bump(path, TRAINING.replace("2409.11321", f"2409.{k:05d}"))
                index.refresh()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            for _ in range(200):
                index.refresh()
                assert len(index.lookup("2307.12966")) == 1
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=editor)] + [
        threading.Thread(target=reader) for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    index.refresh()
    assert [h.line for h in index.lookup("2409.00029")] == [5]
    assert len(index) == 6


def _index_state(index: WorkspaceIndex) -> tuple:
    """Everything lookups can see: every location, and the keys of every map."""
    return (
        index.locations(),
        {k: sorted(i.location.line for i in v) for k, v in index._keys.primary.items()},
        {k: sorted(i.location.line for i in v) for k, v in index._keys.secondary.items()},
        sorted(index._keys.titles),
    )


def test_adds_through_a_warm_index_keep_it_equal_to_a_fresh_build(
    ws, monkeypatch: pytest.MonkeyPatch
) -> None:
    from papershelf.sync.insert import add_paper
    from papershelf.sync.paper import Paper

    index = WorkspaceIndex.build(ws)

    def no_full_reindex(*args: object) -> None:
        raise AssertionError("an add through a warm index must not re-key the whole list")

    monkeypatch.setattr(index, "update_file", no_full_reindex)
    targets = [
        ("training.md", "Optimization"),
        ("training.md", "Pre-training"),
        ("sub/alignment.md", "Survey"),
        ("training.md", "Optimization"),
    ]
    for n, (list_path, section) in enumerate(targets):
        paper = Paper(
            arxiv_id=f"2501.{n:05d}",
            title=f"Incremental indexing study {n}",
            authors=("Ada Lovelace", "Alan Turing"),
            published="2025-01-02",
        )
        result = add_paper(ws, paper, list_path, section, index=index)
        assert result.status == "added"
        assert [h.line for h in index.lookup(f"2501.{n:05d}")] == [result.line]
        assert _index_state(index) == _index_state(WorkspaceIndex.build(ws))
        # The index holds the written bytes, so the next add re-reads nothing.
        data = (ws.root / list_path).read_bytes()
        assert index.current_document(list_path, data) is not None


def test_note_insertion_on_a_stale_document_reindexes_the_file(ws) -> None:
    index = WorkspaceIndex.build(ws)
    stale = parse_list(TRAINING.encode())  # not the document the index holds
    new_text = TRAINING + "- [Added](https://arxiv.org/abs/2410.16215v1), Oct. 21 2024.\n"
    (ws.root / "training.md").write_text(new_text, encoding="utf-8")
    new = stale.with_lines_inserted(
        len(stale.lines), ["- [Added](https://arxiv.org/abs/2410.16215v1), Oct. 21 2024."]
    )
    index.note_insertion("training.md", stale, new, len(stale.lines), 1)
    assert _index_state(index) == _index_state(WorkspaceIndex.build(ws))
    assert index.current_document("training.md", new_text.encode()) is new


BIG_TRAINING = (
    "# Training\n\n## Optimization\n\n"
    + "".join(
        f"- [Optimizer study {n}](https://arxiv.org/abs/2401.{n:05d}), Jan. 3 2024.\n"
        for n in range(30)
    )
    + "\n## Pre-training\n\n"
    + "".join(
        f"- [Pre-training study {n}](https://arxiv.org/abs/2402.{n:05d}), Feb. 9 2024.\n"
        for n in range(30)
    )
)

EDITS = {
    "insert in the middle": lambda t: t.replace(
        "- [Optimizer study 10]",
        "- [A person's addition](https://arxiv.org/abs/2403.00001), Mar. 1 2024.\n"
        "- [Optimizer study 10]",
    ),
    "delete an entry": lambda t: t.replace(
        "- [Optimizer study 5](https://arxiv.org/abs/2401.00005), Jan. 3 2024.\n", ""
    ),
    "retitle an entry": lambda t: t.replace("Pre-training study 7]", "Pretraining, revisited]"),
    "continuation line": lambda t: t.replace(
        "- [Optimizer study 3](https://arxiv.org/abs/2401.00003), Jan. 3 2024.\n",
        "- [Optimizer study 3](https://arxiv.org/abs/2401.00003), Jan. 3 2024.\n"
        "  [code](https://github.com/example/opt3)\n",
    ),
    "blank line inside": lambda t: t.replace("- [Optimizer study 20]", "\n- [Optimizer study 20]"),
    "at the top": lambda t: "> A note on top.\n\n" + t,
    "at the end": lambda t: t + "- [Last one](https://arxiv.org/abs/2404.00001), Apr. 1 2024.\n",
    "unclosed fence swallows the rest": lambda t: t.replace(
        "- [Optimizer study 25]", "```\n- [Optimizer study 25]"
    ),
    "fence in the last section": lambda t: t.replace(
        "- [Pre-training study 20]", "```\n- [Pre-training study 20]"
    ),
    "new heading": lambda t: t.replace(
        "- [Optimizer study 15]", "## Adaptive\n\n- [Optimizer study 15]"
    ),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_refresh_after_a_persons_edit_rekeys_only_what_changed(
    workspace_dir: Path, edit: str
) -> None:
    from papershelf.sync.reindex import plan_reuse

    path = workspace_dir / "training.md"
    path.write_text(BIG_TRAINING, encoding="utf-8")
    ws = open_workspace(workspace_dir)
    index = WorkspaceIndex.build(ws)
    old_doc = index.documents()["training.md"]
    _bump(path, EDITS[edit](BIG_TRAINING))
    new_doc = parse_list(path.read_bytes())
    reuse = plan_reuse(old_doc, new_doc)
    if edit in ("new heading", "unclosed fence swallows the rest"):
        assert reuse is None  # the headings differ: the whole list is keyed again
    else:
        assert reuse is not None
        # Only the edited entries are read again (a fence hides what follows it: none to read).
        assert len(reuse.changed) <= 2
    index.refresh()
    assert _index_state(index) == _index_state(WorkspaceIndex.build(ws))


def test_entries_of_a_latin1_list_read_in_its_encoding(workspace_dir: Path) -> None:
    """Lookup answers show `Réseaux`, not an escape of the byte 0xE9; a title finds it."""
    data = b"# Liste\n\n## Fin\n\n- [R\xe9seaux neuronaux](https://arxiv.org/abs/2401.00001)\n"
    (workspace_dir / "training.md").write_bytes(data)
    index = WorkspaceIndex.build(open_workspace(workspace_dir))
    (hit,) = index.lookup("2401.00001")
    assert hit.entry == "- [Réseaux neuronaux](https://arxiv.org/abs/2401.00001)"
    assert hit.title == "Réseaux neuronaux"
    assert [loc.line for loc, _ in index.lookup_title("Réseaux neuronaux")] == [5]
    assert (workspace_dir / "training.md").read_bytes() == data
