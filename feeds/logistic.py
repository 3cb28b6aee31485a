"""A weighted, L2-regularised logistic regression fitted by L-BFGS (pure; numpy only).

The objective is scikit-learn's `LogisticRegression(C=C)` with sample weights:
mean weighted log loss + ||w||² / (2 C Σweights), the intercept unpenalised. Written here because
a poll fits one per list and scikit-learn (with the scipy.optimize it pulls in) takes about a
second to import, more than the fits themselves; and because a fit can start from the last
poll's weights (a warm start), which converges in a few steps when the lists changed little.
`tests/test_feeds_logistic.py` checks it against scikit-learn's.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Past steps L-BFGS keeps (scipy's default).
HISTORY = 10
#: Armijo's sufficient-decrease constant and the backtracking factor of the line search.
_ARMIJO = 1e-4
_BACKTRACK = 0.5
_MAX_HALVINGS = 30


@dataclass(frozen=True)
class LogisticFit:
    """Fitted weights, intercept, and how many L-BFGS steps it took."""

    coef: np.ndarray
    intercept: float
    steps: int


def _dot(a: np.ndarray, b: np.ndarray) -> float:
    """a · b without BLAS: OpenBLAS wakes its threads for a product this size, and on a busy
    machine the wake-ups cost far more than the product (a poll's fits ran 4-10 times slower)."""
    return float(np.einsum("i,i->", a, b))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class _Objective:
    """Loss and gradient of one problem at (w, b), the data's products in float32."""

    def __init__(self, x: Any, y: np.ndarray, weights: np.ndarray, c: float) -> None:
        self.x = x
        self.y = y.astype(np.float64)
        self.total = float(weights.sum())
        self.weights = weights.astype(np.float64) / self.total
        self.l2 = 1.0 / (c * self.total)

    def __call__(self, params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:-1], params[-1]
        z = np.asarray(self.x @ w.astype(np.float32), dtype=np.float64) + b
        loss = _dot(self.weights, np.logaddexp(0.0, z) - self.y * z) + 0.5 * self.l2 * _dot(w, w)
        residual = self.weights * (_sigmoid(z) - self.y)
        grad = np.empty_like(params)
        grad[:-1] = np.asarray(self.x.T @ residual.astype(np.float32), dtype=np.float64)
        grad[:-1] += self.l2 * w
        grad[-1] = residual.sum()
        return loss, grad


def fit_logistic(
    x: Any,
    y: np.ndarray,
    weights: np.ndarray,
    *,
    c: float = 1.0,
    start: tuple[np.ndarray, float] | None = None,
    tol: float = 1e-3,
    max_steps: int = 200,
) -> LogisticFit:
    """Fit rows `x` (sparse, float32) to labels `y` (0/1) with sample `weights`.

    Stops when no gradient component exceeds `tol` (scipy's `gtol`, as scikit-learn passes its
    `tol`), or after `max_steps`. `start`: (coef, intercept) to start from instead of zeros.
    """
    objective = _Objective(x, y, weights, c)
    params = np.zeros(x.shape[1] + 1)
    if start is not None:
        params[:-1], params[-1] = start[0], start[1]
    loss, grad = objective(params)
    history: deque[tuple[np.ndarray, np.ndarray, float]] = deque(maxlen=HISTORY)
    steps = 0
    while steps < max_steps and np.max(np.abs(grad)) > tol:
        direction = -_two_loop(grad, history)
        slope = _dot(grad, direction)
        if slope >= 0:  # not a descent direction (numerical trouble): restart from the gradient
            history.clear()
            direction, slope = -grad, -_dot(grad, grad)
        step = 1.0 if history else min(1.0, 1.0 / max(np.max(np.abs(grad)), 1e-12))
        for _ in range(_MAX_HALVINGS):
            trial = params + step * direction
            new_loss, new_grad = objective(trial)
            if new_loss <= loss + _ARMIJO * step * slope:
                break
            step *= _BACKTRACK
        else:
            break  # no decrease found: as close as float arithmetic gets
        s, g_change = trial - params, new_grad - grad
        curvature = _dot(s, g_change)
        if curvature > 1e-12:
            history.append((s, g_change, 1.0 / curvature))
        params, loss, grad = trial, new_loss, new_grad
        steps += 1
    return LogisticFit(params[:-1], float(params[-1]), steps)


def _two_loop(grad: np.ndarray, history: deque[tuple[np.ndarray, np.ndarray, float]]) -> np.ndarray:
    """L-BFGS's estimate of the inverse Hessian times `grad`."""
    q = grad.copy()
    alphas = []
    for s, g_change, rho in reversed(history):
        alpha = rho * _dot(s, q)
        q -= alpha * g_change
        alphas.append(alpha)
    if history:
        s, g_change, _ = history[-1]
        q *= _dot(s, g_change) / _dot(g_change, g_change)
    for (s, g_change, rho), alpha in zip(history, reversed(alphas), strict=True):
        beta = rho * _dot(g_change, q)
        q += (alpha - beta) * s
    return q
