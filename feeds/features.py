"""Text vectors for the relevance model: word and character-gram TF-IDF, joined (pure).

The same two views the section ranker uses (`feeds.rank`): stemmed words with each pair of
neighbours joined (`instruction tuning` ~ `instruction-tuning`), and character 3-5-grams within
words (`finetune` ~ `fine-tuning`); each row scaled to unit length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

from .terms import Vectorizer, unit_rows


class Featurizer:
    """Word plus character-gram TF-IDF, fitted on a corpus of texts."""

    def __init__(self, views: Vectorizer, fitted: Any) -> None:
        """A fitted featurizer (use `fit`); `fitted` is the corpus's own matrix."""
        self.views = views
        self._fitted = fitted
        self.n_words = views.n_words
        self._names: np.ndarray | None = None
        self._memo: dict[str, int] = {}
        self._memo_rows: Any = None

    @classmethod
    def fit(cls, corpus: Sequence[str]) -> Featurizer:
        """Learn the vocabularies and weights of `corpus` (raw texts)."""
        views, word_matrix, char_matrix = Vectorizer.fit_transform(corpus)
        return cls(views, unit_rows(sparse.hstack([word_matrix, char_matrix]).tocsr()))

    def transform_fitted(self) -> Any:
        """The corpus's own rows, as `transform` would give them."""
        return self._fitted

    def transform(self, texts: Sequence[str]) -> Any:
        """Unit rows of new texts (terms unseen in the corpus are ignored).

        Texts of the corpus kept by `forget_corpus` (a poll's own items) are not computed again.
        """
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if len(missing) == len(texts):
            return self._compute(texts)
        rows = self._memo_rows
        if missing:
            rows = sparse.vstack([rows, self._compute(missing)]).tocsr()
        where = {t: self._memo_rows.shape[0] + k for k, t in enumerate(missing)}
        return rows[[self._memo[t] if t in self._memo else where[t] for t in texts]]

    def _compute(self, texts: Sequence[str]) -> Any:
        return unit_rows(sparse.hstack(self.views.transform(texts)).tocsr())

    def forget_corpus(
        self, keep: Sequence[str] = (), rows: Sequence[int] | np.ndarray = ()
    ) -> None:
        """Drop the corpus matrix (kept only while fitting) but the rows of the texts `keep`
        (at `rows` of it): the model stays small, and those texts are not vectorised again."""
        if keep:
            self._memo = {text: k for k, text in enumerate(keep)}
            self._memo_rows = self._fitted[list(rows)]
        self._fitted = None

    def word_terms(self, vec: Any, centroid: np.ndarray, coef: np.ndarray) -> list[str]:
        """The word terms one row shares with a list's papers (`centroid`), best first; a term
        the classifier counts against the list (negative `coef`) weighs half."""
        if self._names is None:
            self._names = self.views.words.names()
        row = sparse.csr_matrix(vec)
        picked = row.indices < self.n_words
        indices, values = row.indices[picked], row.data[picked]
        gains = values * centroid[indices] * np.where(coef[indices] > 0, 1.0, 0.5)
        order = np.lexsort((indices, -gains))
        return [str(self._names[indices[k]]) for k in order if gains[k] > 0]
