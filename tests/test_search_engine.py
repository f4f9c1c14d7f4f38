"""The engine over the real knowledge base: answers, municipal variants, abstention, bad input."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from vraagbaak.search.calibration import MAX_FALSE_ABSTAIN, LanguageCalibration
from vraagbaak.search.embedders import Embedder
from vraagbaak.search.engine import SearchEngine
from vraagbaak.search.types import SearchRequest

pytestmark = pytest.mark.slow


def test_answers_in_each_language_with_source_and_date(real_engine: SearchEngine) -> None:
    questions = {
        "nl": "Hoe vraag ik zorgtoeslag aan bij de Belastingdienst?",
        "en": "How do I apply for the healthcare allowance zorgtoeslag?",
        "ar": "كيف أقدم طلب zorgtoeslag بدل الرعاية الصحية؟",
        "ti": "zorgtoeslag ብኸመይ ይሕተት?",
    }
    for lang, question in questions.items():
        result = real_engine.search(SearchRequest(question))
        assert result.query_lang == lang
        assert result.answer is not None, (lang, result)
        assert result.answer.article_id == "zorgverzekering/zorgtoeslag", (lang, result.candidates)
        assert result.answer.lang == lang
        assert result.answer.source.startswith("https://")
        assert len(result.answer.reviewed) == 10


def test_municipal_variant_is_chosen_for_the_users_municipality(real_engine: SearchEngine) -> None:
    question = "Hoe kan ik mijn oude bank en matras laten ophalen als grofvuil?"
    general = real_engine.search(SearchRequest(question))
    assert general.answer is not None and general.answer.article_id == "huisvuil/grofvuil"
    assert general.answer.municipality is None
    for municipality in ("den-haag", "enschede", "haarlem"):
        local = real_engine.search(SearchRequest(question, municipality=municipality))
        assert local.answer is not None
        assert local.answer.municipality == municipality
        assert local.answer.body != general.answer.body
    unknown = real_engine.search(SearchRequest(question, municipality="utrecht"))
    assert unknown.answer is not None and unknown.answer.municipality is None


def test_answer_language_follows_the_users_choice(real_engine: SearchEngine) -> None:
    result = real_engine.search(SearchRequest("eigen risico", lang="ar"))
    assert result.answer is not None
    assert result.answer.lang == "ar" and not result.answer.not_translated


@pytest.mark.parametrize("text, reason", [
    ("", "empty"),
    ("   \n\t ", "empty"),
    ("😀😀🎉", "no_text"),
    ("12345 !!! ???", "no_text"),
    ("\x00\x01\x02\x1b[31m", "no_text"),
])
def test_input_without_words_is_refused_cleanly(real_engine: SearchEngine, text: str, reason: str) -> None:
    result = real_engine.search(SearchRequest(text))
    assert result.abstained and result.abstain_reason == reason


@pytest.mark.parametrize("text, article, answered", [
    # answered None: which article comes first is clear, whether that is sure enough to answer
    # is for the abstention to decide (one word 2000 times; three scripts at once).
    ("grofvuil " * 2000, "huisvuil/grofvuil", None),  # 18,000 characters; the cut: see below
    ("Hoe\x00 vraag\u200b ik\x07 zorgtoeslag\x1f aan?", "zorgverzekering/zorgtoeslag", True),
    ("zorgtoeslag كيف ብኸመይ health insurance", "zorgverzekering/zorgtoeslag", None),
    ("😀 eigen risico 😀", "zorgverzekering/eigen-risico", True),
    ("ا" * 10_000, None, False),  # one letter, ten thousand times: nothing to answer
])
def test_odd_input_gets_a_sensible_outcome(real_engine: SearchEngine, text: str, article: str | None,
                                            answered: bool | None) -> None:
    result = real_engine.search(SearchRequest(text))
    # An answer and a reason to abstain exclude each other, and one of them is always there.
    assert (result.answer is None) == (result.abstain_reason is not None), result
    if article is not None:
        assert result.candidates and result.candidates[0].article_id == article, result.candidates
    if answered is True:
        assert result.answer is not None and result.answer.article_id == article and result.answer.body
        assert result.confidence >= result.threshold
    elif answered is False:
        assert result.abstain_reason == "low_confidence" and result.confidence < result.threshold
    elif result.answer is not None:
        assert result.answer.article_id == article


class RecordingEmbedder:
    """A spy, not a fake: the real model embeds; this only records the questions it was given,
    which is where the engine's cut (max_question_chars) can be seen."""

    def __init__(self, real: Embedder) -> None:
        self.real = real
        self.queries: list[str] = []

    @property
    def name(self) -> str:
        return self.real.name

    @property
    def dim(self) -> int:
        return self.real.dim

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        self.queries.extend(texts)
        return self.real.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.real.embed_passages(texts)


@pytest.mark.parametrize("limit", [None, 40])
def test_a_long_question_is_cut_to_max_question_chars(real_engine: SearchEngine, limit: int | None) -> None:
    """An 18,000-character question is searched as its first max_question_chars characters
    (1000 by default, VRAAGBAAK_MAX_QUESTION_CHARS): bounded work per message, whatever is sent."""
    config = real_engine.config if limit is None else replace(real_engine.config, max_question_chars=limit)
    expected = 1000 if limit is None else limit
    assert config.max_question_chars == expected
    spy = RecordingEmbedder(real_engine.embedder)
    long_question = "grofvuil " * 2000
    result = SearchEngine(real_engine.snapshot, spy, config).search(SearchRequest(long_question))
    assert spy.queries, "the question was embedded"
    assert all(long_question.startswith(q) and len(q) <= expected for q in spy.queries), \
        [len(q) for q in spy.queries]
    assert max(len(q) for q in spy.queries) == expected
    assert result.candidates[0].article_id == "huisvuil/grofvuil"


def test_control_characters_do_not_change_the_answer(real_engine: SearchEngine) -> None:
    clean = real_engine.search(SearchRequest("Hoe vraag ik zorgtoeslag aan?"))
    dirty = real_engine.search(SearchRequest("Hoe\x00 vraag\x07 ik zorgtoeslag\x1b aan?"))
    assert clean.answer is not None and dirty.answer is not None
    assert dirty.answer.article_id == clean.answer.article_id


def test_abstention_follows_the_calibrated_threshold(real_engine: SearchEngine) -> None:
    question = "Wanneer wordt het afval opgehaald?"
    answered = real_engine.search(SearchRequest(question))
    assert not answered.abstained
    assert answered.confidence >= answered.threshold
    strict = {lang: replace(c, threshold=answered.confidence + 0.001)
              for lang, c in real_engine.snapshot.calibration.items()}
    snapshot = replace(real_engine.snapshot, calibration=strict)
    refused = SearchEngine(snapshot, real_engine.embedder).search(SearchRequest(question))
    assert refused.abstained and refused.abstain_reason == "low_confidence"
    assert refused.candidates, "a refusal still reports what came nearest"


def test_calibration_is_per_language_and_measured(real_engine: SearchEngine) -> None:
    calibration = real_engine.snapshot.calibration
    assert set(calibration) == {"nl", "en", "ar", "ti", "ar-latn"}  # Arabic in Latin letters: its own
    for lang, c in calibration.items():
        assert isinstance(c, LanguageCalibration)
        assert c.in_scope >= 50 and c.out_of_scope >= 6, lang
        assert 0.5 < c.threshold < 1.3, lang  # cosine + 0.3 x coverage
        assert c.in_scope_refused <= MAX_FALSE_ABSTAIN + 0.01, lang
        assert c.out_of_scope_refused >= 0.5, lang


@pytest.mark.parametrize("question", [
    "Wie heeft de Tour de France van 1998 gewonnen?",
    "Can you recommend a good pizza recipe with pineapple?",
])
def test_clearly_off_topic_questions_are_refused(real_engine: SearchEngine, question: str) -> None:
    # Not a quality figure (see `vraagbaak eval`): a sanity check that abstention is wired up,
    # for each question on its own.
    result = real_engine.search(SearchRequest(question))
    assert result.answer is None, result.answer
    assert result.abstain_reason == "low_confidence"
    assert result.confidence < result.threshold
