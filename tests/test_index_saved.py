"""The saved index: a restart reads it instead of parsing; a changed list is parsed again."""

from __future__ import annotations

from pathlib import Path

import pytest

import papershelf.sync.index as index_module
from papershelf.sync.index import WorkspaceIndex
from papershelf.sync.index_cache import cache_dir
from papershelf.sync.insert import add_paper
from papershelf.sync.listmodel import ListDocument
from papershelf.sync.paper import Paper
from papershelf.sync.workspace import open_workspace

TRAINING = """\
# Training

## Optimization

- [SOAP: Improving and stabilizing Shampoo using Adam](https://arxiv.org/abs/2409.11321), Sep. 17 2024.
- [MARS: Unleashing the Power of Variance Reduction](https://arxiv.org/pdf/2411.10438v2), Nov. 15 2024. `optimizer`.

## Pre-training

- [Analyzing & Eliminating Learning Rate Warmup](https://openreview.net/pdf?id=RveSp5oESA), 2024.

## Surveys
"""
OTHER = "# Other\n\n- [Sheaf Cohomology of Citation Graphs](https://arxiv.org/abs/2501.00001)\n"


@pytest.fixture
def root(workspace_dir: Path) -> Path:
    (workspace_dir / "training.md").write_text(TRAINING, encoding="utf-8")
    (workspace_dir / "other.md").write_text(OTHER, encoding="utf-8")
    return workspace_dir


def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count every list parse from now on."""
    import papershelf.sync.listmodel as listmodel

    calls: list[int] = []
    real = listmodel.parse_list

    def counting(data: bytes) -> ListDocument:
        calls.append(len(data))
        return real(data)

    monkeypatch.setattr(listmodel, "parse_list", counting)
    return calls


def answers(index: WorkspaceIndex) -> tuple:
    """What the index answers, to compare a parsed index with a loaded one."""
    return (
        index.lookup("2409.11321"),
        index.lookup("https://openreview.net/forum?id=RveSp5oESA"),
        index.lookup_title("MARS Unleashing the Power of Variance"),
        index.locations(),
        index.outlines(),
        index.papers(),
    )


def test_a_restart_reads_the_saved_index_without_parsing(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = open_workspace(root)
    first = WorkspaceIndex.build(ws)
    calls = parses(monkeypatch)
    again = WorkspaceIndex.build(ws)
    assert calls == []  # nothing parsed
    assert answers(again) == answers(first)
    mars = again.papers()["training.md"][1]
    assert mars.section == "Training > Optimization" and mars.text.endswith("optimizer")
    surveys = next(s for s in again.outlines()["training.md"] if s.title == "Surveys")
    assert surveys.paper_entries == 0 and not surveys.entries and not surveys.children
    assert again.document("training.md") is not None  # built when asked for
    assert len(calls) == 1


def test_a_list_changed_meanwhile_is_parsed_again(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = open_workspace(root)
    WorkspaceIndex.build(ws)
    with (root / "other.md").open("a", encoding="utf-8") as f:
        f.write("- [Toric Codes for Citation Networks](https://arxiv.org/abs/2501.00002)\n")
    calls = parses(monkeypatch)
    again = WorkspaceIndex.build(ws)
    assert calls == [len((root / "other.md").read_bytes())]  # only the changed list
    assert again.lookup("2501.00002")[0].title == "Toric Codes for Citation Networks"


def test_a_clip_into_a_loaded_list_is_indexed_and_saved(root: Path) -> None:
    ws = open_workspace(root)
    WorkspaceIndex.build(ws)
    loaded = WorkspaceIndex.build(ws)
    paper = Paper(
        url="https://arxiv.org/abs/2502.00003",
        arxiv_id="2502.00003",
        title="Muon Is Scalable for LLM Training",
    )
    result = add_paper(ws, paper, "training.md", "Training > Optimization", index=loaded)
    assert result.status == "added"
    assert loaded.lookup("2502.00003")[0].line == result.line
    optimization = next(s for s in loaded.outlines()["training.md"] if s.title == "Optimization")
    assert optimization.paper_entries == 3
    loaded.save()
    third = WorkspaceIndex.build(ws)
    assert third.lookup("2502.00003")[0].line == result.line
    assert answers(third) == answers(WorkspaceIndex(ws).__class__.build(ws))


def test_a_damaged_saved_index_is_ignored(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = open_workspace(root)
    first = WorkspaceIndex.build(ws)
    for path in cache_dir(ws.root).iterdir():
        path.write_bytes(b"not a saved index")
    calls = parses(monkeypatch)
    again = WorkspaceIndex.build(ws)
    assert len(calls) == 2 and answers(again) == answers(first)


def test_nothing_is_saved_for_a_list_that_cannot_be_read(root: Path) -> None:
    ws = open_workspace(root)
    index = WorkspaceIndex.build(ws)
    assert index_module.WorkspaceIndex is WorkspaceIndex
    (root / "other.md").unlink()
    index.refresh()
    index.save()
    assert index.list_paths() == ["training.md"]


def test_changes_are_saved_once_they_pause(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    from papershelf.sync import index_cache

    monkeypatch.setattr(index_cache, "SAVE_QUIET_SECONDS", 0.2)
    saved: list[set[str]] = []
    done = threading.Event()

    def snapshot(paths: set[str]) -> list[tuple]:
        saved.append(set(paths))
        done.set()
        return []

    saver = index_cache.DelayedSaver(tmp_path, snapshot)
    for name in ("a.md", "b.md", "a.md"):
        saver.changed(name)
    assert saved == []  # not during the burst
    assert done.wait(10)
    assert saved == [{"a.md", "b.md"}]  # once, with every list changed
