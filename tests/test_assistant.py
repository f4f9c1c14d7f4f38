"""The conversation layer with the real engine: replies, metadata, records, languages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vraagbaak.assistant.records import Records
from vraagbaak.assistant.replies import Assistant, Context, language_of_message
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.search.engine import SearchEngine

pytestmark = pytest.mark.slow


@pytest.fixture()
def assistant(real_engine: SearchEngine, real_settings, tmp_path: Path) -> Assistant:
    settings = replace(real_settings, var_dir=tmp_path)
    return Assistant(settings, real_engine, load_municipalities(settings.knowledge_dir, []),
                     Records(settings.database_path))


def test_language_choice_sticks_and_detection_follows_the_message() -> None:
    assert language_of_message("Hoe vraag ik zorgtoeslag aan?", None, None) == "nl"
    assert language_of_message("كيف أطلب zorgtoeslag؟", None, "nl") == "ar"
    assert language_of_message("How do I apply?", "ti", "ar") == "ti"  # explicit choice wins
    assert language_of_message("/feedback_helpful", None, "ar") == "ar"  # a button keeps the language
    assert language_of_message("😀", None, "ti") == "ti"


def test_answer_carries_text_source_date_buttons_and_metadata(assistant: Assistant) -> None:
    outcome = assistant.answer("Hoe laat ik grofvuil ophalen?", Context("nl", "haarlem"))
    (reply,) = outcome.replies
    custom = reply.custom or {}
    assert custom["vraagbaak"] == "answer" and custom["article_id"] == "huisvuil/grofvuil"
    assert custom["municipality"] == "haarlem" and custom["lang"] == "nl"
    assert custom["source"] in reply.text and "2026" in reply.text
    assert [b.payload for b in reply.buttons] == ["/feedback_helpful", "/feedback_not_helpful", "/request_human"]


def test_answer_in_tigrinya_is_localized(assistant: Assistant) -> None:
    outcome = assistant.answer("zorgtoeslag ብኸመይ ይሕተት?", Context("ti", None))
    (reply,) = outcome.replies
    assert reply.custom and reply.custom["lang"] == "ti"
    assert any("\u1200" <= ch <= "\u137f" for ch in reply.buttons[0].title)


def test_no_answer_offers_the_municipality_and_is_recorded(assistant: Assistant) -> None:
    outcome = assistant.answer("😀😀", Context("ar", "enschede"))
    (reply,) = outcome.replies
    assert reply.custom and reply.custom["vraagbaak"] == "no_answer"
    assert "14 053" in reply.text and any("\u0600" <= ch <= "\u06ff" for ch in reply.text)
    (row,) = assistant.records.rows("unanswered")
    assert row["question"] == "😀😀" and row["lang"] == "ar" and row["municipality"] == "enschede"


def test_feedback_and_handoff_are_stored_without_identity(assistant: Assistant) -> None:
    assistant.feedback(True, Context("en", "den-haag"), "werk/cv", "How do I write a CV?")
    assistant.feedback(False, Context("en", None), "werk/cv", "cv?")
    replies = assistant.handoff(Context("nl", "den-haag"), "Ik wil iemand spreken")
    assert "14 070" in replies[0].text
    feedback = assistant.records.rows("feedback")
    assert [r["helpful"] for r in feedback] == [1, 0]
    assert assistant.records.rows("handoff")[0]["question"] == "Ik wil iemand spreken"
    columns = set(feedback[0]) | set(assistant.records.rows("handoff")[0])
    assert not columns & {"sender", "sender_id", "user", "chat_id", "name"}


def test_emergency_names_112(assistant: Assistant) -> None:
    for lang in ("nl", "en", "ar", "ti"):
        (reply,) = assistant.emergency(Context(lang))
        assert "112" in reply.text


def test_welcome_offers_municipalities_and_languages(assistant: Assistant) -> None:
    replies = assistant.welcome(Context("en"))
    payloads = [b.payload for r in replies for b in r.buttons]
    assert '/choose_municipality{"municipality":"den-haag"}' in payloads
    assert '/choose_municipality{"municipality":"other"}' in payloads
    assert '/choose_language{"language":"ti"}' in payloads


def test_small_talk_that_is_really_a_question_is_answered_only_when_confident(assistant: Assistant) -> None:
    outcome = assistant.answer_if_confident("Hoe vraag ik zorgtoeslag aan?", Context("nl"))
    assert outcome is not None and outcome.article_id == "zorgverzekering/zorgtoeslag"
    assert assistant.answer_if_confident("Hallo daar", Context("nl")) is None  # too short to be a question
    assert assistant.answer_if_confident("/greet", Context("nl")) is None
    assert assistant.answer_if_confident("😀 😀 😀 😀", Context("nl")) is None
    assert assistant.records.rows("unanswered") == []  # small talk is not an unanswered question
