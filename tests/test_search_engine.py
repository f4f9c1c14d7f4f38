"""The engine over the real knowledge base: answers, municipal variants, abstention, bad input."""

from __future__ import annotations

from dataclasses import replace

import pytest

from vraagbaak.search.calibration import MAX_FALSE_ABSTAIN, LanguageCalibration
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


@pytest.mark.parametrize("text", [
    "grofvuil " * 2000,  # 18,000 characters
    "Hoe\x00 vraag\u200b ik\x07 zorgtoeslag\x1f aan?",
    "zorgtoeslag كيف ብኸመይ health insurance",
    "😀 eigen risico 😀",
    "ا" * 10_000,
])
def test_odd_input_never_raises(real_engine: SearchEngine, text: str) -> None:
    result = real_engine.search(SearchRequest(text))
    assert result.abstained == (result.answer is None)
    if not result.abstained:
        assert result.answer is not None and result.answer.body


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
    assert set(calibration) == {"nl", "en", "ar", "ti"}
    for lang, c in calibration.items():
        assert isinstance(c, LanguageCalibration)
        assert c.in_scope >= 50 and c.out_of_scope >= 10, lang
        assert 0.5 < c.threshold < 1.3, lang  # cosine + 0.3 x coverage
        assert c.in_scope_refused <= MAX_FALSE_ABSTAIN + 0.01, lang
        assert c.out_of_scope_refused >= 0.5, lang


def test_clearly_off_topic_questions_are_refused(real_engine: SearchEngine) -> None:
    # Not a quality figure (see `vraagbaak eval`): a sanity check that abstention is wired up.
    refused = [real_engine.search(SearchRequest(q)).abstained for q in (
        "Wie heeft de Tour de France van 1998 gewonnen?",
        "Can you recommend a good pizza recipe with pineapple?",
    )]
    assert any(refused)
