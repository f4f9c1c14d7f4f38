"""`kb build`: turn the knowledge base into an index build, embedding only what changed."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import faiss
import numpy as np

from vraagbaak.knowledge.authoring import is_outdated
from vraagbaak.knowledge.model import ArticleVersion, KnowledgeBase
from vraagbaak.search import calibration as cal
from vraagbaak.search import coverage
from vraagbaak.search.embedders import Embedder
from vraagbaak.safety.check import calibrate_margin, nearest_margin
from vraagbaak.safety.data import CALM, SafetyData, load_safety
from vraagbaak.search.index import (BANK_FILE, BANK_VECTORS_FILE, CALIBRATION_FILE, LEXICAL_DIR, MANIFEST_FILE,
                                    SAFETY_FILE, SAFETY_VECTORS_FILE, VECTORS_FILE, VERSIONS_FILE)
from vraagbaak.search.lexical import LexicalIndex
from vraagbaak.search.store import CACHE, EmbeddingCache, new_build_dir, publish_build, text_key, write_json

BATCH = 16
#: Save the cache after this many new embeddings, so an interrupted cold build is not lost.
CHECKPOINT_EVERY = 64
#: How much of the answer text goes into the dense vector (see dense_text).
DENSE_BODY_CHARS = 400
FINGERPRINT_SUFFIXES = (".md", ".yaml", ".yml")


@dataclass
class BuildReport:
    path: Path
    versions: int
    embedded: int
    reused: int
    seconds: float
    calibration: dict[str, cal.LanguageCalibration] = field(default_factory=dict)
    safety: dict[str, object] = field(default_factory=dict)
    bank: dict[str, object] = field(default_factory=dict)


def _knowledge_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in FINGERPRINT_SUFFIXES and p.is_file())


def knowledge_fingerprint(root: Path) -> str:
    """Changes whenever any knowledge file changes: tells whether the index is up to date."""
    digest = hashlib.sha256()
    for path in _knowledge_files(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def knowledge_stat(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Each knowledge file's name, size and modification time: a cheap first look, so that a
    watcher reads the files themselves only when one of these changed."""
    found = []
    for path in _knowledge_files(root):
        status = path.stat()
        found.append((str(path.relative_to(root)), status.st_size, status.st_mtime_ns))
    return tuple(found)


class _CachedEmbedder:
    """Embeds through the cache; counts what really had to be computed."""

    def __init__(self, embedder: Embedder, cache: EmbeddingCache) -> None:
        self.embedder, self.cache = embedder, cache
        self.embedded = self.reused = 0
        self._since_checkpoint = 0

    def embed(self, kind: str, texts: Sequence[str]) -> np.ndarray:
        keys = [text_key(kind, t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if self.cache.get(k) is None}.items())
        for start in range(0, len(missing), BATCH):
            chunk = missing[start:start + BATCH]
            fn = self.embedder.embed_queries if kind == "query" else self.embedder.embed_passages
            for (key, _), vector in zip(chunk, fn([t for _, t in chunk])):
                self.cache.put(key, vector)
            self._since_checkpoint += len(chunk)
            if self._since_checkpoint >= CHECKPOINT_EVERY:
                self.cache.save(prune=False)
                self._since_checkpoint = 0
        self.embedded += len(missing)
        self.reused += len(texts) - len(missing)
        out = np.zeros((len(texts), self.embedder.dim), np.float32)
        for i, key in enumerate(keys):
            out[i] = self.cache.get(key)
        return out


def _version_record(version: ArticleVersion, kb: KnowledgeBase) -> dict[str, object]:
    root = kb.root
    return {
        "outdated_translation": is_outdated(kb, version),
        "id": version.id, "lang": version.lang, "municipality": version.municipality,
        "topic": version.topic, "title": version.title, "body": version.body,
        "source": version.source, "reviewed": version.reviewed.isoformat(),
        "review_by": version.review_by.isoformat() if version.review_by else None,
        "native_review": version.native_review,
        "path": str(version.path.relative_to(root.parent)),
    }


def dense_text(version: ArticleVersion, questions: Sequence[str] | None = None) -> str:
    """What is embedded for a version: title and example questions, then the start of the answer.

    The answer is cut at DENSE_BODY_CHARS: the questions carry most of the signal, and long
    passages (Tigrinya runs to ~700 tokens) make embedding several times slower."""
    chosen = version.questions if questions is None else questions
    return "\n".join([version.title, *chosen, version.body[:DENSE_BODY_CHARS]])


def lexical_text(version: ArticleVersion, questions: Sequence[str] | None = None) -> str:
    """What the lexical index holds for a version: all of its text."""
    chosen = version.questions if questions is None else questions
    return "\n".join([version.title, *chosen, version.body])


def _calibration(versions: list[ArticleVersion], vectors: np.ndarray, embed: _CachedEmbedder,
                 lexical: dict[str, LexicalIndex], out_of_scope: dict[str, list[str]]
                 ) -> dict[str, cal.LanguageCalibration]:
    positives: dict[str, list[float]] = {}
    negatives: dict[str, list[float]] = {}
    for lang in sorted({v.lang for v in versions}):
        rows = [i for i, v in enumerate(versions) if v.lang == lang]
        splits = {i: cal.fold_split(versions[i].questions) for i in rows}
        held_out_lexical = LexicalIndex.build([lexical_text(versions[i], splits[i][0]) for i in rows], rows)
        for row in rows:
            kept, unseen = splits[row]
            if not kept or not unseen:
                continue
            held_out_vector = embed.embed("passage", [dense_text(versions[row], kept)])[0]
            queries = embed.embed("query", unseen)
            scores = queries @ vectors.T
            scores[:, row] = queries @ held_out_vector
            for question, score in zip(unseen, scores.max(axis=1)):
                positives.setdefault(cal.calibration_key(lang, question), []).append(
                    cal.confidence(float(score), held_out_lexical.coverage(question)))
        questions = out_of_scope.get(lang) or []
        if questions:
            tops = (embed.embed("query", questions) @ vectors.T).max(axis=1)
            for question, score in zip(questions, tops):
                negatives.setdefault(cal.calibration_key(lang, question), []).append(
                    cal.confidence(float(score), lexical[lang].coverage(question)))
    return cal.calibrate(positives, negatives)


def _safety(data: SafetyData, versions: list[ArticleVersion], embed: _CachedEmbedder,
            out_of_scope: dict[str, list[str]]) -> tuple[dict[str, object], np.ndarray]:
    """The safety layer's part of a build: its patterns, its examples' vectors, and the meaning
    margin calibrated on them (each example scored against the others, leave one out) and on
    ordinary questions (half of every article's example questions, and the out-of-scope ones)."""
    examples = data.examples
    vectors = embed.embed("query", [e.text for e in examples]) if examples else np.zeros((0, embed.embedder.dim), np.float32)
    labels = np.asarray([e.label for e in examples])
    emergencies: list[float] = []
    calm: list[float] = []
    if len(examples) > 1:
        similarities = vectors @ vectors.T
        np.fill_diagonal(similarities, -2.0)
        for i, example in enumerate(examples):
            meaning = nearest_margin(similarities[i], labels)
            if meaning is not None:
                (calm if example.label == CALM else emergencies).append(meaning.margin)
    ordinary_texts = [q for v in versions for q in cal.fold_split(v.questions)[1]]
    ordinary_texts += [q for qs in out_of_scope.values() for q in qs]
    ordinary: list[float] = []
    if len(examples) and ordinary_texts:
        for row in embed.embed("query", ordinary_texts) @ vectors.T:
            meaning = nearest_margin(row, labels)
            if meaning is not None:
                ordinary.append(meaning.margin)
    margin = calibrate_margin(emergencies, calm, ordinary)
    def share(values: list[float]) -> float:
        return round(sum(v >= margin for v in values) / len(values), 4) if values else 0.0
    record: dict[str, object] = {
        "margin": margin, "labels": labels.tolist(),
        "danger": [[need, p.source, p.line] for need, p in data.danger],
        "calm": [[p.source, p.line] for p in data.calm],
        "examples": {"emergency": len(emergencies), "calm": len(calm), "ordinary": len(ordinary)},
        # Measured on the calibration data itself, by meaning alone, for the build report.
        "alarm_rate": {"emergency": share(emergencies), "calm": share(calm), "ordinary": share(ordinary)},
    }
    return record, vectors


def _question_bank(versions: list[ArticleVersion], embed: _CachedEmbedder, out_of_scope: dict[str, list[str]]
                   ) -> tuple[dict[str, object], np.ndarray]:
    """Every article example question and every out-of-scope question, embedded as queries,
    with the margin of :mod:`vraagbaak.search.coverage` calibrated on them."""
    texts: list[str] = []
    labels: list[str] = []
    langs: list[str] = []
    for version in versions:
        texts += version.questions
        labels += [version.id] * len(version.questions)
        langs += [version.lang] * len(version.questions)
    for lang, questions in sorted(out_of_scope.items()):
        texts += questions
        labels += [coverage.OUT_OF_SCOPE] * len(questions)
        langs += [lang] * len(questions)
    vectors = embed.embed("query", texts) if texts else np.zeros((0, embed.embedder.dim), np.float32)
    calibration = coverage.calibrate(vectors, labels, langs)
    return {"labels": labels, "langs": langs, "calibration": coverage.to_json(calibration)}, vectors


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def build_index(kb: KnowledgeBase, embedder: Embedder, index_dir: Path, calibrate: bool = True,
                safety: SafetyData | None = None) -> BuildReport:
    """Embed (through the cache), index, calibrate and publish a new build atomically."""
    started = time.perf_counter()
    versions = sorted(kb.versions, key=lambda v: (v.id, v.lang, v.municipality or ""))
    if not versions:
        raise ValueError(f"no valid articles in {kb.root}: nothing to index")
    cache = EmbeddingCache(index_dir / CACHE / f"{_slug(embedder.name)}.npz", embedder.dim)
    embed = _CachedEmbedder(embedder, cache)
    passages = [dense_text(v) for v in versions]
    if calibrate:  # an edited article's passage and its held-out twin, embedded in one batch
        embed.embed("passage", passages + [dense_text(v, cal.fold_split(v.questions)[0]) for v in versions])
    vectors = embed.embed("passage", passages)
    lexical = {}
    for lang in sorted({v.lang for v in versions}):
        rows = [i for i, v in enumerate(versions) if v.lang == lang]
        lexical[lang] = LexicalIndex.build([lexical_text(versions[i]) for i in rows], rows)
    out_of_scope = cal.load_out_of_scope(kb.root)
    calibration = (_calibration(versions, vectors, embed, lexical, out_of_scope) if calibrate
                   else cal.calibrate({}, {}))
    safety_record, safety_vectors = _safety(safety or load_safety(kb.root), versions, embed, out_of_scope)
    bank, bank_vectors = _question_bank(versions, embed, out_of_scope)

    tmp = new_build_dir(index_dir)
    flat = faiss.IndexFlatIP(embedder.dim)
    flat.add(vectors)
    faiss.write_index(flat, str(tmp / VECTORS_FILE))
    (tmp / LEXICAL_DIR).mkdir()
    for lang, index in lexical.items():
        index.save(tmp / LEXICAL_DIR, lang)
    write_json(tmp / VERSIONS_FILE, [_version_record(v, kb) for v in versions])
    write_json(tmp / CALIBRATION_FILE, cal.to_json(calibration))
    write_json(tmp / SAFETY_FILE, safety_record)
    np.save(tmp / SAFETY_VECTORS_FILE, safety_vectors)
    write_json(tmp / BANK_FILE, bank)
    np.save(tmp / BANK_VECTORS_FILE, bank_vectors)
    write_json(tmp / MANIFEST_FILE, {
        "embedder": embedder.name, "dim": embedder.dim, "versions": len(versions),
        "fingerprint": knowledge_fingerprint(kb.root), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    })
    final = publish_build(index_dir, tmp)
    cache.save()
    return BuildReport(final, len(versions), embed.embedded, embed.reused,
                       time.perf_counter() - started, calibration, safety_record, bank["calibration"])
