"""Words of paper texts, shared by the section ranker and the relevance model (pure).

Text is NFKC-normalised and casefolded with compound hyphens made plain (`Pre‑Training` ->
`pre-training`); content words drop English stop words and get a light stem; each pair of
neighbouring words also counts as one joined term, so `instruction tuning`, `instruction-tuning`
and `instructiontuning` share a term. `surface_words` turns stemmed terms back into the words a
paper wrote, for the words that explain a score.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

from .stopwords import ENGLISH_STOP_WORDS
from .why_words import explains

#: How many explaining words a suggestion carries.
WHY_WORDS = 4

_HYPHEN_RE = re.compile(r"(?<=\w)[‐‑–](?=\w)")
_WORD_RE = re.compile(r"[a-z0-9]+")
_SUFFIXES = ("ings", "ing", "ies", "ied", "es", "ed", "s")
_EXTRA_STOP = frozenset({"via", "using", "towards", "toward", "based", "new", "approach"})
_STOP = frozenset(ENGLISH_STOP_WORDS) | _EXTRA_STOP


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """A light English stem: `models`->`model`, `training`->`train`, `studies`->`studi`."""
    for suffix in _SUFFIXES:
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def normalize_text(text: str) -> str:
    """Lower-cased, NFKC, the hyphens of compounds written as `-` (`Pre‑Training` -> `pre-training`)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return _HYPHEN_RE.sub("-", text)


def word_tokens(text: str) -> list[str]:
    """Stemmed content words of already-normalised text."""
    return [_stem(w) for w in _WORD_RE.findall(text) if w not in _STOP and len(w) > 1]


def _content_words(text: str) -> list[str]:
    """The content words of already-normalised text, unstemmed (a compound gives its parts)."""
    return [w for w in _WORD_RE.findall(text) if w not in _STOP and len(w) > 1]


def _word_analyzer(text: str) -> list[str]:
    """Stemmed content words, and each pair of neighbours as one joined word (for the TF-IDF).

    A pair is the stem of the two words written together, so `instruction tuning`,
    `instruction-tuning` and `instructiontuning` share a term, as do `pre-training` and
    `pretraining`.
    """
    words = _content_words(text)
    return [_stem(w) for w in words] + [
        _stem(a + b) for a, b in zip(words, words[1:], strict=False)
    ]


class _Surface:
    """How one text wrote each of its terms: a word, or a pair of words (`pre-training`)."""

    def __init__(self, text: str) -> None:
        """Index the text's words by stem (pairs are looked up only when asked for)."""
        self.normal = normalize_text(text)
        self.content = _content_words(self.normal)
        self.single: dict[str, str] = {}
        for word in self.content:
            self.single.setdefault(_stem(word), word)

    def words(self, term: str) -> list[str]:
        """The words the text wrote for `term` (the term itself when the text has no such term)."""
        if term in self.single:
            return [self.single[term]]
        words = self.content
        for a, b in zip(words, words[1:], strict=False):
            if _stem(a + b) == term:
                return [f"{a}-{b}"] if f"{a}-{b}" in self.normal else [a, b]
        return [term]


def surface_words(text: str, terms: Sequence[str]) -> tuple[str, ...]:
    """Stemmed terms (best first) as the words the paper wrote, distinct, at most `WHY_WORDS`."""
    return _as_surface(_Surface(text), terms)


def _as_surface(surface: _Surface, terms: Sequence[str]) -> tuple[str, ...]:
    """Stemmed terms as surface words, distinct, at most `WHY_WORDS` (link pieces left out)."""
    out: list[str] = []
    for term in terms:
        for word in surface.words(term):
            if word not in out and explains(word):
                out.append(word)
        if len(out) >= WHY_WORDS:
            break
    return tuple(out[:WHY_WORDS])
