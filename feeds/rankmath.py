"""Matrix helpers of the ranker (pure): row normalisation, section slices, centroids, the SVM."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import sparse

from .terms import unit_rows

#: The linear model learns from at most this many entries per section (big lists stay fast).
LINEAR_SAMPLE_PER_SECTION = 50


def normalize_rows(matrix: Any) -> Any:
    """Rows scaled to unit length (an empty matrix stays empty)."""
    return unit_rows(matrix)


def sample_rows(labels: np.ndarray, n_sections: int, cap: int) -> list[int]:
    """At most `cap` entry rows per section, evenly spread (labels are sorted by section)."""
    keep: list[int] = []
    for a, b in slices(labels, n_sections):
        rows = np.arange(a, b)
        if rows.size > cap:
            rows = rows[np.linspace(0, rows.size - 1, cap).astype(int)]
        keep.extend(rows.tolist())
    return keep


def slices(labels: np.ndarray, n_sections: int) -> list[tuple[int, int]]:
    """(start, end) rows of each section in the label-sorted entry matrix."""
    starts = np.searchsorted(labels, np.arange(n_sections), side="left")
    ends = np.searchsorted(labels, np.arange(n_sections), side="right")
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def centroids(matrix: Any, slices: list[tuple[int, int]]) -> Any:
    """The normalised mean row of each section (zero rows for empty sections)."""
    rows = []
    for a, b in slices:
        if b > a:
            rows.append(sparse.csr_matrix(matrix[a:b].mean(axis=0)))
        else:
            rows.append(sparse.csr_matrix((1, matrix.shape[1]), dtype=np.float32))
    return normalize_rows(sparse.vstack(rows).tocsr())


@dataclass(frozen=True)
class LinearSections:
    """One list's section SVM, kept small: sparse float32 weights (a list's model has no weight
    for the words only other lists use), one row per section `columns[i]`."""

    coef: Any
    intercept: np.ndarray
    columns: np.ndarray

    @classmethod
    def of(cls, model: Any) -> LinearSections:
        """The weights of a fitted one-vs-rest SVM (two classes: one margin, and its opposite)."""
        coef, intercept = model.coef_, model.intercept_
        if coef.shape[0] == 1:
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        weights = sparse.csr_matrix(coef.astype(np.float32))
        weights.eliminate_zeros()
        return cls(weights, intercept.astype(np.float32), model.classes_.astype(np.int64))

    def margins(self, vecs: Any) -> np.ndarray:
        """Margins (papers x this list's sections)."""
        return np.asarray((vecs @ self.coef.T).todense()) + self.intercept


def fit_linear(
    entry_vecs: Any, labels: np.ndarray, head_vecs: Any, section_lists: list[str]
) -> list[LinearSections]:
    """One linear SVM (one vs rest) per list over its sections (entries, sampled per section,
    plus headings), with the sections each one's margins are for.

    Per list, because the section is chosen within the lists where a paper is relevant: a list's
    sections compete with each other, not with every section of the workspace (which also makes a
    fit of 125 sections in 5 lists five times cheaper).
    """
    from sklearn.svm import LinearSVC  # here: only a fit needs scikit-learn (a second to import)

    keep = np.array(sample_rows(labels, len(section_lists), LINEAR_SAMPLE_PER_SECTION), dtype=int)
    owners = np.array(section_lists, dtype=object)
    out = []
    for name in dict.fromkeys(section_lists):
        columns = np.flatnonzero(owners == name)
        rows = keep[np.isin(labels[keep], columns)]
        x = sparse.vstack([entry_vecs[rows], head_vecs[columns]]).tocsr()
        y = np.concatenate([labels[rows], columns])
        if len(set(y.tolist())) < 2:
            continue
        model = LinearSVC(C=1.0, class_weight="balanced", max_iter=200)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x, y)
        out.append(LinearSections.of(model))
    return out
