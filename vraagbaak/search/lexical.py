"""BM25 over character n-grams, one index per language.

Character n-grams (3 to 5, within words) match across inflection, compounds and spelling
mistakes, and need no tokenizer: that is what makes lexical evidence useful for Tigrinya. A
separate index per language keeps one language's statistics from drowning another's.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np
from scipy import sparse

from vraagbaak.i18n.normalize import normalize

NGRAM_MIN, NGRAM_MAX = 3, 5
K1, B = 1.2, 0.75


@lru_cache(maxsize=200_000)
def _word_ngrams(word: str) -> tuple[str, ...]:
    """One normalised word's n-grams. Cached: a knowledge base has a few thousand distinct
    words, and a live reload rebuilds every language's index from them."""
    padded = f" {word} "
    return tuple(padded[i:i + n] for n in range(NGRAM_MIN, NGRAM_MAX + 1) for i in range(len(padded) - n + 1))


def char_ngrams(text: str) -> list[str]:
    """Character n-grams of the normalised words, each word padded with spaces (char_wb)."""
    grams: list[str] = []
    for word in _normalized(text).split():
        grams.extend(_word_ngrams(word))
    return grams


#: Article texts are normalised again at every reload and calibration fold: remember them.
_normalized = lru_cache(maxsize=8192)(normalize)


class LexicalIndex:
    """BM25 weights of every (document, n-gram), stored column-wise for fast query lookups."""

    def __init__(self, vocabulary: dict[str, int], weights: sparse.csc_matrix, rows: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.weights = weights
        self.rows = rows  # the global version row of each document
        presence = weights.copy()
        presence.data[:] = 1.0
        self._presence = presence.tocsc()
        n_docs = max(weights.shape[0], 1)
        doc_freq = np.asarray(self._presence.sum(axis=0)).ravel()
        self._idf = np.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5))
        self._unseen_idf = float(np.log(1.0 + (n_docs + 0.5) / 0.5))

    @classmethod
    def build(cls, texts: Sequence[str], rows: Sequence[int]) -> "LexicalIndex":
        vocabulary: dict[str, int] = {}
        data: list[float] = []
        indices: list[int] = []
        indptr = [0]
        lengths = []
        for text in texts:
            counts = Counter(char_ngrams(text))
            lengths.append(sum(counts.values()))
            for gram, count in counts.items():
                indices.append(vocabulary.setdefault(gram, len(vocabulary)))
                data.append(count)
            indptr.append(len(indices))
        tf = sparse.csr_matrix((np.asarray(data, np.float32), indices, indptr),
                               shape=(len(texts), len(vocabulary)))
        n_docs = max(len(texts), 1)
        doc_freq = np.bincount(tf.indices, minlength=len(vocabulary))
        idf = np.log(1.0 + (n_docs - doc_freq + 0.5) / (doc_freq + 0.5)).astype(np.float32)
        length = np.asarray(lengths, np.float32)
        norm = K1 * (1 - B + B * length / max(float(length.mean()) if len(length) else 1.0, 1.0))
        tf = tf.tocoo()
        weight = idf[tf.col] * tf.data * (K1 + 1) / (tf.data + norm[tf.row])
        matrix = sparse.csc_matrix((weight.astype(np.float32), (tf.row, tf.col)), shape=tf.shape)
        return cls(vocabulary, matrix, np.asarray(rows, np.int64))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query (zeros when nothing matches)."""
        columns = sorted({self.vocabulary[g] for g in char_ngrams(query) if g in self.vocabulary})
        if not columns:
            return np.zeros(len(self.rows), np.float32)
        return np.asarray(self.weights[:, columns].sum(axis=1)).ravel()

    def coverage(self, query: str) -> float:
        """The largest share of the question's n-grams, weighted by rarity (idf), that one
        document contains: near 1 when a text says what the question says, low for off-topic
        questions. Length-independent, so it can be compared across questions."""
        grams = set(char_ngrams(query))
        if not grams:
            return 0.0
        columns = [self.vocabulary[g] for g in grams if g in self.vocabulary]
        total = float(self._idf[columns].sum()) + self._unseen_idf * (len(grams) - len(columns))
        if not columns or total <= 0:
            return 0.0
        covered = self._presence[:, columns] @ self._idf[columns]
        return float(np.max(covered) / total)

    def save(self, directory: Path, name: str) -> None:
        sparse.save_npz(directory / f"{name}.npz", self.weights.tocsc(), compressed=False)
        grams = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        (directory / f"{name}.vocab").write_text("\n".join(g.replace("\n", " ") for g in grams), encoding="utf-8")
        np.save(directory / f"{name}.rows.npy", self.rows)

    @classmethod
    def load(cls, directory: Path, name: str) -> "LexicalIndex":
        weights = sparse.load_npz(directory / f"{name}.npz").tocsc()
        text = (directory / f"{name}.vocab").read_text(encoding="utf-8")
        grams = text.split("\n") if text else []
        rows = np.load(directory / f"{name}.rows.npy")
        return cls({g: i for i, g in enumerate(grams)}, weights, rows)
