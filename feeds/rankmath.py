"""Matrix helpers of the ranker (pure): row normalisation, section slices, centroids, the SVM."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

#: The linear model learns from at most this many entries per section (big lists stay fast).
LINEAR_SAMPLE_PER_SECTION = 50


def normalize_rows(matrix: Any) -> Any:
    """Rows scaled to unit length (an empty matrix stays empty)."""
    return normalize(matrix) if matrix.shape[0] else sparse.csr_matrix(matrix)


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


def fit_linear(
    entry_vecs: Any, labels: np.ndarray, head_vecs: Any, n_sections: int
) -> tuple[LinearSVC | None, np.ndarray | None]:
    """A linear SVM (one vs rest) over sections (entries, sampled per section, plus headings)."""
    keep = sample_rows(labels, n_sections, LINEAR_SAMPLE_PER_SECTION)
    x = sparse.vstack([entry_vecs[keep], head_vecs]).tocsr()
    y = np.concatenate([labels[keep], np.arange(n_sections)])
    if len(set(y.tolist())) < 2:
        return None, None
    model = LinearSVC(C=1.0, class_weight="balanced", max_iter=200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    return model, model.classes_.astype(np.int64)
