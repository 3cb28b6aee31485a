"""A command reuses the section ranker an earlier one fitted, while the lists are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from feeds_http import FEED_FIXTURES

import feeds.models as models_module
from feeds.models import saved_models
from feeds.poll import Poller
from sync.workspace import Workspace, load_config


def make_ws(root: Path) -> Workspace:
    (root / ".papershelf").mkdir(parents=True)
    shutil.copyfile(FEED_FIXTURES / "lists" / "training.md", root / "training.md")
    return Workspace(root, load_config(root))


def test_the_section_ranker_is_saved_and_reused_until_a_list_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_ws(tmp_path / "ws")
    first = Poller(ws).ranker()
    assert saved_models(Poller(ws).index).path.exists()
    fits: list[int] = []
    real = models_module.fit_index_ranker

    def counted(*args: Any, **kwargs: Any) -> Any:
        fits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(models_module, "fit_index_ranker", counted)
    again = Poller(ws).ranker()  # a new command: the saved one
    assert fits == [] and [s.section for s in again.sections] == [s.section for s in first.sections]
    with (ws.root / "training.md").open("a", encoding="utf-8") as f:
        f.write("\n## Systems\n\n- [Paged attention](https://arxiv.org/abs/2309.06180), 2023.\n")
    changed = Poller(ws).ranker()
    assert fits == [1] and "Training notes > Systems" in {s.section for s in changed.sections}


def test_a_damaged_saved_model_is_fitted_again(tmp_path: Path) -> None:
    ws = make_ws(tmp_path / "ws")
    poller = Poller(ws)
    poller.ranker()
    saved_models(poller.index).path.write_bytes(b"not a pickle")
    assert Poller(ws).ranker().sections
