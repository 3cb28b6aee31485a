"""Relevance per list (pure): learned against a background, calibrated, explained by the list."""

from __future__ import annotations

import numpy as np
import pytest
from feeds_http import fixture_bytes

from papershelf.feeds.calibration import Calibration, expected_keepers, fit_calibration
from papershelf.feeds.knowledge import document_knowledge, list_papers
from papershelf.feeds.models import Fitted, ModelCache
from papershelf.feeds.relevance import ListPapers, fit_relevance
from papershelf.sync.listmodel import parse_list

TRAINING = parse_list(fixture_bytes("lists/training.md"))

#: A day of a feed: some papers a training list keeps, many it does not.
BACKGROUND = [
    "Graph neural networks for molecule property prediction",
    "Speech recognition with streaming transducers on device",
    "Sheaf cohomology of citation graphs",
    "A benchmark of table question answering",
    "Protein folding with equivariant transformers",
    "Retrieval-augmented generation for open-domain question answering",
    "Robot grasping from tactile feedback",
    "Federated learning under differential privacy",
    "Image segmentation with diffusion priors",
    "Traffic forecasting with spatio-temporal graphs",
    "Music generation with hierarchical tokenizers",
    "Code search with contrastive embeddings",
    "Satellite imagery change detection",
    "Legal document summarization in low-resource languages",
    "Causal discovery from time series",
    "Weather nowcasting with neural operators",
]
ON_TOPIC = [
    "Reward model overoptimization in preference alignment",
    "Learning rate schedules for large batch pretraining",
    "Low-rank adapters merged across tasks",
]


def test_on_topic_papers_rank_above_the_background() -> None:
    model = fit_relevance([list_papers("training.md", TRAINING)], BACKGROUND + ON_TOPIC)
    scores = model.score(ON_TOPIC + BACKGROUND[:6])[:, 0]
    assert scores[:3].min() > scores[3:].max()
    assert ((scores >= 0) & (scores <= 1)).all()


def test_why_names_the_lists_own_papers_and_the_words() -> None:
    model = fit_relevance([list_papers("training.md", TRAINING)], BACKGROUND + ON_TOPIC)
    (best, *_), *_ = model.relevance(["Reward hacking in RLHF preference models"])
    assert best.list == "training.md"
    assert "reward" in best.words or "hacking" in best.words
    assert set(best.words) <= {"reward", "hacking", "rlhf", "preference", "models"}
    assert best.papers and best.papers[0] in {
        "Reward Model Ensembles Against Reward Hacking",
        "Reward Hacking Under Distribution Shift in RLHF",
    }
    assert set(best.to_dict()) == {"list", "score", "words", "papers"}


def test_each_list_is_told_from_the_others() -> None:
    systems = ListPapers(
        "systems.md",
        texts=(
            "Paged attention for serving large language models",
            "Speculative decoding with small draft models",
            "Continuous batching for LLM inference servers",
        ),
        titles=("Paged attention", "Speculative decoding", "Continuous batching"),
    )
    model = fit_relevance([list_papers("training.md", TRAINING), systems], BACKGROUND)
    scores = model.score(["Speculative decoding for faster inference serving"])[0]
    assert model.lists == ["training.md", "systems.md"]
    assert scores[1] > scores[0]


def test_a_flat_list_is_one_section_and_learns_its_papers() -> None:
    flat = parse_list(
        b"- [Reward models for RLHF](https://arxiv.org/abs/2401.00001)\n"
        b"- [Preference data for reward models](https://arxiv.org/abs/2401.00002)\n"
        b"- [Direct preference optimization at scale](https://arxiv.org/abs/2401.00003)\n"
    )
    sections, entries = document_knowledge("flat.md", flat)
    assert [s.section for s in sections] == [""] and len(entries) == 3
    papers = list_papers("flat.md", flat)
    assert not papers.from_headings and len(papers.texts) == 3
    model = fit_relevance([papers], BACKGROUND)
    scores = model.score(["Reward models trained on preference data", BACKGROUND[0]])[:, 0]
    assert scores[0] > scores[1]


def test_a_list_with_headings_but_no_papers_learns_from_its_headings() -> None:
    fresh = parse_list(b"# Reading\n\n## Speech recognition\n\n## Robot grasping\n")
    papers = list_papers("reading.md", fresh)
    assert papers.from_headings
    assert set(papers.texts) == {"Reading", "Speech recognition", "Robot grasping"}
    model = fit_relevance([papers], BACKGROUND[4:])
    scores = model.score(["Streaming speech recognition", "Sheaf cohomology"])[:, 0]
    assert scores[0] > scores[1]


def test_rejected_papers_push_their_kind_down() -> None:
    base = fit_relevance([list_papers("training.md", TRAINING)], BACKGROUND)
    rejected = [
        "Reward shaping for robot locomotion",
        "Reward design in multi-agent games",
        "Reward machines for task specification",
    ]
    taught = fit_relevance([list_papers("training.md", TRAINING)], BACKGROUND, rejected=rejected)
    probe = ["Reward shaping for legged robots"]
    assert taught.score(probe)[0, 0] < base.score(probe)[0, 0]


def test_calibration_is_increasing_and_reads_as_a_share_kept() -> None:
    rng = np.random.default_rng(0)
    own = rng.normal(2.0, 1.0, 200)  # the list's papers score high
    feed = np.concatenate([rng.normal(-2.0, 1.0, 990), rng.normal(2.0, 1.0, 10)])
    keepers = expected_keepers(own, feed)
    assert 5 <= keepers <= 40  # ten feed papers score like the list's own
    curve = fit_calibration(own, feed)
    values = curve.apply(np.linspace(-4, 5, 50))
    assert (np.diff(values) > 0).all()
    assert curve.apply(np.array([-2.0]))[0] < 0.05 < 0.5 < curve.apply(np.array([3.5]))[0]


def test_decisions_move_the_calibration() -> None:
    base = Calibration(1.0, 0.0)
    margins = np.array([0.0, 0.1, 0.2, -0.1, 0.05, 0.15])
    declined = fit_calibration(np.array([1.0, 2.0]), np.array([]), None, margins)
    accepted = fit_calibration(np.array([1.0, 2.0]), np.array([]), margins, None)
    at = np.array([0.5])
    assert declined.apply(at)[0] < accepted.apply(at)[0]
    assert declined.decisions == accepted.decisions == len(margins)
    assert base.apply(np.array([0.0]))[0] == np.float32(0.5)


def test_a_stale_model_serves_while_a_new_one_is_fitted() -> None:
    import threading

    cache = ModelCache()
    old = Fitted("v1", None, None)  # type: ignore[arg-type]
    new = Fitted("v2", None, None)  # type: ignore[arg-type]
    cache.install(old)
    release = threading.Event()

    def slow_fit() -> Fitted:
        release.wait(10)
        return new

    assert cache.get("v2", slow_fit, wait=False) is old  # at once, while the fit runs
    assert cache.get("v2", slow_fit, wait=False) is old  # one fit at a time
    release.set()
    assert cache.wait_idle(10)
    assert cache.get("v2", slow_fit, wait=False) is new


def test_a_capped_list_is_sampled_as_the_fit_samples_it() -> None:
    """`index_papers(..., cap)` builds only the sampled papers' texts: the same ones the fit would
    pick from all of them."""
    from papershelf.feeds.knowledge import _list_papers, _parsed
    from papershelf.feeds.relevance import even_sample

    outline, papers = _parsed("training.md", TRAINING)
    full = _list_papers("training.md", outline, papers, {})
    capped = _list_papers("training.md", outline, papers, {}, cap=3)
    picked = even_sample(len(full.texts), 3)
    assert len(full.texts) > 3
    assert capped.texts == tuple(full.texts[k] for k in picked)
    assert capped.titles == tuple(full.titles[k] for k in picked)


def test_a_fit_from_the_last_model_ranks_as_a_fit_from_scratch() -> None:
    """A poll's fit starts from the last one (its counts and weights): the same optimum."""
    lists = [list_papers("training.md", TRAINING)]
    yesterday = fit_relevance(lists, BACKGROUND[:8] + ON_TOPIC[:1])
    today = BACKGROUND[8:] + ON_TOPIC[1:]
    cold = fit_relevance(lists, today)
    warm = fit_relevance(lists, today, previous=yesterday)
    probe = ON_TOPIC + BACKGROUND
    a, b = cold.margins(probe)[0][:, 0], warm.margins(probe)[0][:, 0]
    assert np.argsort(-a).tolist() == np.argsort(-b).tolist()
    assert np.allclose(a, b, atol=0.02)
    # It remembers the counts of what it learned from, and only that.
    assert warm.featurizer is not None and yesterday.featurizer is not None
    counts = warm.featurizer.counts
    assert set(counts.rows) == set(lists[0].texts) | set(today)
    assert set(yesterday.featurizer.counts.rows) == set(lists[0].texts) | set(
        BACKGROUND[:8] + ON_TOPIC[:1]
    )


def test_the_counts_of_remembered_and_new_texts_are_those_of_a_fresh_count() -> None:
    from scipy import sparse

    from papershelf.feeds.features import TermCounts
    from papershelf.feeds.terms import TermTable, view_counts

    counts = TermCounts()
    counts.counts(BACKGROUND[:5], remember=True)
    asked = [BACKGROUND[2], "Unseen words: graph reward hacking", BACKGROUND[0]]
    ours = counts.counts(asked, remember=False)
    fresh_tables = (TermTable(), TermTable())
    fresh = view_counts(asked, *fresh_tables)
    for mine, table, theirs, their_table in zip(
        ours, (counts.words, counts.grams), fresh, fresh_tables, strict=True
    ):
        named = {(i, table.names[j]): v for i, j, v in zip(*sparse.find(mine), strict=True)}
        expected = {
            (i, their_table.names[j]): v
            for i, j, v in zip(*sparse.find(theirs), strict=True)
            if their_table.names[j] in table.column  # a term no remembered text has: unknown
        }
        assert named == expected
    assert set(counts.rows) == set(BACKGROUND[:5])  # the asked new text is not remembered


def test_stale_terms_are_dropped_and_weights_follow_their_terms() -> None:
    from papershelf.feeds import features

    lists = [list_papers("training.md", TRAINING)]
    first = fit_relevance(lists, BACKGROUND)
    assert first.featurizer is not None
    old_words = first.featurizer.counts.words
    # Pretend many polls went by: the tables hold far more terms than the remembered texts use.
    for k in range(2 * features._SLACK):
        old_words.columns([f"stale{k}"], grow=True)
    second = fit_relevance(lists, BACKGROUND, previous=first)
    assert second.featurizer is not None
    new_words = second.featurizer.counts.words
    assert len(new_words) < len(old_words) and "stale0" not in new_words.column
    term = next(t for t in ("reward", "rlhf", "train") if t in new_words.column)
    carried = second.featurizer.carry(first.models[0].coef, first.featurizer)
    assert carried[new_words.column[term]] == pytest.approx(
        first.models[0].coef[old_words.column[term]]
    )
