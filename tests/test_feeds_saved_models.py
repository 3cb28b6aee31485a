"""A command reuses the section ranker an earlier one fitted, while the lists are unchanged."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from feeds_http import FEED_FIXTURES

import papershelf.feeds.models as models_module
from papershelf.feeds.models import saved_models
from papershelf.feeds.poll import Poller
from papershelf.sync.workspace import Workspace, load_config


def make_ws(root: Path) -> Workspace:
    (root / ".papershelf").mkdir(parents=True)
    shutil.copyfile(FEED_FIXTURES / "lists" / "training.md", root / "training.md")
    return Workspace(root, load_config(root))


def count_ranker_fits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that gets one item per section-ranker fit from now on."""
    fits: list[int] = []
    real = models_module.fit_index_ranker

    def counted(*args: Any, **kwargs: Any) -> Any:
        fits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(models_module, "fit_index_ranker", counted)
    return fits


def test_the_section_ranker_is_saved_and_reused_until_a_list_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = make_ws(tmp_path / "ws")
    first = Poller(ws).ranker()
    assert saved_models(Poller(ws).index).path.exists()
    fits = count_ranker_fits(monkeypatch)
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


def test_the_next_command_starts_its_relevance_fit_from_the_last_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each poll saves its relevance model; the next command's fit starts from it (its term
    counts and weights), and a damaged file only means starting from zero."""
    import papershelf.feeds.learn as learn_module
    from papershelf.feeds.models import LAST_RELEVANCE, saved_relevance
    from papershelf.feeds.parse import parse_feed
    from papershelf.feeds.relevance import RelevanceModel

    ws = make_ws(tmp_path / "ws")
    feed = parse_feed((FEED_FIXTURES / "rss" / "arxiv_cs.CL+cs.LG_mixed.xml").read_bytes())
    starts: list[object] = []
    real = learn_module.fit_relevance

    def spy(*args: Any, **kwargs: Any) -> RelevanceModel:
        starts.append(kwargs.get("previous"))
        return real(*args, **kwargs)

    monkeypatch.setattr(learn_module, "fit_relevance", spy)
    first = Poller(ws)
    first.ingest("cl", feed)
    saved = saved_relevance(first.index)
    assert isinstance(saved.load(LAST_RELEVANCE), RelevanceModel)
    Poller(ws).ingest("cl", feed)  # a new command
    assert starts[0] is None and isinstance(starts[1], RelevanceModel)
    saved.path.write_bytes(b"damaged")
    Poller(ws).ingest("cl", feed)
    assert starts[2] is None


def test_new_abstracts_refit_the_section_ranker_only_once_they_are_a_tenth_of_the_papers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each online poll fetches some listed papers' abstracts: a poll does not refit the section
    ranker for each few of them (seconds on a big workspace), only every tenth of the papers."""
    from papershelf.feeds.models import abstracts_generation

    assert abstracts_generation(5_000, 50_000) == abstracts_generation(5_200, 50_000) == 1
    assert abstracts_generation(10_000, 50_000) == 2
    assert abstracts_generation(49, 20) == 0 and abstracts_generation(50, 20) == 1
    ws = make_ws(tmp_path / "ws")
    Poller(ws).ranker()
    fits = count_ranker_fits(monkeypatch)
    poller = Poller(ws)
    some = {f"arxiv:2401.{k:05d}": "An abstract." for k in range(49)}
    poller.rankers.get(poller.index, some)
    assert fits == []  # a stale ranker serves: 49 new abstracts are not worth a refit
    poller.rankers.get(poller.index, {**some, "arxiv:2401.99999": "One more."})
    assert fits == [1]
