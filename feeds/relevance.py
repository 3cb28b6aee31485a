"""Whether a paper belongs in a list at all: one relevance model per list (pure core).

Each list is learned as arxiv-sanity learns a tag: a linear classifier over TF-IDF vectors with
the list's own papers as positives against everything else the feeds showed (the unlabeled
background of the polls, as arxiv-sanity uses its whole database), the papers the curators
rejected, and the other lists' papers. The section is chosen afterwards, only among lists where
the paper is relevant (`papershelf.feeds.rank`). A list with headings but no paper entries yet is known by
its headings. Scores are calibrated (`papershelf.feeds.calibration`): a relevance of 0.3 means that about
three in ten papers proposed at that score are ones the curator keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
from scipy import sparse

from .calibration import Calibration, fit_calibration
from .features import Featurizer
from .logistic import fit_logistic
from .terms import unit_rows
from .text import WHY_WORDS, surface_words

#: A list learns from at most this many of its papers (evenly spread over the list): a 10,000-entry
#: list fits in a fraction of a second, and a topic is well described by a thousand examples.
MAX_POSITIVES_PER_LIST = 1_000
#: The background (feed items, other lists' papers) the model sees per fit, newest first.
MAX_BACKGROUND = 2_000
#: The other lists' papers a list is told apart from, at most (evenly spread over them).
MAX_OTHER_LISTS = 1_000
#: A rejected paper is a negative the curator chose, not a guess: it weighs this many background
#: papers.
REJECTED_WEIGHT = 3.0
#: L2 strength of the logistic regression. Fitted to convergence (`TOLERANCE`), 1.5 ranks as
#: scikit-learn's default 1.0 did when its fit stopped early (design note
#: docs/design-notes/relevance.md; arxiv-sanity's SVM uses 0.1 with hinge loss).
REGULARISATION_C = 1.5
#: The fit goes on until no gradient component exceeds this: close enough to the optimum that a
#: fit started from the last poll's weights ranks as one started from zero (at scikit-learn's
#: 1e-3 the end point depended on the start, and a warm start moved a list's AP by up to 0.1).
TOLERANCE = 1e-4
#: How many of the list's own papers a relevance names as the reason.
WHY_PAPERS = 2


@dataclass(frozen=True)
class ListPapers:
    """What one list knows: its papers' texts and titles (or its headings, when it has none)."""

    list: str
    texts: tuple[str, ...]
    titles: tuple[str, ...]
    from_headings: bool = False


@dataclass(frozen=True)
class Relevance:
    """How relevant a paper is to one list (0..1, calibrated), and why."""

    list: str
    score: float
    words: tuple[str, ...] = ()
    papers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """`{"list", "score", "words", "papers"}`."""
        return {
            "list": self.list,
            "score": round(self.score, 4),
            "words": list(self.words),
            "papers": list(self.papers),
        }


@dataclass
class _ListModel:
    """One list's fitted classifier, its calibration and its own papers (for the why)."""

    name: str
    coef: np.ndarray
    intercept: float
    calibration: Calibration
    paper_vecs: Any
    paper_titles: tuple[str, ...]
    from_headings: bool
    centroid: np.ndarray | None = None


@dataclass
class RelevanceModel:
    """Relevance of papers to every list of a workspace; `score` gives papers x lists."""

    featurizer: Featurizer | None
    models: list[_ListModel] = field(default_factory=list)

    @property
    def lists(self) -> list[str]:
        """The lists, in the order of `score`'s columns."""
        return [m.name for m in self.models]

    @property
    def empty(self) -> bool:
        """Whether no list can be scored."""
        return self.featurizer is None or not self.models

    def margins(self, texts: Sequence[str]) -> tuple[np.ndarray, Any]:
        """The classifiers' raw margins (papers x lists) and the papers' vectors."""
        if self.empty or not texts:
            return np.zeros((len(texts), len(self.models)), dtype=np.float32), None
        assert self.featurizer is not None
        vecs = self.featurizer.transform(texts)
        coef = np.vstack([m.coef for m in self.models]).T
        raw = np.asarray(vecs @ coef) + np.array([m.intercept for m in self.models])
        return raw.astype(np.float32), vecs

    def score(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated relevance (papers x lists), each in 0..1."""
        return self.assess(texts)[0]

    def assess(self, texts: Sequence[str]) -> tuple[np.ndarray, Any]:
        """Calibrated relevance (papers x lists) and the papers' vectors (for `why`)."""
        raw, vecs = self.margins(texts)
        out = np.zeros_like(raw)
        for j, model in enumerate(self.models):
            out[:, j] = model.calibration.apply(raw[:, j])
        return out, vecs

    def relevance(self, texts: Sequence[str]) -> list[list[Relevance]]:
        """Each paper's relevance to every list, best first, the first one explained."""
        scores, vecs = self.assess(texts)
        out = []
        for i, text in enumerate(texts):
            order = np.argsort(-scores[i], kind="stable")
            row = []
            for rank, j in enumerate(order):
                name = self.models[int(j)].name
                words, papers = self.why(name, text, vecs[i]) if rank == 0 else ((), ())
                row.append(Relevance(name, float(scores[i, j]), words, papers))
            out.append(row)
        return out

    def why(self, name: str, text: str, vec: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The paper's words that count most for list `name`, and the list's closest papers."""
        return self.explain([name], [text], vec)[0]

    def explain(
        self, names: Sequence[str], texts: Sequence[str], vecs: Any
    ) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """`why` of many papers at once (row i of `vecs` for list `names[i]`): one product per
        list instead of one per paper."""
        out: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())] * len(names)
        if self.featurizer is None or vecs is None:
            return out
        vecs = sparse.csr_matrix(vecs)
        for model in self.models:
            rows = [i for i, name in enumerate(names) if name == model.name]
            if not rows or model.paper_vecs is None or not model.paper_vecs.shape[0]:
                continue
            if model.centroid is None:
                model.centroid = np.asarray(model.paper_vecs.mean(axis=0)).ravel()
            sims = (vecs[rows] @ model.paper_vecs.T).toarray()
            top = np.argsort(-sims, axis=1, kind="stable")[:, :WHY_PAPERS]
            for k, i in enumerate(rows):
                words = self.featurizer.word_terms(vecs[i], model.centroid, model.coef)
                papers = tuple(model.paper_titles[j] for j in top[k] if sims[k, j] > 0)
                out[i] = (surface_words(texts[i], words)[:WHY_WORDS], papers)
        return out

    def calibration_of(self, name: str) -> Calibration | None:
        """List `name`'s calibration (None for a list the model does not know)."""
        return next((m.calibration for m in self.models if m.name == name), None)


def even_sample(n: int, cap: int) -> np.ndarray:
    """At most `cap` of range(n), evenly spread (all of them when n <= cap)."""
    if n <= cap:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, cap).astype(np.int64))


def fit_relevance(
    lists: Sequence[ListPapers],
    background: Sequence[str],
    *,
    rejected: Sequence[str] = (),
    decisions: dict[str, tuple[list[str], list[str]]] | None = None,
    previous: RelevanceModel | None = None,
) -> RelevanceModel:
    """Learn every list against the background, the rejected papers and the other lists.

    `decisions` (by list): the texts of candidates the curators accepted into it and rejected
    from it, which calibrate its scores (`papershelf.feeds.calibration`). `previous`: the last model, whose
    remembered term counts and weights this fit starts from (the result is the same optimum).
    """
    lists = [p for p in lists if p.texts]
    if not lists:
        return RelevanceModel(None)
    picks = [even_sample(len(p.texts), MAX_POSITIVES_PER_LIST) for p in lists]
    positives = [[p.texts[k] for k in pick] for p, pick in zip(lists, picks, strict=True)]
    background = list(background)[:MAX_BACKGROUND]
    corpus = [*(t for texts in positives for t in texts), *background, *rejected]
    decided_texts = [t for p in lists for t in chain(*(decisions or {}).get(p.list, ((), ())))]
    before = previous.featurizer if previous is not None else None
    featurizer = Featurizer.fit(corpus, also=decided_texts, previous=before)
    matrix = featurizer.transform_fitted()
    starts = np.cumsum([0] + [len(t) for t in positives])
    n_pos = int(starts[-1])
    n_bg, n_rej = len(background), len(rejected)
    rows_bg = np.arange(n_pos, n_pos + n_bg)
    rows_rej = np.arange(n_pos + n_bg, n_pos + n_bg + n_rej)
    models = []
    for j, papers in enumerate(lists):
        own = np.arange(starts[j], starts[j + 1])
        others = np.concatenate(
            [np.arange(starts[k], starts[k + 1]) for k in range(len(lists)) if k != j]
            or [np.empty(0, dtype=np.int64)]
        ).astype(np.int64)
        others = others[even_sample(len(others), MAX_OTHER_LISTS)]
        negatives = np.concatenate([rows_bg, others]).astype(np.int64)
        start = _start(previous, featurizer, papers.list)
        coef, intercept = _fit_one(matrix, own, negatives, rows_rej, start)
        coef = coef.astype(np.float32)
        own_raw = np.asarray(matrix[own] @ coef).ravel() + intercept
        feed_raw = np.asarray(matrix[rows_bg] @ coef).ravel() + intercept
        accepted, declined = (decisions or {}).get(papers.list, ([], []))
        decided = _decided_margins(featurizer, coef, intercept, accepted, declined)
        calibration = fit_calibration(own_raw, feed_raw, *decided)
        titles_pick = picks[j]
        models.append(
            _ListModel(
                papers.list,
                coef,
                float(intercept),
                calibration,
                unit_rows(matrix[own]),
                tuple(papers.titles[k] for k in titles_pick),
                papers.from_headings,
            )
        )
    featurizer.done(keep=[*corpus, *decided_texts])
    return RelevanceModel(featurizer, models)


def _start(
    previous: RelevanceModel | None, featurizer: Featurizer, name: str
) -> tuple[np.ndarray, float] | None:
    """List `name`'s weights in the previous model, in this featurizer's columns (a warm start)."""
    if previous is None or previous.featurizer is None:
        return None
    model = next((m for m in previous.models if m.name == name and not m.from_headings), None)
    if model is None:
        return None
    return featurizer.carry(model.coef, previous.featurizer), model.intercept


def _fit_one(
    matrix: Any,
    own: np.ndarray,
    negatives: np.ndarray,
    rejected: np.ndarray,
    start: tuple[np.ndarray, float] | None = None,
) -> tuple[np.ndarray, float]:
    """A balanced logistic regression of `own` against the negatives; (coef, intercept)."""
    rows = np.concatenate([own, negatives, rejected]).astype(np.int64)
    y = np.concatenate([np.ones(len(own)), np.zeros(len(negatives) + len(rejected))])
    weights = np.concatenate(
        [np.ones(len(own) + len(negatives)), np.full(len(rejected), REJECTED_WEIGHT)]
    )
    if len(own) == 0 or len(rows) == len(own):
        # Nothing to tell the list from: every paper is as relevant as the list's centroid says.
        centroid = np.asarray(matrix[own].mean(axis=0)).ravel() if len(own) else None
        coef = centroid if centroid is not None else np.zeros(matrix.shape[1])
        return coef, 0.0
    # Balanced classes (scikit-learn's class_weight="balanced"): each class weighs half.
    n_pos, n_neg = len(own), len(rows) - len(own)
    weights *= np.where(y == 1, len(rows) / (2.0 * n_pos), len(rows) / (2.0 * n_neg))
    fit = fit_logistic(matrix[rows], y, weights, c=REGULARISATION_C, start=start, tol=TOLERANCE)
    return fit.coef, fit.intercept


def _decided_margins(
    featurizer: Featurizer,
    coef: np.ndarray,
    intercept: float,
    accepted: list[str],
    declined: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """The margins of the papers curators accepted into a list and rejected from it."""
    out = []
    for texts in (accepted, declined):
        if texts:
            vecs = featurizer.transform(texts)
            out.append(np.asarray(vecs @ coef).ravel() + intercept)
        else:
            out.append(np.zeros(0))
    return out[0], out[1]
