"""The relevance model's logistic regression: scikit-learn's objective and optimum, warm starts."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from papershelf.feeds.logistic import fit_logistic

linear_model = pytest.importorskip("sklearn.linear_model")


def _problem(seed: int = 0, n: int = 600, d: int = 300):
    rng = np.random.default_rng(seed)
    x = sparse.random(n, d, density=0.05, format="csr", dtype=np.float32, random_state=seed)
    truth = rng.standard_normal(d) * 3
    y = (np.asarray(x @ truth).ravel() + rng.standard_normal(n) > 0.2).astype(float)
    weights = np.where(y == 1, 2.0, 1.0)
    weights[:20] = 3.0
    return x, y, weights


def test_it_reaches_scikit_learns_optimum() -> None:
    x, y, weights = _problem()
    ours = fit_logistic(x, y, weights, c=1.0, tol=1e-7)
    theirs = linear_model.LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000)
    theirs.fit(x.astype(np.float64), y, sample_weight=weights)
    assert np.allclose(ours.coef, theirs.coef_.ravel(), atol=1e-3)
    assert ours.intercept == pytest.approx(theirs.intercept_[0], abs=1e-3)


def test_at_scikit_learns_tolerance_it_ranks_as_scikit_learn_does() -> None:
    x, y, weights = _problem(1)
    ours = fit_logistic(x, y, weights, tol=1e-3)
    theirs = linear_model.LogisticRegression(tol=1e-3, max_iter=50)
    theirs.fit(x, y, sample_weight=weights)
    a = np.asarray(x @ ours.coef).ravel()
    b = np.asarray(x @ theirs.coef_.ravel()).ravel()
    assert np.corrcoef(a, b)[0, 1] > 0.999


def test_a_warm_start_near_the_optimum_takes_fewer_steps() -> None:
    x, y, weights = _problem(2)
    cold = fit_logistic(x, y, weights, tol=1e-4)
    # The next poll: a few rows changed.
    y2 = y.copy()
    y2[:10] = 1 - y2[:10]
    fresh = fit_logistic(x, y2, weights, tol=1e-4)
    warm = fit_logistic(x, y2, weights, tol=1e-4, start=(cold.coef, cold.intercept))
    assert warm.steps < fresh.steps
    a, b = np.asarray(x @ warm.coef).ravel(), np.asarray(x @ fresh.coef).ravel()
    assert np.corrcoef(a, b)[0, 1] > 0.9999  # the same optimum, within the tolerance


def test_one_class_of_weight_only_still_returns_finite_weights() -> None:
    x, y, weights = _problem(3)
    out = fit_logistic(x, np.ones_like(y), weights)
    assert np.isfinite(out.coef).all() and out.intercept > 0
