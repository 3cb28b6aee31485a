"""Which section of a list a paper goes to, learned from the lists' own entries (pure core).

Whether the paper belongs in the list at all is `papershelf.feeds.relevance`'s question; this module picks
the section, among the lists where the paper is relevant.

Each section is known by its heading text and its entries' text (titles, plus abstracts, notes and
tags where the list has them). A paper is scored against every section by four signals over
TF-IDF vectors (words with light stemming, and character n-grams that catch "finetune" against
"fine-tuning"): similarity to the heading, to the section's centroid, to its three nearest
entries, and a linear model (an SVM, one class per section, as arxiv-sanity-lite trains per tag) in the spirit of
arxiv-sanity-lite. The words that explain a score are the terms the paper shares with the
section, weighted by both.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse

from .rankmath import (
    LinearSections,
    centroids,
    fit_linear,
    normalize_rows,
    sample_rows,
    slices,
)
from .terms import Vectorizer
from .text import WHY_WORDS as WHY_WORDS  # re-exported: how many words explain a suggestion
from .text import _as_surface, _Surface
from .text import normalize_text as normalize_text  # re-exported
from .text import surface_words as surface_words  # re-exported
from .text import word_tokens as word_tokens  # re-exported

log = logging.getLogger(__name__)

#: Weights of the four signals; chosen on principle (each signal in 0..1, equal say), not tuned.
HEAD_WEIGHT = 1.0
CENTROID_WEIGHT = 1.0
NEIGHBOUR_WEIGHT = 1.0
LINEAR_WEIGHT = 1.0
NEIGHBOURS = 3
_WEIGHT_SUM = HEAD_WEIGHT + CENTROID_WEIGHT + NEIGHBOUR_WEIGHT + LINEAR_WEIGHT
#: The nearest-entry signal searches at most this many entries per section (evenly spread):
#: a section's centroid and the linear model still see every entry.
NEIGHBOUR_SAMPLE_PER_SECTION = 150


@dataclass(frozen=True)
class SectionRef:
    """A section a paper could go to: list path, section address and heading text."""

    list: str
    section: str
    heading: str


@dataclass(frozen=True)
class KnownEntry:
    """One listed paper as ranking knowledge: where it is and the text known about it."""

    list: str
    section: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class Suggestion:
    """Where a paper may belong, how strongly (0..1), and the words that say why."""

    list: str
    section: str
    score: float
    why: tuple[str, ...] = ()
    similar: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """`{"list", "section", "score", "why", "similar"}` for the CLI and the API."""
        return {
            "list": self.list,
            "section": self.section,
            "score": round(self.score, 4),
            "why": list(self.why),
            "similar": self.similar,
        }


@dataclass
class Ranker:
    """A fitted model of every section of a workspace; `rank` scores papers against it."""

    sections: list[SectionRef]
    entry_section: np.ndarray = field(repr=False)
    views: Vectorizer | None = field(default=None, repr=False)
    head_vecs: Any = field(default=None, repr=False)
    centroids: Any = field(default=None, repr=False)
    word_centroids: Any = field(default=None, repr=False)
    linear: list[LinearSections] = field(default_factory=list, repr=False)
    section_slices: list[tuple[int, int]] = field(default_factory=list, repr=False)
    near_rows: Any = field(default=None, repr=False)
    near_matrix: Any = field(default=None, repr=False)
    near_slices: list[tuple[int, int]] = field(default_factory=list, repr=False)
    entry_titles: list[str] = field(default_factory=list, repr=False)
    head_words: Any = field(default=None, repr=False)
    _names: Any = field(default=None, repr=False)
    _section_terms: Any = field(default=None, repr=False)

    @property
    def empty(self) -> bool:
        """Whether there is no section to suggest."""
        return not self.sections or self.views is None

    # -- fitting -----------------------------------------------------------------------------

    @classmethod
    def fit(cls, sections: Sequence[SectionRef], entries: Iterable[KnownEntry]) -> Ranker:
        """Learn every section from its heading and its entries."""
        sections = list(sections)
        position = {(s.list, s.section): i for i, s in enumerate(sections)}
        known = sorted(
            (
                (position[(e.list, e.section)], e.text, e.title or e.text)
                for e in entries
                if (e.list, e.section) in position and e.text.strip()
            ),
            key=lambda item: item[0],
        )
        labels = np.array([k for k, _, _ in known], dtype=np.int64)
        texts = [t for _, t, _ in known]
        ranker = cls(sections=sections, entry_section=labels)
        ranker.entry_titles = [" ".join(title.split())[:200] for _, _, title in known]
        heads = [_heading_text(s) for s in sections]
        if not sections:
            return ranker
        views, word_matrix, char_matrix = Vectorizer.fit_transform(texts + heads)
        if not word_matrix.nnz:  # no content word anywhere: nothing to learn
            return ranker
        ranker.views = views
        both = normalize_rows(sparse.hstack([word_matrix, char_matrix]).tocsr())
        n = len(texts)
        entry_vecs, ranker.head_vecs = both[:n], both[n:]
        entry_words = normalize_rows(word_matrix[:n])
        ranker.head_words = normalize_rows(word_matrix[n:])
        ranker.section_slices = slices(labels, len(sections))
        ranker.near_rows = np.array(
            sample_rows(labels, len(sections), NEIGHBOUR_SAMPLE_PER_SECTION), dtype=np.int64
        )
        ranker.near_matrix = entry_words[ranker.near_rows]
        ranker.near_slices = slices(labels[ranker.near_rows], len(sections))
        ranker.centroids = centroids(entry_vecs, ranker.section_slices)
        ranker.word_centroids = centroids(word_matrix[:n], ranker.section_slices)
        ranker.linear = fit_linear(entry_vecs, labels, ranker.head_vecs, [s.list for s in sections])
        return ranker

    # -- scoring -----------------------------------------------------------------------------

    def _vectors(self, texts: Sequence[str]) -> tuple[Any, Any]:
        """(combined, word-only) normalised vectors of raw texts."""
        assert self.views is not None
        word_matrix, char_matrix = self.views.transform(texts)
        both = normalize_rows(sparse.hstack([word_matrix, char_matrix]).tocsr())
        return both, word_matrix

    def score_matrix(self, texts: Sequence[str]) -> np.ndarray:
        """Scores (papers x sections), each in 0..1."""
        return self._scores(texts)[0]

    def _scores(
        self, texts: Sequence[str], titles: Sequence[str] | None = None
    ) -> tuple[np.ndarray, Any, Any]:
        """Scores (papers x sections), the papers' word vectors and each one's nearest entries.

        `titles` (default: the texts) are what is compared with the listed entries one by one:
        entries are mostly titles, so a paper's title is compared like with like.
        """
        if self.empty:
            return np.zeros((len(texts), len(self.sections)), dtype=np.float32), None, None
        both, words = self._vectors(texts)
        head = (both @ self.head_vecs.T).toarray()
        centroid = (both @ self.centroids.T).toarray()
        title_words = words
        if titles is not None:
            assert self.views is not None
            title_words = self.views.transform_words(titles)
        near, nearest = self._neighbours(title_words)
        empty = self._empty_sections()
        if empty.any():
            # A section without entries is known by its heading alone: the heading stands in
            # for its centroid (its nearest-entry signal stays 0, so a known section still wins
            # a tie).
            centroid[:, empty] = head[:, empty]
        total = HEAD_WEIGHT * head + CENTROID_WEIGHT * centroid + NEIGHBOUR_WEIGHT * near
        if self.linear:
            margins = np.full_like(total, -1.0)
            for model in self.linear:
                margins[:, model.columns] = model.margins(both)
            total += LINEAR_WEIGHT * (1.0 / (1.0 + np.exp(-2.0 * margins)))
        # An empty section is judged on its heading (and the linear model's view of it) alone.
        return (total / _WEIGHT_SUM).astype(np.float32), words, nearest

    def _empty_sections(self) -> np.ndarray:
        """Which sections have no entries (a boolean per section)."""
        return np.array([b <= a for a, b in self.section_slices], dtype=bool)

    def _neighbours(self, words: Any, chunk: int = 256) -> tuple[np.ndarray, np.ndarray]:
        """Mean similarity to each section's `NEIGHBOURS` nearest entries, and the nearest one."""
        shape = (words.shape[0], len(self.sections))
        out = np.zeros(shape, dtype=np.float32)
        nearest = np.full(shape, -1, dtype=np.int32)
        if self.near_matrix is None or self.near_matrix.shape[0] == 0:
            return out, nearest
        for start in range(0, words.shape[0], chunk):
            sims = (words[start : start + chunk] @ self.near_matrix.T).toarray()
            for j, (a, b) in enumerate(self.near_slices):
                if b <= a:
                    continue
                block = sims[:, a:b]
                k = min(NEIGHBOURS, b - a)
                top = np.partition(block, b - a - k, axis=1)[:, b - a - k :]
                out[start : start + chunk, j] = top.mean(axis=1)
                best = block.argmax(axis=1)
                hit = block[np.arange(block.shape[0]), best] > 0
                nearest[start : start + chunk, j] = np.where(hit, self.near_rows[a + best], -1)
        return out, nearest

    def suggest(self, text: str, *, top_k: int = 3) -> list[Suggestion]:
        """The best `top_k` sections for one paper's text, with the words that explain each."""
        return self.rank([text], top_k=top_k)[0]

    def rank(
        self,
        texts: Sequence[str],
        *,
        top_k: int = 3,
        lists: Iterable[str] | None = None,
        titles: Sequence[str] | None = None,
    ) -> list[list[Suggestion]]:
        """The best `top_k` sections (of `lists`, when given) for each text, explained."""
        return self.rank_with_lists(texts, top_k=top_k, lists=lists, titles=titles)[0]

    def rank_with_lists(
        self,
        texts: Sequence[str],
        *,
        top_k: int = 3,
        lists: Iterable[str] | None = None,
        titles: Sequence[str] | None = None,
        explain: int | None = None,
        relevant: Sequence[Sequence[str]] | None = None,
    ) -> tuple[list[list[Suggestion]], list[dict[str, float]]]:
        """Suggestions for each text and its best score in each list; the first `explain`
        suggestions of each (default: all) carry their words and most similar entry.

        `relevant[i]`: the lists text i may go to, most relevant first; its first suggestion is
        then the best section of the first of them that has one.
        """
        explain = top_k if explain is None else explain
        if not texts:
            return [], []
        scores, words, nearest = self._scores(texts, titles)
        if relevant is not None:
            scores = self._within(scores, relevant)
        wanted = set(lists) if lists is not None else None
        columns: dict[str, list[int]] = {}
        for j, ref in enumerate(self.sections):
            if wanted is None or ref.list in wanted:
                columns.setdefault(ref.list, []).append(j)
        if wanted is not None:
            allowed = np.zeros(len(self.sections), dtype=bool)
            allowed[[j for cols in columns.values() for j in cols]] = True
            scores = np.where(allowed, scores, -1.0)
        per_list = [
            {name: round(float(scores[i, cols].max()), 4) for name, cols in columns.items()}
            for i in range(len(texts))
        ]
        out = []
        for i, text in enumerate(texts):
            order = np.argsort(-scores[i], kind="stable")[:top_k]
            if relevant is not None:
                order = self._first_list_first(scores[i], relevant[i], top_k)
            row = words[i] if words is not None else None
            surface = _Surface(text) if explain > 0 else None
            out.append(
                [
                    self._explain(surface, row, nearest, i, int(j), float(scores[i, j]))
                    if rank < explain
                    else Suggestion(
                        self.sections[j].list,
                        self.sections[j].section,
                        max(0.0, min(1.0, float(scores[i, j]))),
                    )
                    for rank, j in enumerate(order)
                    if scores[i, j] > 0
                ]
            )
        return out, per_list

    def _within(self, scores: np.ndarray, relevant: Sequence[Sequence[str]]) -> np.ndarray:
        """`scores` with every section outside each row's relevant lists at -1."""
        lists = np.array([ref.list for ref in self.sections], dtype=object)
        out = np.full_like(scores, -1.0)
        for i, names in enumerate(relevant):
            keep = np.isin(lists, list(names))
            out[i, keep] = scores[i, keep]
        return out

    def _first_list_first(self, row: np.ndarray, names: Sequence[str], top_k: int) -> np.ndarray:
        """Sections by score, the best one of the most relevant list (that has one) first."""
        order = np.argsort(-row, kind="stable")
        for name in names:
            first = next((j for j in order if self.sections[j].list == name and row[j] > 0), None)
            if first is not None:
                return np.array([first, *(j for j in order if j != first)][:top_k])
        return order[:top_k]

    def _explain(
        self, surface: _Surface | None, row: Any, nearest: Any, i: int, j: int, score: float
    ) -> Suggestion:
        """A Suggestion for section `j` with its shared words and its most similar entry."""
        ref = self.sections[j]
        why: tuple[str, ...] = ()
        similar = None
        if surface is not None and row is not None and row.nnz:
            why = _as_surface(surface, self._why_terms(row, j))
            if nearest is not None and nearest[i, j] >= 0:
                similar = self.entry_titles[int(nearest[i, j])]
        return Suggestion(ref.list, ref.section, max(0.0, min(1.0, score)), why, similar)

    def _terms_of(self, j: int) -> tuple[np.ndarray, np.ndarray]:
        """Section `j`'s word weights (centroid plus heading) as sorted (indices, weights)."""
        if self._section_terms is None:
            combined = (self.word_centroids + self.head_words).tocsr()
            combined.sort_indices()
            self._section_terms = combined
        row = self._section_terms
        a, b = row.indptr[j], row.indptr[j + 1]
        return row.indices[a:b], row.data[a:b]

    def _why_terms(self, row: Any, j: int) -> list[str]:
        """The paper's terms that weigh most in section `j` (its entries and its heading)."""
        assert self.views is not None
        if self._names is None:
            self._names = self.views.words.names()
        indices, weights = self._terms_of(j)
        if not indices.size:
            return []
        where = np.minimum(np.searchsorted(indices, row.indices), indices.size - 1)
        shared = indices[where] == row.indices
        scores = np.where(shared, weights[where] * row.data, 0.0)
        order = np.lexsort((row.indices, -scores))
        return [str(self._names[row.indices[k]]) for k in order if scores[k] > 0]


def _heading_text(section: SectionRef) -> str:
    """The words a section's heading path gives (its own title counts twice)."""
    parts = [p for p in section.section.split(" > ") if p]
    return " ".join([*parts, section.heading]) if section.heading else " ".join(parts)
