"""Text vectors for the relevance model: word and character-gram TF-IDF, joined (pure).

The same two views the section ranker uses (`papershelf.feeds.rank`): stemmed words with each pair of
neighbours joined (`instruction tuning` ~ `instruction-tuning`), and character 3-5-grams within
words (`finetune` ~ `fine-tuning`); each row scaled to unit length.

A model remembers the raw term counts of the texts it learned from (`TermCounts`), and the next
fit starts from them: a list's papers, which change little from one poll to the next, are counted
once, and columns stay where they were, so the next fit can start from this one's weights. The
IDF is the fit's own corpus's, as if it were counted afresh: a term no text of the corpus has
counts for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse

from .terms import TermTable, joined_rows, smooth_idf, view_counts, widen

#: A fit copies the last one's term tables unless they have grown to this many times the terms
#: the remembered texts use (plus `_SLACK`): then the tables are rebuilt from those terms only, so
#: the feeds' vocabulary of past days does not pile up.
COMPACT_FACTOR = 2
_SLACK = 20_000


def _empty() -> Any:
    return sparse.csr_matrix((0, 0), dtype=np.float32)


class TermCounts:
    """Raw counts (words, n-grams) of remembered texts, by text, in tables that only grow.

    Not changed once its fit is done (`derive` gives the next fit its own), so request threads can
    score with a model while the next one is fitted.
    """

    def __init__(self, words: TermTable | None = None, grams: TermTable | None = None) -> None:
        """No remembered text (tables: new ones unless given)."""
        self.words = words if words is not None else TermTable()
        self.grams = grams if grams is not None else TermTable()
        self.rows: dict[str, int] = {}
        self.word_counts: Any = _empty()
        self.gram_counts: Any = _empty()

    def derive(self) -> tuple[TermCounts, np.ndarray | None, np.ndarray | None]:
        """A copy for the next fit, and where each of this one's (word, n-gram) columns went in
        it (None: they stayed), the tables rebuilt from the terms in use when they grew too big."""
        used_words = _columns_in_use(self.word_counts)
        used_grams = _columns_in_use(self.gram_counts)
        in_use = len(used_words) + len(used_grams)
        copy = TermCounts()
        copy.rows = dict(self.rows)
        if len(self.words) + len(self.grams) <= COMPACT_FACTOR * in_use + _SLACK:
            copy.words, copy.grams = self.words.copy(), self.grams.copy()
            copy.word_counts, copy.gram_counts = self.word_counts, self.gram_counts
            return copy, None, None
        copy.words, word_map = self.words.subset(used_words)
        copy.grams, gram_map = self.grams.subset(used_grams)
        copy.word_counts = _remapped(self.word_counts, word_map, len(copy.words))
        copy.gram_counts = _remapped(self.gram_counts, gram_map, len(copy.grams))
        return copy, word_map, gram_map

    def counts(self, texts: Sequence[str], *, remember: bool) -> tuple[Any, Any]:
        """(words, n-grams) counts of `texts`, remembered ones looked up; new ones counted, and
        remembered (their new terms added to the tables) when `remember`."""
        missing = [t for t in dict.fromkeys(texts) if t not in self.rows]
        fresh: tuple[Any, Any] | None = None
        if missing:
            fresh = view_counts(missing, self.words, self.grams, grow=remember)
            if remember:
                start = self.word_counts.shape[0]
                self.word_counts = _stacked(self.word_counts, fresh[0], len(self.words))
                self.gram_counts = _stacked(self.gram_counts, fresh[1], len(self.grams))
                self.rows.update(zip(missing, range(start, start + len(missing)), strict=True))
                fresh = None
        n_words, n_grams = len(self.words), len(self.grams)
        known = [self.rows[t] for t in texts if t in self.rows]
        words = widen(self.word_counts[known], n_words)
        grams = widen(self.gram_counts[known], n_grams)
        if fresh is None:
            return words, grams
        # Some texts are new and not to be remembered: their rows go under the known ones.
        slot = {t: len(known) + k for k, t in enumerate(missing)}
        order, k = [], 0
        for text in texts:
            if text in self.rows:
                order.append(k)
                k += 1
            else:
                order.append(slot[text])
        words = _stacked(words, fresh[0], n_words)[order]
        grams = _stacked(grams, fresh[1], n_grams)[order]
        return words, grams

    def retain(self, texts: Sequence[str]) -> None:
        """Remember only `texts` (the ones the fit used)."""
        keep = [t for t in dict.fromkeys(texts) if t in self.rows]
        if len(keep) == len(self.rows):
            return
        where = [self.rows[t] for t in keep]
        self.word_counts = self.word_counts[where]
        self.gram_counts = self.gram_counts[where]
        self.rows = dict(zip(keep, range(len(keep)), strict=True))


def _columns_in_use(matrix: Any) -> np.ndarray:
    """The columns some row of `matrix` has, in order."""
    return np.flatnonzero(np.bincount(matrix.indices, minlength=matrix.shape[1]))


def _stacked(matrix: Any, more: Any, n_columns: int) -> Any:
    """Rows of `more` under `matrix`, both widened to `n_columns`."""
    if not matrix.shape[0]:
        return widen(more, n_columns)
    return sparse.vstack([widen(matrix, n_columns), widen(more, n_columns)], format="csr")


def _remapped(matrix: Any, column_map: np.ndarray, n_columns: int) -> Any:
    """`matrix` with column j moved to `column_map[j]` (every used column has a place)."""
    return sparse.csr_matrix(
        (matrix.data, column_map[matrix.indices], matrix.indptr), (matrix.shape[0], n_columns)
    )


class Featurizer:
    """Word plus character-gram TF-IDF of a corpus; `transform` gives unit rows of any text."""

    def __init__(self, counts: TermCounts, word_idf: np.ndarray, gram_idf: np.ndarray) -> None:
        """A fitted featurizer (use `fit`)."""
        self.counts = counts
        self.word_idf = word_idf
        self.gram_idf = gram_idf
        self.n_words = len(word_idf)
        self._fitted: Any = None
        self._names: np.ndarray | None = None
        #: Where the previous featurizer's (word, n-gram) columns went (None: they stayed).
        self._moved: tuple[np.ndarray | None, np.ndarray | None] = (None, None)

    @classmethod
    def fit(
        cls,
        corpus: Sequence[str],
        *,
        also: Sequence[str] = (),
        previous: Featurizer | None = None,
    ) -> Featurizer:
        """Learn the weights of `corpus` (raw texts), counting `also` too (texts the fit will
        transform), from the counts `previous` remembered."""
        moved: tuple[np.ndarray | None, np.ndarray | None]
        if previous is None:
            counts, moved = TermCounts(), (None, None)
        else:
            counts, *found = previous.counts.derive()
            moved = (found[0], found[1])
        words, grams = counts.counts([*corpus, *also], remember=True)
        n = len(corpus)
        featurizer = cls(counts, smooth_idf(words[:n]), smooth_idf(grams[:n]))
        featurizer._moved = moved
        featurizer._fitted = featurizer._vectors(words[:n], grams[:n])
        return featurizer

    def _vectors(self, words: Any, grams: Any) -> Any:
        return joined_rows(words, self.word_idf, grams, self.gram_idf)

    @property
    def n_columns(self) -> int:
        """Columns of `transform`'s rows (words, then n-grams)."""
        return self.n_words + len(self.gram_idf)

    def transform_fitted(self) -> Any:
        """The corpus's own rows, as `transform` would give them."""
        return self._fitted

    def transform(self, texts: Sequence[str]) -> Any:
        """Unit rows of texts (terms the corpus lacks count for nothing)."""
        words, grams = self.counts.counts(texts, remember=False)
        return self._vectors(words, grams)

    def done(self, keep: Sequence[str]) -> None:
        """The fit is over: remember the counts of `keep` only, drop the corpus matrix."""
        self.counts.retain(keep)
        self._fitted = None

    def carry(self, coef: np.ndarray, previous: Featurizer) -> np.ndarray:
        """Weights `previous`'s columns had, in this featurizer's columns (a warm start); 0 where
        a column is new or counts for nothing in this corpus."""
        out = np.zeros(self.n_columns)
        for old, new, moved, size in (
            (coef[: previous.n_words], out[: self.n_words], self._moved[0], self.n_words),
            (coef[previous.n_words :], out[self.n_words :], self._moved[1], len(self.gram_idf)),
        ):
            columns = np.arange(len(old)) if moved is None else moved[: len(old)]
            valid = (columns >= 0) & (columns < size)
            new[columns[valid]] = old[valid]
        out[np.concatenate([self.word_idf, self.gram_idf]) == 0] = 0.0
        return out

    def word_terms(self, vec: Any, centroid: np.ndarray, coef: np.ndarray) -> list[str]:
        """The word terms one row shares with a list's papers (`centroid`), best first; a term
        the classifier counts against the list (negative `coef`) weighs half."""
        if self._names is None:
            self._names = np.array(self.counts.words.names[: self.n_words], dtype=object)
        row = sparse.csr_matrix(vec)
        picked = row.indices < self.n_words
        indices, values = row.indices[picked], row.data[picked]
        gains = values * centroid[indices] * np.where(coef[indices] > 0, 1.0, 0.5)
        order = np.lexsort((indices, -gains))
        return [str(self._names[indices[k]]) for k in order if gains[k] > 0]
