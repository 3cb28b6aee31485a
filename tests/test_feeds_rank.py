"""Ranking and section suggestion: learned from the lists' own entries, explained, measured."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SHARED_SEEDS
from feeds_http import fixture_bytes

from papershelf.feeds.evaluate import main as evaluate_main
from papershelf.feeds.evaluate import time_split
from papershelf.feeds.knowledge import document_knowledge, fit_ranker
from papershelf.feeds.rank import (
    KnownEntry,
    Ranker,
    SectionRef,
    normalize_text,
    surface_words,
    word_tokens,
)
from papershelf.feeds.text import _word_analyzer
from papershelf.sync.listmodel import parse_list

TRAINING = fixture_bytes("lists/training.md")
OTHER = b"""# Systems

## Inference serving

- [Paged Attention for Serving Large Language Models](https://arxiv.org/abs/2309.06180), 2023.
- [Speculative Decoding With Small Draft Models](https://arxiv.org/abs/2302.01318), 2023.
- [Continuous Batching for LLM Inference Servers](https://arxiv.org/abs/2401.11111), 2024.

## Contents

- [Inference serving](#inference-serving)
- [Elsewhere](#elsewhere)
"""


@pytest.fixture(scope="module")
def ranker() -> Ranker:
    return fit_ranker({"training.md": parse_list(TRAINING), "systems.md": parse_list(OTHER)})


def test_sections_offered(ranker: Ranker) -> None:
    offered = [(s.list, s.section) for s in ranker.sections]
    assert ("training.md", "Training notes > Alignment") in offered
    # A fresh empty leaf can receive papers; a container heading and a links-only section cannot.
    assert ("training.md", "Training notes > Surveys") in offered
    assert ("training.md", "Training notes") not in offered
    assert ("systems.md", "Systems > Contents") not in offered
    assert ("systems.md", "Systems > Inference serving") in offered


@pytest.mark.parametrize(
    ("title", "section"),
    [
        (
            "Preference optimization with a learned reward model for RLHF",
            "Training notes > Alignment",
        ),
        (
            "Low-rank adapters that merge at inference",
            "Training notes > Parameter-efficient fine-tuning",
        ),
        (
            "A learning rate schedule without warmup for large batches",
            "Training notes > Optimization",
        ),
        ("Scaling laws for pretraining data mixtures", "Training notes > Pre-training"),
        ("Batching requests in an LLM inference server", "Systems > Inference serving"),
    ],
)
def test_obvious_papers_go_to_their_section(ranker: Ranker, title: str, section: str) -> None:
    best = ranker.suggest(title)[0]
    assert best.section == section
    assert 0 < best.score <= 1
    assert best.why, "a suggestion says which words explain it"
    assert best.similar


def test_why_words_are_the_papers_own_words(ranker: Ranker) -> None:
    best = ranker.suggest("Rewards and preferences: aligning models with human feedback")[0]
    assert best.section == "Training notes > Alignment"
    assert set(best.why) <= {"rewards", "preferences", "aligning", "models", "human", "feedback"}
    assert "preferences" in best.why or "rewards" in best.why
    data = best.to_dict()
    assert set(data) == {"list", "section", "score", "why", "similar"}


def test_heading_alone_places_papers_in_an_empty_section(ranker: Ranker) -> None:
    sections = [
        s.section for s in ranker.suggest("A survey of surveys on language model training", top_k=3)
    ]
    assert "Training notes > Surveys" in sections


def test_lists_restrict_suggestions(ranker: Ranker) -> None:
    (suggestions,), (per_list,) = ranker.rank_with_lists(
        ["Speculative decoding for inference"], lists=["training.md"]
    )
    assert {s.list for s in suggestions} == {"training.md"}
    assert set(per_list) == {"training.md"}
    _, (both,) = ranker.rank_with_lists(["Speculative decoding for inference"])
    assert both["systems.md"] > both["training.md"]


def test_scores_are_ordered_and_bounded(ranker: Ranker) -> None:
    matrix = ranker.score_matrix(
        ["Direct preference optimization", "Sheaf cohomology of citation graphs"]
    )
    assert matrix.shape == (2, len(ranker.sections))
    assert (matrix >= 0).all() and (matrix <= 1).all()
    assert matrix[0].max() > matrix[1].max()  # relevant beats irrelevant


def test_no_lists_no_suggestions() -> None:
    empty = Ranker.fit([], [])
    assert empty.empty and empty.rank(["anything"]) == [[]]
    only_heading = Ranker.fit([SectionRef("a.md", "Robotics", "Robotics")], [])
    assert only_heading.suggest("Robotics grasping")[0].section == "Robotics"


def test_text_normalisation() -> None:
    assert normalize_text("Pre-Training & Fine‑Tuning") == "pre-training & fine-tuning"
    assert word_tokens("training the models via adapters") == ["train", "model", "adapter"]
    assert surface_words("Training models", ["train", "model"]) == ("training", "models")
    assert surface_words("Pre-training at scale", ["pretrain"]) == ("pre-training",)


def test_compounds_match_however_written() -> None:
    """`instruction tuning`, `instruction-tuning` and `instructiontuning` share a word term."""
    terms = [
        set(_word_analyzer(normalize_text(t)))
        for t in ("Instruction tuning", "Instruction-tuning", "InstructionTuning")
    ]
    assert "instructiontun" in terms[0] & terms[1] & terms[2]
    assert "pretrain" in set(_word_analyzer("pre-training")) & set(_word_analyzer("pretraining"))


def test_an_empty_section_competes_on_its_heading() -> None:
    """A fresh heading with no entry yet stands in for its own centroid."""
    sections = [
        SectionRef("l.md", "Alignment", "Alignment"),
        SectionRef("l.md", "Robotics", "Robotics"),
    ]
    entries = [
        KnownEntry("l.md", "Alignment", t, t)
        for t in (
            "Reward models for alignment",
            "Preference data for alignment",
            "Learning policies from human feedback",
        )
    ]
    ranker = Ranker.fit(sections, entries)
    assert ranker.suggest("Robotics: reward models for grasping")[0].section == "Robotics"
    assert ranker.suggest("Reward models and preference data")[0].section == "Alignment"


def test_knowledge_uses_titles_tags_and_notes() -> None:
    doc = parse_list(
        b"# L\n\n## A\n\n- [Title One](https://arxiv.org/abs/2401.00001), 2024. `rlhf`.\n"
    )
    sections, entries = document_knowledge("l.md", doc)
    assert [s.section for s in sections] == ["L > A"]
    assert entries[0].text == "Title One rlhf" and entries[0].title == "Title One"


SEEDS = sorted(SHARED_SEEDS.glob("*.txt")) if SHARED_SEEDS.is_dir() else []


def test_time_split_follows_a_renamed_section() -> None:
    """An older paper is knowledge for the section the newer list files it in."""
    older = (
        b"# L\n\n## RLHF\n\n"
        b"- [Reward models for RLHF](https://arxiv.org/abs/2401.00001), 2024.\n"
        b"- [Preference data for reward models](https://arxiv.org/abs/2401.00002), 2024.\n"
        b"\n## Systems\n\n- [Sparse attention kernels](https://arxiv.org/abs/2401.00003), 2024.\n"
        b"- [Attention kernels on GPUs](https://arxiv.org/abs/2401.00004), 2024.\n"
    )
    newer = older.replace(b"## RLHF", b"## Alignment and feedback") + (
        b"\n## Alignment and feedback, again\n\n"
        b"- [Scaling reward models](https://arxiv.org/abs/2401.00005), 2024.\n"
    )
    newer = newer.replace(
        b"- [Preference data for reward models](https://arxiv.org/abs/2401.00002), 2024.\n",
        b"- [Preference data for reward models](https://arxiv.org/abs/2401.00002), 2024.\n"
        b"- [Reward models from preference data](https://arxiv.org/abs/2401.00006), 2024.\n",
    )
    result = time_split(older, newer)
    by_title = {q.title: q for q in result.questions}
    renamed = by_title["Reward models from preference data"]
    assert renamed.gold == "L > Alignment and feedback"
    assert renamed.known_section and not renamed.same_heading
    assert renamed.top1
    assert not by_title["Scaling reward models"].known_section  # a new, empty section
    # Read as written, the old section's papers are lost with its old name.
    strict = {q.title: q for q in time_split(older, newer, as_written=True).questions}
    assert not strict["Reward models from preference data"].known_section


@pytest.mark.skipif(len(SEEDS) < 2, reason="shared seeds absent")
def test_time_split_on_the_seeds() -> None:
    """Seed 000 is the knowledge, the papers 001 adds are the questions (docs/design-notes/ranking.md)."""
    result = time_split(SEEDS[0].read_bytes(), SEEDS[1].read_bytes()).to_dict()
    assert result["questions"] == 84
    # 49 in sections 000 had under the same heading, 18 in the section 001 split off from
    # "Peft techniques" (7 of 000's papers moved there), 17 in two sections no paper of 000 is in.
    assert result["known_section_questions"] == 67
    assert result["same_heading_questions"] == 49
    assert result["heading_only_questions"] == 17
    # Measured (docs/design-notes/ranking.md): 0.607/0.798 all, 0.731/0.925 answerable, 0.816/0.939 same heading.
    assert result["top1"] >= 0.58 and result["top3"] >= 0.77
    assert result["known_top1"] >= 0.70 and result["known_top3"] >= 0.90
    assert result["same_heading_top1"] >= 0.80 and result["same_heading_top3"] >= 0.93
    strict = time_split(SEEDS[0].read_bytes(), SEEDS[1].read_bytes(), as_written=True).to_dict()
    # Each of 000's papers kept in its 000 section: the 49 are the answerable ones (0.837/0.959).
    assert strict["known_section_questions"] == 49
    assert strict["known_top1"] >= 0.80 and strict["known_top3"] >= 0.95


def test_evaluate_names_a_list_it_cannot_read_in_one_line(tmp_path: Path) -> None:
    """`python -m papershelf.feeds.evaluate` with a wrong path: one line naming it, no traceback."""
    missing = tmp_path / "000.md"
    with pytest.raises(SystemExit) as exited:
        evaluate_main([str(missing), str(missing)])
    assert str(exited.value) == f"evaluate: cannot read {missing}: No such file or directory"
