"""The search engine: a question in, the best article version (or an honest "don't know") out.

Dense evidence (cosine to every language version of an article, the best one counts) and lexical
evidence (BM25 over character n-grams, in the question's own language only, so one language's
statistics cannot hurt another's) are z-normalised over the candidates and added with a weight.
Whether to answer at all is decided separately: the confidence (dense top score plus lexical
coverage, see :func:`vraagbaak.search.calibration.confidence`) against the calibrated threshold
of the question's language.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from vraagbaak.i18n.detect import detect_language
from vraagbaak.i18n.normalize import strip_controls
from vraagbaak.i18n.scripts import letter_count
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES
from vraagbaak.search import calibration
from vraagbaak.search.embedders import Embedder
from vraagbaak.search.index import IndexSnapshot
from vraagbaak.search.types import Answer, Candidate, SearchRequest, SearchResult

#: How many nearest versions the dense search returns before grouping them by article.
DENSE_CANDIDATES = 200
#: How many articles from each kind of evidence enter the fusion.
FUSION_CANDIDATES = 30
#: Fewer letters than this (in any script) is nothing to search for: emoji, digits, noise.
MIN_LETTERS = 2
#: The weight of lexical evidence relative to dense evidence (both z-normalised); tuned on
#: held-out example questions (0.5-1.0 are within a point of each other; 0 loses 8-24 points).
LEXICAL_WEIGHT = 0.75


@dataclass(frozen=True)
class EngineConfig:
    max_question_chars: int = 1000
    lexical_weight: float = LEXICAL_WEIGHT


def _zscore(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    return (values - values.mean()) / spread if spread > 1e-9 else np.zeros_like(values)


class SearchEngine:
    """Stateless over one :class:`IndexSnapshot`; swap the snapshot to serve a new build."""

    def __init__(self, snapshot: IndexSnapshot, embedder: Embedder, config: EngineConfig | None = None) -> None:
        if snapshot.embedder_name != embedder.name:
            raise ValueError(
                f"the index was built with {snapshot.embedder_name} but the embedder is {embedder.name}; "
                "run 'vraagbaak kb build' with the same VRAAGBAAK_EMBEDDER"
            )
        self.snapshot = snapshot
        self.embedder = embedder
        self.config = config or EngineConfig()
        self._by_key = {(v["id"], v["lang"], v["municipality"]): v for v in snapshot.versions}
        self._ids = frozenset(v["id"] for v in snapshot.versions)

    def search(self, request: SearchRequest) -> SearchResult:
        text = " ".join(strip_controls(request.text or "").split())[: self.config.max_question_chars]
        detection = detect_language(text)
        query_lang = detection.lang
        answer_lang = request.lang if request.lang in LANGUAGES else query_lang
        if not text:
            return SearchResult(query_lang, answer_lang, None, abstain_reason="empty")
        safety = self.snapshot.safety
        if letter_count(text) < MIN_LETTERS:
            danger = safety.assess(text, None, request.intent, request.intent_confidence)
            return SearchResult(query_lang, answer_lang, None, abstain_reason="no_text", danger=danger)
        query_vector = self.embedder.embed_queries([text])[0]
        # The safety check reads the same embedding: a message is embedded once.
        danger = safety.assess(text, query_vector, request.intent, request.intent_confidence)
        candidates, confidence = self._rank(text, query_lang, query_vector)
        key = calibration.key_of(query_lang, detection.method)
        language_calibration = self.snapshot.calibration.get(key) or self.snapshot.calibration.get(query_lang)
        threshold = language_calibration.threshold if language_calibration else 0.0
        alternatives = [self.choose_version(c.article_id, answer_lang, request.municipality)
                        for c in candidates[: max(request.top_k, 1)]]
        if not candidates or confidence < threshold:
            return SearchResult(query_lang, answer_lang, None, candidates[: request.top_k], confidence,
                                threshold, "low_confidence", alternatives, danger)
        if self.snapshot.bank.not_covered(query_vector, query_lang):
            return SearchResult(query_lang, answer_lang, None, candidates[: request.top_k], confidence,
                                threshold, "not_covered", alternatives, danger)
        return SearchResult(query_lang, answer_lang, alternatives[0], candidates[: request.top_k],
                            confidence, threshold, None, alternatives, danger)

    def _rank(self, text: str, query_lang: str, query_vector: np.ndarray) -> tuple[list[Candidate], float]:
        versions = self.snapshot.versions
        scores, rows = self.snapshot.dense_search(query_vector, DENSE_CANDIDATES)
        dense: dict[str, float] = {}
        for score, row in zip(scores.tolist(), rows.tolist()):
            article = versions[row]["id"]
            dense[article] = max(dense.get(article, -1.0), score)
        lexical: dict[str, float] = defaultdict(float)
        index = self.snapshot.lexical.get(query_lang)
        coverage = index.coverage(text) if index is not None else 0.0
        confidence = calibration.confidence(float(scores[0]) if len(scores) else 0.0, coverage)
        if index is not None:
            bm25 = index.scores(text)
            for row in np.argsort(-bm25)[: FUSION_CANDIDATES * 4]:
                if bm25[row] <= 0:
                    break
                article = versions[int(index.rows[row])]["id"]
                lexical[article] = max(lexical[article], float(bm25[row]))

        top_dense = sorted(dense, key=dense.__getitem__, reverse=True)[:FUSION_CANDIDATES]
        top_lexical = sorted(lexical, key=lexical.__getitem__, reverse=True)[:FUSION_CANDIDATES]
        ids = list(dict.fromkeys(top_dense + top_lexical))
        if not ids:
            return [], confidence
        floor = min(dense.values()) if dense else 0.0
        dense_values = np.asarray([dense.get(a, floor) for a in ids], np.float32)
        lexical_values = np.asarray([lexical.get(a, 0.0) for a in ids], np.float32)
        fused = _zscore(dense_values) + self.config.lexical_weight * _zscore(lexical_values)
        order = np.argsort(-fused, kind="stable")
        return [Candidate(ids[i], float(fused[i]), float(dense_values[i]), float(lexical_values[i]))
                for i in order], confidence

    def article(self, article_id: str, lang: str, municipality: str | None) -> Answer | None:
        """One article by id (a link between articles), as :meth:`choose_version` picks it;
        None when the index has no such article."""
        if article_id not in self._ids:
            return None
        return self.choose_version(article_id, lang, municipality)

    def choose_version(self, article_id: str, lang: str, municipality: str | None) -> Answer:
        """The user's language and municipality where they exist; else general; else Dutch."""
        for candidate_lang in dict.fromkeys([lang, FALLBACK_LANGUAGE]):
            for place in dict.fromkeys([municipality, None]):
                record = self._by_key.get((article_id, candidate_lang, place))
                if record is not None:
                    return Answer(
                        article_id=article_id, lang=candidate_lang, municipality=place,
                        title=record["title"], body=record["body"], source=record["source"],
                        reviewed=record["reviewed"], path=record["path"],
                        not_translated=candidate_lang != lang,
                        outdated_translation=bool(record.get("outdated_translation")),
                        review_by=record.get("review_by"), native_review=_native_review(record),
                    )
        record = next(v for v in self.snapshot.versions if v["id"] == article_id)
        return Answer(article_id, record["lang"], record["municipality"], record["title"], record["body"],
                      record["source"], record["reviewed"], record["path"], not_translated=True,
                      review_by=record.get("review_by"), native_review=_native_review(record))


def _native_review(record: dict[str, Any]) -> bool:
    """A record of an index built before the field existed says nothing: then only Dutch (the
    source text) counts as reviewed by a native speaker."""
    return bool(record.get("native_review", record["lang"] == FALLBACK_LANGUAGE))
