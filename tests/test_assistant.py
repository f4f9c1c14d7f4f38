"""The conversation layer with the real engine: replies, metadata, records, languages."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vraagbaak.assistant.replies import Assistant, Context, Turn, language_of_message
from vraagbaak.desk.records import Records
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.safety.data import NEEDS, load_services
from vraagbaak.search.engine import SearchEngine

pytestmark = pytest.mark.slow


@pytest.fixture()
def assistant(real_engine: SearchEngine, real_settings, tmp_path: Path) -> Assistant:
    settings = replace(real_settings, var_dir=tmp_path)
    return Assistant(settings, real_engine, load_municipalities(settings.knowledge_dir, []),
                     Records.open(settings), load_services(settings.knowledge_dir))


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


@pytest.mark.parametrize("lang", ["nl", "en", "ar", "ti"])
@pytest.mark.parametrize("need", NEEDS)
def test_each_emergency_reply_names_its_numbers_in_every_language(assistant: Assistant, lang: str, need: str) -> None:
    (reply,) = assistant.emergency(Context(lang), need)
    numbers = {"medical": ["112"], "violence": ["112", "0800-2000"], "fire": ["112", "0800-9009"],
               "suicide": ["113", "0800-0113", "112"]}[need]
    for number in numbers:
        assert number in reply.text, (lang, need, reply.text)
    assert "{" not in reply.text  # every placeholder filled
    assert reply.custom["need"] == need and reply.custom["calls"][0]["phone"] == numbers[0]
    if lang == "ti":
        assert any("\u1200" <= ch <= "\u137f" for ch in reply.text)


def test_welcome_offers_municipalities_and_languages(assistant: Assistant) -> None:
    replies = assistant.welcome(Context("en"))
    payloads = [b.payload for r in replies for b in r.buttons]
    assert '/choose_municipality{"municipality":"den-haag"}' in payloads
    assert '/choose_municipality{"municipality":"other"}' in payloads
    assert '/choose_language{"language":"ti"}' in payloads


def test_small_talk_never_hides_a_question_the_search_answers(assistant: Assistant) -> None:
    response = assistant.respond(Turn("Hoe vraag ik zorgtoeslag aan?", "greet", 0.99), Context("nl"))
    assert response.kind == "answer" and response.remember["last_article_id"] == "zorgverzekering/zorgtoeslag"
    assert assistant.respond(Turn("Hallo daar", "greet", 0.99), Context("nl")).kind == "greet"
    assert assistant.respond(Turn("😀 😀 😀 😀", "goodbye", 0.99), Context("nl")).kind == "help"  # no words: how to ask
    assert assistant.records.rows("unanswered") == []  # small talk is not an unanswered question
    assert assistant.respond(Turn("bla bla", "goodbye", 0.5), Context("nl")).kind == "no_answer"  # unsure NLU
    assert len(assistant.records.rows("unanswered")) == 1


def test_an_emergency_comes_before_any_intent(assistant: Assistant) -> None:
    for intent in ("greet", "feedback_helpful", "choose_municipality", "question", None):
        response = assistant.respond(Turn("Help, mijn vader is bewusteloos en ademt niet", intent, 0.99),
                                     Context("nl"))
        assert response.kind == "emergency" and response.replies[0].custom["need"] == "medical", intent


def test_a_payload_is_a_command_and_typed_text_never_is(assistant: Assistant) -> None:
    pressed = assistant.respond(Turn('/choose_language{"language":"ti"}', "choose_language", 1.0, language="ti",
                                     is_payload=True), Context("nl"))
    assert pressed.kind == "language" and pressed.remember == {"language": "ti"}
    short = assistant.respond(Turn("Tigrinya please", "question", 0.6, language="ti"), Context("en"))
    assert short.kind == "language" and short.remember == {"language": "ti"}
    # Naming a language inside a question changes nothing.
    asked = assistant.respond(Turn("Where can I take Dutch lessons with a language buddy?", "question", 0.9,
                                   language="nl"), Context("en"))
    assert asked.kind == "answer" and "language" not in asked.remember


def test_feedback_and_a_person_refer_to_the_last_question(assistant: Assistant) -> None:
    context = Context("en", "haarlem", last_question="How do I write a Dutch CV?", last_article_id="werk/cv")
    assistant.respond(Turn("/feedback_not_helpful", "feedback_not_helpful", 1.0, is_payload=True), context)
    handoff = assistant.respond(Turn("I want to talk to a real person", "request_human", 0.95), context)
    assert handoff.kind == "request_human" and "14 023" in handoff.replies[0].text
    assert assistant.records.rows("feedback")[-1]["article_id"] == "werk/cv"


@pytest.mark.parametrize(("text", "lang"), [
    ("የቐንየለይ", "ti"),  # "thank you": was answered with the suicide crisis line (meaning alone)
    ("ምስ ወለንተኛ ወዲአ", "ti"),  # "I am done with the volunteer": was taken for violence
    ("ብጣዕሚ የቐንየለይ", "ti"), ("ሕራይ", "ti"), ("dank je wel", "nl"), ("شكرا جزيلا", "ar"), ("thanks a lot", "en"),
])
def test_everyday_chat_is_no_emergency(assistant: Assistant, text: str, lang: str) -> None:
    """Short everyday messages are far from every emergency example in words, but a short text's
    meaning is noisy (knowledge/safety/<lang>.yaml keeps such messages among the calm examples)."""
    response = assistant.respond(Turn(text=text, intent="thanks", intent_confidence=0.9), Context(lang=lang))
    assert response.kind != "emergency" and (response.result is None or response.result.danger is None)
