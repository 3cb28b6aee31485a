"""Character n-gram TF-IDF computed through distinct words: `char_wb` features at word-vector cost.

`char_wb` n-grams never cross a word boundary, so a text's n-gram counts are the sum of its words'
n-gram counts. Counting n-grams once per distinct word (a few thousand) instead of once per word
occurrence (hundreds of thousands in a big workspace) gives the same matrix many times faster.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

_WORD_RE = re.compile(r"\w+(?:-\w+)*")


def _words(text: str) -> list[str]:
    """The words of an already-normalised text, a hyphenated compound as one (`pretraining`)."""
    return [w.replace("-", "") for w in _WORD_RE.findall(text)]


class CharGrams:
    """TF-IDF of character 3-5-grams within words (sublinear tf), fitted on a corpus."""

    def __init__(self, ngram_range: tuple[int, int] = (3, 5)) -> None:
        """An unfitted model."""
        self.ngram_range = ngram_range
        self.grams: CountVectorizer | None = None
        self.tfidf: TfidfTransformer | None = None

    def _counts(self, texts: Sequence[str], fit: bool) -> Any:
        """Texts x n-grams counts, through the texts' distinct words."""
        per_text = [_words(t) for t in texts]
        vocab: dict[str, int] = {}
        rows, cols = [], []
        for i, words in enumerate(per_text):
            for word in words:
                rows.append(i)
                cols.append(vocab.setdefault(word, len(vocab)))
        text_words = sparse.csr_matrix(
            (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab))
        )
        distinct = sorted(vocab, key=vocab.__getitem__)
        if fit:
            self.grams = CountVectorizer(
                analyzer="char_wb", ngram_range=self.ngram_range, dtype=np.float32
            )
            word_grams = self.grams.fit_transform(distinct or [""])
        else:
            assert self.grams is not None
            word_grams = self.grams.transform(distinct or [""])
        if not distinct:
            return sparse.csr_matrix((len(texts), word_grams.shape[1]), dtype=np.float32)
        return (text_words @ word_grams).tocsr()

    def fit_transform(self, texts: Sequence[str]) -> Any:
        """Fit on `texts` and return their TF-IDF rows."""
        counts = self._counts(texts, fit=True)
        self.tfidf = TfidfTransformer(sublinear_tf=True)
        return self.tfidf.fit_transform(counts).astype(np.float32)

    def transform(self, texts: Sequence[str]) -> Any:
        """TF-IDF rows of new texts (n-grams unseen in the corpus are ignored)."""
        assert self.tfidf is not None
        return self.tfidf.transform(self._counts(texts, fit=False)).astype(np.float32)
