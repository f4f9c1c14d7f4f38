"""A loaded index build: vectors in FAISS, lexical indexes per language, articles and thresholds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from vraagbaak.safety.check import SafetyCheck
from vraagbaak.safety.patterns import Pattern
from vraagbaak.search import coverage
from vraagbaak.search.calibration import LanguageCalibration, from_json
from vraagbaak.search.lexical import LexicalIndex
from vraagbaak.search.store import current_build, read_json

VECTORS_FILE = "vectors.faiss"
VERSIONS_FILE = "versions.json"
CALIBRATION_FILE = "calibration.json"
MANIFEST_FILE = "manifest.json"
LEXICAL_DIR = "lexical"
SAFETY_FILE = "safety.json"
SAFETY_VECTORS_FILE = "safety-vectors.npy"
BANK_FILE = "question-bank.json"
BANK_VECTORS_FILE = "question-bank.npy"


def _load_safety(build_dir: Path) -> SafetyCheck:
    record = read_json(build_dir / SAFETY_FILE)
    vectors = np.load(build_dir / SAFETY_VECTORS_FILE)
    danger = [(need, Pattern.parse(source, line)) for need, source, line in record["danger"]]
    calm = [Pattern.parse(source, line) for source, line in record["calm"]]
    return SafetyCheck(danger, calm, vectors.astype(np.float32), record["labels"], float(record["margin"]))


@dataclass(frozen=True)
class QuestionBank:
    """Example questions of the articles and of out-of-scope.yaml (see :mod:`.coverage`)."""

    vectors: np.ndarray
    out_of_scope: np.ndarray  # True where a row is an out-of-scope question
    calibration: dict[str, coverage.CoverageCalibration]

    @classmethod
    def load(cls, build_dir: Path) -> "QuestionBank":
        record = read_json(build_dir / BANK_FILE)
        vectors = np.load(build_dir / BANK_VECTORS_FILE).astype(np.float32)
        labels = record["labels"]
        if len(labels) != len(vectors):
            raise ValueError("question bank is inconsistent")
        return cls(vectors, np.asarray([label == coverage.OUT_OF_SCOPE for label in labels], dtype=bool),
                   coverage.from_json(record["calibration"]))

    def not_covered(self, query_vector: np.ndarray, lang: str) -> bool:
        """True when the question is nearer the out-of-scope examples than the articles'."""
        calibration = self.calibration.get(lang)
        if calibration is None or not len(self.vectors):
            return False
        return coverage.lead(self.vectors @ query_vector, self.out_of_scope) > calibration.margin


class IndexMissing(Exception):
    """No usable index has been built yet."""


@dataclass
class IndexSnapshot:
    """Everything search needs, read once; immutable after loading, safe to share across threads."""

    path: Path
    manifest: dict[str, Any]
    versions: list[dict[str, Any]]
    vectors: faiss.Index
    lexical: dict[str, LexicalIndex]
    calibration: dict[str, LanguageCalibration]
    safety: SafetyCheck
    bank: "QuestionBank"

    @classmethod
    def load(cls, build_dir: Path) -> "IndexSnapshot":
        try:
            manifest = read_json(build_dir / MANIFEST_FILE)
            versions = read_json(build_dir / VERSIONS_FILE)
            vectors = faiss.read_index(str(build_dir / VECTORS_FILE))
            lexical = {p.stem.split(".")[0]: LexicalIndex.load(p.parent, p.stem.split(".")[0])
                       for p in sorted((build_dir / LEXICAL_DIR).glob("*.npz"))}
            calibration = from_json(read_json(build_dir / CALIBRATION_FILE))
            safety = _load_safety(build_dir)
            bank = QuestionBank.load(build_dir)
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise IndexMissing(f"the index at {build_dir} cannot be read ({exc}); run 'vraagbaak kb build'") from exc
        if vectors.ntotal != len(versions):
            raise IndexMissing(f"the index at {build_dir} is inconsistent; run 'vraagbaak kb build'")
        return cls(build_dir, manifest, versions, vectors, lexical, calibration, safety, bank)

    @classmethod
    def load_current(cls, index_dir: Path) -> "IndexSnapshot":
        build = current_build(index_dir)
        if build is None:
            raise IndexMissing(f"no index in {index_dir}; run 'vraagbaak kb build'")
        return cls.load(build)

    @property
    def embedder_name(self) -> str:
        return str(self.manifest["embedder"])

    def dense_search(self, query_vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, rows) of the k nearest versions by cosine (vectors are normalised)."""
        k = max(1, min(k, self.vectors.ntotal))
        scores, rows = self.vectors.search(np.ascontiguousarray(query_vector[None, :], dtype=np.float32), k)
        keep = rows[0] >= 0
        return scores[0][keep], rows[0][keep]
