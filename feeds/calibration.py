"""From a classifier's margin to "the share of such papers the curator keeps" (pure).

A list's classifier tells its papers from the feeds' background, but the background is unlabeled:
some of today's papers are ones the curator would keep. Their share is estimated as in
positive-unlabeled learning. Of the list's own papers a share R(t) scores above a margin t; of the
feed, N(t) items do. If K of the feed's items are keepers and they score like the list's papers,
about K·R(t) of the N(t) are keepers, so the precision of proposing everything above t is
K·R(t)/N(t). K is bounded by the thresholds where the feed has fewest items per list paper
(K ≤ N(t)/R(t) for every t), taken over the list's middle half (recall 0.25 to 0.75, where R is
well estimated). A logistic curve through those precisions makes the score a smooth, strictly
increasing function of the margin, so the order is the classifier's.

The curators' decisions then correct it: if they kept fewer (or more) of the proposed papers than
the curve promised, its odds are shifted by the ratio, with one pseudo-decision each way so that
a couple of decisions move it only a little.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The recall range of the list's own papers over which the feed's keepers are counted.
RECALL_RANGE = (0.25, 0.75)
_RECALL_STEPS = 11
#: Precisions are fitted in logit space between these bounds (0 and 1 have no logit).
_CLIP = 1e-3
#: Without a background the margin is a similarity: a typical list paper scores 0.5.
_PRIOR_SLOPE = 4.0


@dataclass(frozen=True)
class Calibration:
    """relevance = 1 / (1 + exp(-(slope * margin + offset))); `expected_keepers`: K above."""

    slope: float
    offset: float
    expected_keepers: float = 0.0
    decisions: int = 0

    def apply(self, margins: np.ndarray) -> np.ndarray:
        """Calibrated relevance of these margins, each in 0..1."""
        z = np.clip(self.slope * np.asarray(margins, dtype=np.float64) + self.offset, -30, 30)
        return (1.0 / (1.0 + np.exp(-z))).astype(np.float32)


def expected_keepers(own: np.ndarray, feed: np.ndarray) -> float:
    """K: how many of the feed's items score like the list's own papers (at least 1)."""
    own, feed = np.sort(own), np.sort(feed)
    if not own.size or not feed.size:
        return 1.0
    lo, hi = RECALL_RANGE
    thresholds = np.quantile(own, np.linspace(1 - hi, 1 - lo, _RECALL_STEPS))
    recall = 1 - np.searchsorted(own, thresholds, side="left") / own.size
    above = feed.size - np.searchsorted(feed, thresholds, side="left")
    return float(max(1.0, np.min(above / np.maximum(recall, 1e-9))))


def precision_curve(own: np.ndarray, feed: np.ndarray, keepers: float) -> np.ndarray:
    """For each feed margin, the estimated precision of proposing everything at or above it."""
    own_sorted, feed_sorted = np.sort(own), np.sort(feed)
    recall = 1 - np.searchsorted(own_sorted, feed, side="left") / max(own_sorted.size, 1)
    above = feed_sorted.size - np.searchsorted(feed_sorted, feed, side="left")
    return np.clip(keepers * recall / np.maximum(above, 1), 0.0, 1.0)


def fit_calibration(
    own: np.ndarray,
    feed: np.ndarray,
    accepted: np.ndarray | None = None,
    declined: np.ndarray | None = None,
) -> Calibration:
    """The curve for one list from its papers' and the feed's margins, then its decisions."""
    own = np.asarray(own, dtype=np.float64)
    feed = np.asarray(feed, dtype=np.float64)
    if own.size == 0:
        return Calibration(_PRIOR_SLOPE, 0.0)
    if feed.size < 2:
        middle = float(np.median(own))
        base = Calibration(_PRIOR_SLOPE, -_PRIOR_SLOPE * middle)
        return _decided(base, accepted, declined)
    keepers = expected_keepers(own, feed)
    precision = np.clip(precision_curve(own, feed, keepers), _CLIP, 1 - _CLIP)
    logits = np.log(precision / (1 - precision))
    slope, offset = _fit_line(feed, logits)
    return _decided(Calibration(slope, offset, keepers), accepted, declined)


def _fit_line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least squares y ~ slope*x + offset, the slope kept positive (order is the margin's)."""
    spread = float(np.std(x))
    if spread < 1e-9:
        return _PRIOR_SLOPE, float(np.mean(y))
    slope, offset = np.polyfit(x, y, 1)
    if not np.isfinite(slope) or slope <= 1e-6:
        slope = 1e-6 + 1.0 / spread
        offset = float(np.mean(y) - slope * np.mean(x))
    return float(slope), float(offset)


def _decided(
    base: Calibration, accepted: np.ndarray | None, declined: np.ndarray | None
) -> Calibration:
    """`base` with its odds shifted by how many decided papers were kept against the promise."""
    accepted = np.zeros(0) if accepted is None else np.asarray(accepted, dtype=np.float64)
    declined = np.zeros(0) if declined is None else np.asarray(declined, dtype=np.float64)
    n = accepted.size + declined.size
    if n == 0:
        return base
    promised = base.apply(np.concatenate([accepted, declined])).astype(np.float64)
    expected_kept, expected_dropped = promised.sum(), (1 - promised).sum()
    shift = np.log((accepted.size + 1) / (expected_kept + 1)) - np.log(
        (declined.size + 1) / (expected_dropped + 1)
    )
    return Calibration(base.slope, base.offset + float(shift), base.expected_keepers, n)
