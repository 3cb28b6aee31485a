"""Term counts of many texts at once, and their TF-IDF (pure; numpy and scipy only).

The ranking models see two views of a text (`papershelf.feeds.text`): its stemmed content words with each
pair of neighbours joined, and the character 3-5-grams within its words (scikit-learn's `char_wb`).
Counting them one text at a time in Python cost as much as parsing the feed; here each distinct
word of a batch is looked at once and the rest is array work. The counts and weights are the ones
scikit-learn's `TfidfVectorizer(sublinear_tf=True)` gives for the same analyzers
(`tests/test_feeds_terms.py` checks them), without importing scikit-learn (a second of start-up).

Terms get their columns in a `TermTable`, which only grows: a column, once given, stays, so counts
taken at different times line up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, repeat
from typing import Any

import numpy as np
from scipy import sparse

from .text import _STOP, _stem, normalize_text

WORDS, GRAMS = "words", "grams"
#: Character n-gram lengths (within words, a word padded with one space each side).
GRAM_SIZES = (3, 4, 5)
#: Texts are tokenised in runs of about this many characters (see `_Batch`).
CHUNK_CHARS = 200_000
#: Terms looked up, and words cut into n-grams, per call into C (see `_Batch`).
CHUNK_TERMS = 100_000
CHUNK_WORDS = 10_000
#: Words whose n-grams a table remembers (about 100 bytes each).
MAX_REMEMBERED_WORDS = 200_000
_TOKEN_RE = re.compile(r"[a-z0-9]+")  # the words of `papershelf.feeds.text`
_GRAM_WORD_RE = re.compile(r"\w+(?:-\w+)*")  # a hyphenated compound is one word (`pretraining`)


class TermTable:
    """Terms and their columns; a table only grows."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        """A table of these terms, in this order."""
        self.names: list[str] = list(names)
        self.column: dict[str, int] = dict(zip(self.names, range(len(self.names)), strict=True))
        self._grams: dict[str, list[str]] = {}

    def __len__(self) -> int:
        return len(self.names)

    def __getstate__(self) -> dict[str, Any]:
        return {"names": self.names}  # the column dict is rebuilt (half the size on disk)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["names"])  # type: ignore[misc]

    def copy(self) -> TermTable:
        """A table of the same terms that grows on its own (the n-grams of words stay shared)."""
        out = TermTable.__new__(TermTable)
        out.names, out.column, out._grams = list(self.names), dict(self.column), self._grams
        return out

    def subset(self, columns: np.ndarray) -> tuple[TermTable, np.ndarray]:
        """A table of only these columns' terms (in this order), and where each old column went
        (-1: dropped)."""
        out = TermTable(self.names[j] for j in columns.tolist())
        out._grams = self._grams
        moved = np.full(len(self.names), -1, dtype=np.int64)
        moved[columns] = np.arange(len(columns))
        return out, moved

    def columns(self, terms: Sequence[str], grow: bool) -> np.ndarray:
        """Each term's column; a new term gets the next one (`grow`) or -1."""
        if len(terms) > CHUNK_TERMS:  # short calls into C (see `_Batch`)
            parts = [
                self.columns(terms[k : k + CHUNK_TERMS], grow)
                for k in range(0, len(terms), CHUNK_TERMS)
            ]
            return np.concatenate(parts)
        column = self.column
        if grow:
            new = [t for t in dict.fromkeys(terms) if t not in column]
            column.update(zip(new, range(len(self.names), len(self.names) + len(new)), strict=True))
            self.names.extend(new)
            return np.fromiter(map(column.__getitem__, terms), dtype=np.int64, count=len(terms))
        found = map(column.get, terms, repeat(-1))
        return np.fromiter(found, dtype=np.int64, count=len(terms))

    def grams(self, word: str) -> list[str]:
        """A word's character n-grams (scikit-learn's `char_wb`), remembered per word."""
        found = self._grams.get(word)
        if found is None:
            if len(self._grams) >= MAX_REMEMBERED_WORDS:  # a long-running server stays bounded
                self._grams.clear()
            found = self._grams[word] = char_wb_grams(word)
        return found


def char_wb_grams(word: str) -> list[str]:
    """The `char_wb` n-grams of one word: ` word ` cut into 3-, 4- and 5-grams."""
    padded = f" {word.lower()} "
    out = []
    for n in GRAM_SIZES:
        if len(padded) <= n:  # a short word counts once, whole
            out.append(padded)
            break
        out.extend(padded[k : k + n] for k in range(len(padded) - n + 1))
    return out


_SEPARATOR = "\x1e"  # between the texts of a batch: not a word character, nor changed by NFKC
_COARSE_ASCII_RE = re.compile(r"[a-z0-9_-]+|\x1e")
_COARSE_RE = re.compile(r"[\w-]+|\x1e")


class _Batch:
    """A batch of texts as occurrences of distinct compounds (`_GRAM_WORD_RE`, for the n-grams)
    and of distinct words (`_TOKEN_RE`, for the word view), in text order.

    The texts are normalised and scanned a chunk at a time as one string with a coarse pattern;
    each distinct coarse token is then split exactly, once. Chunks keep each call into C short:
    a fit runs beside request threads, which could not take the interpreter back during one
    long call (a whole workspace's text at once held it for a third of a second).
    """

    def __init__(self, texts: Sequence[str]) -> None:
        """Tokenise raw texts (normalised here, as `papershelf.feeds.text.normalize_text` does)."""
        self.n_texts = len(texts)
        slot: dict[str, int] = {}
        all_ids, all_docs = [], []
        for start, chunk in _chunks(texts):
            ids, docs = _coarse_tokens(chunk, slot)
            all_ids.append(ids)
            all_docs.append(docs + start)
        ids = np.concatenate(all_ids) if all_ids else np.zeros(0, dtype=np.int64)
        docs = np.concatenate(all_docs) if all_docs else np.zeros(0, dtype=np.int64)
        coarse = list(slot)
        self.compounds, compound_ptr, compound_flat = _split(coarse, _GRAM_WORD_RE)
        self.compound_ids, self.compound_docs = _expand(ids, docs, compound_ptr, compound_flat)
        self.words, word_ptr, word_flat = _split(coarse, _TOKEN_RE)
        self.word_ids, self.word_docs = _expand(ids, docs, word_ptr, word_flat)


def _chunks(texts: Sequence[str]) -> Iterator[tuple[int, Sequence[str]]]:
    """(index of the first, texts) of consecutive runs of about `CHUNK_CHARS` characters."""
    start, size = 0, 0
    for k, text in enumerate(texts):
        size += len(text) + 1
        if size >= CHUNK_CHARS:
            yield start, texts[start : k + 1]
            start, size = k + 1, 0
    if start < len(texts):
        yield start, texts[start:]


def _coarse_tokens(texts: Sequence[str], slot: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Each coarse token of the texts as its index in `slot` (new ones added), and the text
    (0-based within `texts`) it is in."""
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        joined = _SEPARATOR.join(t.replace(_SEPARATOR, " ") for t in texts)
    if joined.isascii():
        normal, coarse_re = joined.lower(), _COARSE_ASCII_RE
    else:
        normal, coarse_re = normalize_text(joined), _COARSE_RE
    flat = coarse_re.findall(normal)
    local = list(dict.fromkeys(flat))
    where = np.fromiter(
        (slot.setdefault(token, len(slot)) for token in local), dtype=np.int64, count=len(local)
    )
    local_slot = dict(zip(local, range(len(local)), strict=True))
    ids = where[np.fromiter(map(local_slot.__getitem__, flat), dtype=np.int64, count=len(flat))]
    is_separator = ids == slot.get(_SEPARATOR, -1)
    return ids[~is_separator], np.cumsum(is_separator)[~is_separator]


def _split(coarse: list[str], pattern: re.Pattern[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The distinct pieces `pattern` finds in the coarse tokens, and each token's pieces (CSR)."""
    slot: dict[str, int] = {}
    flat: list[int] = []
    ptr = [0]
    for token in coarse:
        for piece in pattern.findall(token):
            flat.append(slot.setdefault(piece, len(slot)))
        ptr.append(len(flat))
    return list(slot), np.array(ptr, dtype=np.int64), np.array(flat, dtype=np.int64)


def _expand(
    ids: np.ndarray, docs: np.ndarray, ptr: np.ndarray, flat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Occurrences of coarse tokens as occurrences of their pieces (and the texts they are in)."""
    lengths = ptr[ids + 1] - ptr[ids]
    ends = np.cumsum(lengths)
    positions = np.repeat(ptr[ids] - (ends - lengths), lengths) + np.arange(
        int(ends[-1]) if len(ends) else 0
    )
    return flat[positions], np.repeat(docs, lengths)


def _matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int) -> Any:
    """Counts of (row, column) pairs as a canonical float32 CSR matrix (-1 columns dropped)."""
    keep = cols >= 0
    data = np.ones(int(keep.sum()), dtype=np.float32)
    matrix = sparse.csr_matrix((data, (rows[keep], cols[keep])), shape=(n_rows, n_cols))
    matrix.sum_duplicates()
    return matrix


def _word_matrix(batch: _Batch, table: TermTable, grow: bool) -> Any:
    """Counts (texts x table) of the stemmed content words and joined neighbour pairs
    (`papershelf.feeds.text._word_analyzer`, term for term)."""
    distinct = batch.words
    content = np.fromiter(
        (w not in _STOP and len(w) > 1 for w in distinct), dtype=bool, count=len(distinct)
    )
    stem_column = np.full(len(distinct), -1, dtype=np.int64)
    where = np.flatnonzero(content)
    stem_column[where] = table.columns([_stem(distinct[k]) for k in where.tolist()], grow)
    keep = content[batch.word_ids]
    ids, docs = batch.word_ids[keep], batch.word_docs[keep]
    same = docs[1:] == docs[:-1]  # neighbours within one text (stop words left out)
    n = len(distinct)
    unique, inverse = np.unique(ids[:-1][same] * n + ids[1:][same], return_inverse=True)
    pairs = [_stem(distinct[k // n] + distinct[k % n]) for k in unique.tolist()]
    pair_columns = table.columns(pairs, grow)[inverse] if pairs else np.zeros(0, dtype=np.int64)
    rows = np.concatenate([docs, docs[1:][same]])
    cols = np.concatenate([stem_column[ids], pair_columns])
    return _matrix(rows, cols, batch.n_texts, len(table))


def _gram_matrix(batch: _Batch, table: TermTable, grow: bool) -> Any:
    """Counts (texts x table) of the character 3-5-grams within the words.

    A text's n-grams are the sum of its words' (they never cross a word boundary), so each
    distinct word is cut once and the text counts are (texts x words) @ (words x n-grams).
    """
    words = [w.replace("-", "") for w in batch.compounds]
    grams = [table.grams(w) for w in words]
    lengths = np.fromiter(map(len, grams), dtype=np.int64, count=len(grams))
    columns = np.concatenate(
        [np.zeros(0, dtype=np.int64)]
        + [
            table.columns(list(chain.from_iterable(grams[k : k + CHUNK_WORDS])), grow)
            for k in range(0, len(grams), CHUNK_WORDS)
        ]
    )
    word_grams = _matrix(np.repeat(np.arange(len(words)), lengths), columns, len(words), len(table))
    text_words = _matrix(batch.compound_docs, batch.compound_ids, batch.n_texts, len(words))
    return (text_words @ word_grams).tocsr().astype(np.float32, copy=False)


def view_counts(
    texts: Sequence[str], words: TermTable, grams: TermTable, *, grow: bool = True
) -> tuple[Any, Any]:
    """Counts of raw texts' terms in both views: (texts x `words`), (texts x `grams`)."""
    batch = _Batch(texts)
    return _word_matrix(batch, words, grow), _gram_matrix(batch, grams, grow)


def counts(kind: str, texts: Sequence[str], table: TermTable, *, grow: bool = True) -> Any:
    """Counts (texts x table) of one view (`WORDS` or `GRAMS`) of raw texts."""
    batch = _Batch(texts)
    return (_word_matrix if kind == WORDS else _gram_matrix)(batch, table, grow)


def widen(matrix: Any, n_columns: int) -> Any:
    """A CSR matrix with more (empty) columns: counts taken before the table grew."""
    return sparse.csr_matrix(
        (matrix.data, matrix.indices, matrix.indptr), (matrix.shape[0], n_columns)
    )


def smooth_idf(matrix: Any) -> np.ndarray:
    """scikit-learn's smooth IDF of each column over the rows of `matrix`, 0 for a column no row
    has (a term unseen in the corpus counts for nothing)."""
    df = np.bincount(matrix.indices, minlength=matrix.shape[1])
    idf = np.log((1.0 + matrix.shape[0]) / (1.0 + df)) + 1.0
    idf[df == 0] = 0.0
    return idf.astype(np.float32)


def _scaled_rows(matrix: Any, scale: np.ndarray) -> Any:
    """CSR `matrix` with row i multiplied by scale[i]."""
    data = matrix.data * np.repeat(scale.astype(matrix.dtype), np.diff(matrix.indptr))
    return sparse.csr_matrix((data, matrix.indices, matrix.indptr), matrix.shape)


def unit_rows(matrix: Any) -> Any:
    """Rows scaled to unit length (empty rows stay empty), as CSR."""
    matrix = sparse.csr_matrix(matrix)
    if not matrix.shape[0]:
        return matrix
    squares = np.append(np.square(matrix.data, dtype=np.float64), 0.0)
    norms = np.sqrt(np.add.reduceat(squares, matrix.indptr[:-1]))
    norms[(np.diff(matrix.indptr) == 0) | (norms == 0)] = 1.0
    return _scaled_rows(matrix, 1.0 / norms)


def tfidf(matrix: Any, idf: np.ndarray) -> Any:
    """Unit rows of sublinear TF (1 + log count) times IDF."""
    out = sparse.csr_matrix(matrix, dtype=np.float32, copy=True)
    out.data = (1.0 + np.log(out.data)) * idf[out.indices]
    out.eliminate_zeros()
    return unit_rows(out)


def _weights(matrix: Any, idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sublinear TF-IDF of each stored count, and each row's length."""
    data = np.log(matrix.data, dtype=np.float32)
    data += 1.0
    data *= idf[matrix.indices]
    squares = np.append(np.square(data, dtype=np.float64), 0.0)
    lengths = np.sqrt(np.add.reduceat(squares, matrix.indptr[:-1]))
    lengths[np.diff(matrix.indptr) == 0] = 0.0
    return data, lengths


def joined_rows(words: Any, word_idf: np.ndarray, grams: Any, gram_idf: np.ndarray) -> Any:
    """Unit rows of both views side by side: each view's TF-IDF row of unit length, then the
    joined row (so a text's words and its n-grams weigh the same). One pass, one new matrix:
    it is `unit_rows(hstack([tfidf(words), tfidf(grams)]))` without the intermediate copies."""
    word_data, word_lengths = _weights(words, word_idf)
    gram_data, gram_lengths = _weights(grams, gram_idf)
    views = (word_lengths > 0).astype(np.float64) + (gram_lengths > 0)
    root = np.sqrt(np.maximum(views, 1.0))
    word_scale = np.where(word_lengths > 0, 1.0 / (np.maximum(word_lengths, 1e-30) * root), 0.0)
    gram_scale = np.where(gram_lengths > 0, 1.0 / (np.maximum(gram_lengths, 1e-30) * root), 0.0)
    word_counts, gram_counts = np.diff(words.indptr), np.diff(grams.indptr)
    word_data *= np.repeat(word_scale.astype(np.float32), word_counts)
    gram_data *= np.repeat(gram_scale.astype(np.float32), gram_counts)
    # Row r holds its word entries, then its n-gram entries (columns shifted past the words).
    indptr = words.indptr.astype(np.int64) + grams.indptr
    data = np.empty(len(word_data) + len(gram_data), dtype=np.float32)
    indices = np.empty(len(data), dtype=np.int32)
    word_at = np.arange(len(word_data)) + np.repeat(grams.indptr[:-1], word_counts)
    gram_at = np.arange(len(gram_data)) + np.repeat(words.indptr[1:], gram_counts)
    data[word_at], data[gram_at] = word_data, gram_data
    indices[word_at], indices[gram_at] = words.indices, grams.indices + words.shape[1]
    shape = (words.shape[0], words.shape[1] + grams.shape[1])
    return sparse.csr_matrix((data, indices, indptr), shape)


class TfidfView:
    """One view (words or n-grams) fitted on a corpus: its terms and their IDF."""

    def __init__(self, kind: str, table: TermTable, idf: np.ndarray) -> None:
        """A fitted view (use `fit_transform`)."""
        self.kind = kind
        self.table = table
        self.idf = idf

    @classmethod
    def fit_transform(cls, kind: str, texts: Sequence[str]) -> tuple[TfidfView, Any]:
        """Learn the terms and IDF of normalised `texts`; the view and their unit rows."""
        table = TermTable()
        matrix = counts(kind, texts, table)
        view = cls(kind, table, smooth_idf(matrix))
        return view, tfidf(matrix, view.idf)

    def transform(self, texts: Sequence[str]) -> Any:
        """Unit TF-IDF rows of normalised texts (terms the corpus lacked are ignored)."""
        return tfidf(counts(self.kind, texts, self.table, grow=False), self.idf)

    def names(self) -> np.ndarray:
        """The terms, by column."""
        return np.array(self.table.names, dtype=object)


class Vectorizer:
    """Both views fitted on one corpus: unit TF-IDF rows of words and of n-grams."""

    def __init__(self, words: TfidfView, grams: TfidfView) -> None:
        """Fitted views (use `fit_transform`)."""
        self.words = words
        self.grams = grams

    @property
    def n_words(self) -> int:
        """Columns of the word view."""
        return len(self.words.table)

    @classmethod
    def fit_transform(cls, texts: Sequence[str]) -> tuple[Vectorizer, Any, Any]:
        """Learn both views of raw `texts`; the vectorizer and their (words, n-grams) rows."""
        word_table, gram_table = TermTable(), TermTable()
        word_counts, gram_counts = view_counts(texts, word_table, gram_table)
        words = TfidfView(WORDS, word_table, smooth_idf(word_counts))
        grams = TfidfView(GRAMS, gram_table, smooth_idf(gram_counts))
        return cls(words, grams), tfidf(word_counts, words.idf), tfidf(gram_counts, grams.idf)

    def transform(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """Unit (words, n-grams) rows of raw texts; terms the corpus lacked are ignored."""
        word_counts, gram_counts = view_counts(
            texts, self.words.table, self.grams.table, grow=False
        )
        return tfidf(word_counts, self.words.idf), tfidf(gram_counts, self.grams.idf)

    def transform_words(self, texts: Sequence[str]) -> Any:
        """Unit word rows of raw texts."""
        return self.words.transform(texts)
