"""The batch term counter gives scikit-learn's TF-IDF of the same analyzers, without scikit-learn."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy import sparse

from papershelf.feeds.stopwords import ENGLISH_STOP_WORDS
from papershelf.feeds.terms import (
    _GRAM_WORD_RE,
    GRAMS,
    WORDS,
    TermTable,
    TfidfView,
    char_wb_grams,
    counts,
    unit_rows,
    widen,
)
from papershelf.feeds.text import _word_analyzer, normalize_text

sklearn_text = pytest.importorskip("sklearn.feature_extraction.text")

TEXTS = [
    "Scaling Laws for Neural Language Models",
    "Pre-Training and pretraining of the models via instruction-tuning, instruction tuning",
    "Fine‑Tuning Ünïcödé models: straße STRASSE café 2024 v2 x",
    "",
    "a an the of",  # stop words only
    "Mixture-of-Experts routing routing routing at scale; MoE-LLaMA 7B",
    "reward model reward model reward_model reward-model",
    "Ok I x y z é",
]


def _by_name(matrix, names: list[str]) -> dict[tuple[int, str], float]:
    coo = sparse.coo_matrix(matrix)
    return {
        (int(i), names[j]): float(v) for i, j, v in zip(coo.row, coo.col, coo.data, strict=True)
    }


def _same(ours: dict, theirs: dict) -> None:
    assert ours.keys() == theirs.keys()
    for key, value in theirs.items():
        assert ours[key] == pytest.approx(value, rel=1e-5, abs=1e-6), key


def test_the_stop_words_are_scikit_learns() -> None:
    assert ENGLISH_STOP_WORDS == sklearn_text.ENGLISH_STOP_WORDS


def test_word_view_is_tfidfvectorizer_of_the_word_analyzer() -> None:
    corpus = [normalize_text(t) for t in TEXTS]
    theirs = sklearn_text.TfidfVectorizer(analyzer=_word_analyzer, sublinear_tf=True)
    expected = theirs.fit_transform(corpus)
    view, matrix = TfidfView.fit_transform(WORDS, TEXTS)  # raw: normalised as they are counted
    _same(
        _by_name(matrix, view.table.names), _by_name(expected, list(theirs.get_feature_names_out()))
    )
    new = [normalize_text("Scaling instruction tuning of reward models, unseen words")]
    _same(
        _by_name(view.transform(new), view.table.names),
        _by_name(theirs.transform(new), list(theirs.get_feature_names_out())),
    )


def test_gram_view_is_char_wb_tfidf_of_the_words() -> None:
    theirs = sklearn_text.TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)

    def words(texts: list[str]) -> list[str]:
        normal = [normalize_text(t) for t in texts]
        return [" ".join(w.replace("-", "") for w in _GRAM_WORD_RE.findall(t)) for t in normal]

    expected = theirs.fit_transform(words(TEXTS))
    names = list(theirs.get_feature_names_out())
    view, matrix = TfidfView.fit_transform(GRAMS, TEXTS)
    _same(_by_name(matrix, view.table.names), _by_name(expected, names))
    new = ["Routing experts at scale, unseen qqqq"]
    _same(
        _by_name(view.transform(new), view.table.names),
        _by_name(theirs.transform(words(new)), names),
    )


def test_char_wb_grams_match_scikit_learn_for_short_and_long_words() -> None:
    analyzer = sklearn_text.CountVectorizer(analyzer="char_wb", ngram_range=(3, 5)).build_analyzer()
    for word in ("a", "ab", "abc", "abcd", "abcdefgh", "Straße"):
        assert char_wb_grams(word) == analyzer(word)


def test_a_table_keeps_columns_as_it_grows_and_across_pickling() -> None:
    table = TermTable()
    first = counts(WORDS, ["scaling laws"], table)
    second = counts(WORDS, ["laws of routing"], table)
    assert {table.names[j] for j in first.indices} == set(_word_analyzer("scaling laws"))
    assert {table.names[j] for j in second.indices} == set(_word_analyzer("laws of routing"))
    assert table.column["laws"] == 1 and len(table) == 5  # "laws" kept its column
    restored = pickle.loads(pickle.dumps(table))
    assert restored.names == table.names and restored.column == table.column
    assert widen(first, len(table)).shape == (1, len(table))
    unknown = counts(WORDS, ["entirely unknown"], restored, grow=False)
    assert unknown.nnz == 0 and len(restored) == len(table)


def test_unit_rows_leaves_empty_rows_empty() -> None:
    matrix = sparse.csr_matrix(np.array([[3.0, 4.0], [0.0, 0.0]], dtype=np.float32))
    out = unit_rows(matrix)
    assert out.toarray().tolist() == [[pytest.approx(0.6), pytest.approx(0.8)], [0.0, 0.0]]


def test_joined_rows_are_the_unit_rows_of_both_views_side_by_side() -> None:
    from scipy import sparse as sp

    from papershelf.feeds.terms import TermTable, joined_rows, smooth_idf, tfidf, view_counts

    texts = [*TEXTS, "words only", "x"]
    words, grams = view_counts(texts, TermTable(), TermTable())
    word_idf, gram_idf = smooth_idf(words), smooth_idf(grams)
    word_idf[:3] = 0.0  # terms the corpus lacks count for nothing
    expected = unit_rows(sp.hstack([tfidf(words, word_idf), tfidf(grams, gram_idf)]).tocsr())
    got = joined_rows(words, word_idf, grams, gram_idf)
    assert got.shape == expected.shape
    assert np.allclose(got.toarray(), expected.toarray(), atol=1e-6)


def test_counting_in_chunks_gives_the_same_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Texts are tokenised a chunk at a time (short calls into C): the counts do not change."""
    import papershelf.feeds.terms as terms

    texts = [*TEXTS, *TEXTS[::-1], "pre-training pretraining", "\x1e odd separator"]
    whole_tables = (TermTable(), TermTable())
    whole = terms.view_counts(texts, *whole_tables)
    monkeypatch.setattr(terms, "CHUNK_CHARS", 30)
    monkeypatch.setattr(terms, "CHUNK_TERMS", 7)
    monkeypatch.setattr(terms, "CHUNK_WORDS", 3)
    chunked_tables = (TermTable(), TermTable())
    chunked = terms.view_counts(texts, *chunked_tables)
    assert [t.names for t in chunked_tables] == [t.names for t in whole_tables]
    for ours, theirs in zip(chunked, whole, strict=True):
        assert ours.shape == theirs.shape and (ours != theirs).nnz == 0
