"""The newcomer's side of the volunteers' desk as Rasa's actions use it (vraagbaak/desk/handoff.py):
consent, a ticket with the conversation so far, the pause (with the safety check still reading
every message), and the way back. The real assistant over the real index, a real desk database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.assistant.replies import Assistant, Context, Turn
from vraagbaak.desk.config import DeskChats, DeskConfig, DeskHours, local_zone
from vraagbaak.desk.handoff import KIND_ALREADY_OPEN, KIND_OPENED, KIND_RELAYED, SLOT, Handoff
from vraagbaak.desk.records import Records
from vraagbaak.desk.tickets import TicketStore
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.safety.data import load_services
from vraagbaak.search.engine import SearchEngine
from vraagbaak.settings import Settings

GROUP_TI = -1001234


def off_duty_now() -> str:
    """A Tigrinya rota that is certainly not now: an hour two hours from now."""
    hour = (datetime.now(local_zone()).hour + 2) % 24
    return f"ti:{hour:02d}-{(hour + 1) % 24:02d}" if hour != 23 else "ti:23-24"


def make(real_engine: SearchEngine, real_settings, tmp_path: Path, hours: str = "") -> Handoff:
    settings = replace(real_settings, var_dir=tmp_path)
    desk = DeskConfig(DeskChats.parse(f"ti:{GROUP_TI}"), DeskHours.parse(hours), timedelta(minutes=10))
    assistant = Assistant(settings, real_engine, load_municipalities(settings.knowledge_dir, []),
                          Records.open(settings), load_services(settings.knowledge_dir), desk)
    return Handoff.of(assistant)


@pytest.fixture()
def handoff(real_engine: SearchEngine, real_settings, tmp_path: Path) -> Handoff:
    return make(real_engine, real_settings, tmp_path)


def t(lang: str):
    return translator(Settings().translations_dir, lang)


def press(payload: str, intent: str) -> Turn:
    return Turn(text=payload, intent=intent, intent_confidence=1.0, is_payload=True)


TI_ENSCHEDE = Context(lang="ti", municipality="enschede", last_question="zorgtoeslag ብኸመይ ይሕተት?",
                      last_article_id="zorgverzekering/zorgtoeslag")


# --- consent --------------------------------------------------------------------------------------------
def test_asking_for_a_person_in_a_desk_language_asks_consent_first(handoff: Handoff) -> None:
    response = handoff.assistant.respond(press(payloads.HUMAN, "request_human"), TI_ENSCHEDE)
    [reply] = response.replies
    assert reply.text == t("ti")(texts.DESK_CONSENT)
    assert "BSN" in reply.text  # never share a BSN: said before anything is passed on
    assert [(b.title, b.payload) for b in reply.buttons] == [
        (t("ti")(texts.BUTTON_DESK_YES), payloads.DESK_YES), (t("ti")(texts.BUTTON_DESK_NO), payloads.DESK_NO)]
    assert reply.custom == {"vraagbaak": "desk_consent", "lang": "ti"}
    assert TicketStore(handoff.store.database).open_for("anyone") is None  # nothing opened before yes
    rows = handoff.store.database.query("SELECT lang, municipality FROM handoff").rows
    assert [(r["lang"], r["municipality"]) for r in rows] == [("ti", "enschede")]  # the request is counted


def test_a_typed_request_for_a_person_asks_consent_too(handoff: Handoff) -> None:
    turn = Turn(text="ምስ ወለንተኛ ክዛረብ እደሊ", intent="request_human", intent_confidence=0.95)
    assert [r.custom["vraagbaak"] for r in handoff.assistant.respond(turn, TI_ENSCHEDE).replies] == ["desk_consent"]


@pytest.mark.parametrize("text", ["ሰብ ደልየ", "I want a person"])
def test_a_request_for_a_person_that_sounds_like_distress_gets_the_numbers_and_the_person(
        handoff: Handoff, text: str) -> None:
    """"I want a person" is near "I need someone to talk to" in meaning: the crisis numbers come
    first, as for any possible emergency, and the person that was asked for is offered after them."""
    turn = Turn(text=text, intent="request_human", intent_confidence=0.95)
    response = handoff.assistant.respond(turn, TI_ENSCHEDE)
    kinds = [r.custom["vraagbaak"] for r in response.replies]
    assert response.kind == "emergency" and kinds == ["emergency", "desk_consent"]


def test_a_language_without_volunteers_keeps_the_phone_number(handoff: Handoff) -> None:
    response = handoff.assistant.respond(press(payloads.HUMAN, "request_human"), Context("nl", "enschede"))
    [reply] = response.replies
    assert reply.custom["vraagbaak"] == "handoff" and "14 053" in reply.text


def test_no_thank_you_goes_back_to_the_assistant_with_the_phone_number(handoff: Handoff) -> None:
    response = handoff.assistant.respond(press(payloads.DESK_NO, "desk_decline"), TI_ENSCHEDE)
    [reply] = response.replies
    assert reply.text.startswith(t("ti")(texts.DESK_DECLINED)) and "14 053" in reply.text
    assert handoff.store.open_for("s-ti") is None


# --- opening ------------------------------------------------------------------------------------------
def test_yes_opens_a_ticket_with_the_conversation_so_far_masked(handoff: Handoff) -> None:
    history = [("newcomer", "zorgtoeslag ብኸመይ ይሕተት? BSN 123456782"), ("assistant", "Zorgtoeslag: ..."),
               ("newcomer", "ካልእ ሕቶ"), ("assistant", "..."), ("newcomer", "ሓደ"), ("assistant", "ክልተ"),
               ("newcomer", "ሰለስተ"), ("assistant", "ኣርባዕተ")]
    response = handoff.open("s-ti", "telegram", TI_ENSCHEDE, history)
    [reply] = response.replies
    assert reply.text == t("ti")(texts.DESK_OPENED)
    assert [(b.title, b.payload) for b in reply.buttons] == [(t("ti")(texts.BUTTON_DESK_DONE), payloads.DESK_DONE)]
    ticket = handoff.store.open_for("s-ti")
    assert ticket is not None and response.remember == {SLOT: str(ticket.id)}
    assert (ticket.channel, ticket.lang, ticket.municipality, ticket.topic) == ("telegram", "ti", "enschede", "zorgtoeslag")
    assert reply.custom == {"vraagbaak": KIND_OPENED, "lang": "ti", "ticket": ticket.id, "on_duty": True}
    stored = handoff.store.messages(ticket.id)
    assert [(m.author, m.text) for m in stored] == [(a, x) for a, x in history[2:]]  # the last six
    # Opened twice (a double press): the same ticket, its history once.
    again = handoff.open("s-ti", "telegram", TI_ENSCHEDE, history)
    assert again.remember == {SLOT: str(ticket.id)} and len(handoff.store.messages(ticket.id)) == 6


def test_identifying_numbers_in_the_history_are_masked(handoff: Handoff) -> None:
    handoff.open("s-bsn", "web", TI_ENSCHEDE, [("newcomer", "mijn BSN is 123456782")])
    ticket = handoff.store.open_for("s-bsn")
    assert ticket is not None
    [message] = handoff.store.messages(ticket.id)
    assert "123456782" not in message.text


def test_an_unknown_channel_is_taken_as_web(handoff: Handoff) -> None:
    handoff.open("s-odd", "carrier-pigeon", TI_ENSCHEDE, [])
    ticket = handoff.store.open_for("s-odd")
    assert ticket is not None and ticket.channel == "web"


def test_outside_the_desks_hours_the_newcomer_is_told_at_once_with_the_phone_number(
        real_engine: SearchEngine, real_settings, tmp_path: Path) -> None:
    handoff = make(real_engine, real_settings, tmp_path, hours=off_duty_now())
    [reply] = handoff.open("s-night", "web", TI_ENSCHEDE, []).replies
    assert reply.text.startswith(t("ti")(texts.DESK_OPENED_OFF_DUTY)) and "14 053" in reply.text
    assert reply.custom["on_duty"] is False
    assert handoff.store.open_for("s-night") is not None  # the volunteers read it when they are back


def test_a_desk_removed_since_the_question_gives_the_phone_number(handoff: Handoff) -> None:
    handoff.assistant.desk = None
    response = handoff.open("s-gone", "web", TI_ENSCHEDE, [])
    assert response.replies[0].custom["vraagbaak"] == "handoff" and handoff.store.open_for("s-gone") is None


# --- while a volunteer has the conversation ------------------------------------------------------------
def opened(handoff: Handoff, sender: str = "s-ti"):
    response = handoff.open(sender, "web", TI_ENSCHEDE, [])
    ticket = handoff.open_ticket(response.remember[SLOT], sender)
    assert ticket is not None
    return ticket


def test_a_typed_message_goes_to_the_volunteers_and_the_assistant_says_nothing(handoff: Handoff) -> None:
    ticket = opened(handoff)
    response = handoff.during(ticket, Turn(text="zorgtoeslag ብኸመይ ይሕተት?", intent="question"), TI_ENSCHEDE)
    assert response is not None and response.kind == KIND_RELAYED
    assert [(r.text, r.buttons) for r in response.replies] == [(None, ())]  # nothing to show, but an answer
    [message] = handoff.store.messages(ticket.id)
    assert (message.author, message.text) == ("newcomer", "zorgtoeslag ብኸመይ ይሕተት?")
    assert [m.id for m in handoff.store.unposted()] == []  # no topic yet: it opens with the history
    handoff.store.set_thread(ticket.id, GROUP_TI, 7)
    assert [m.id for m in handoff.store.unposted()] == [message.id]  # waits for the bridge


@pytest.mark.parametrize("text", ["Help, mijn buurman is bewusteloos!", "My friend is not breathing, help"])
def test_an_emergency_during_a_ticket_gets_the_numbers_at_once_and_the_volunteers_see_it(
        handoff: Handoff, text: str) -> None:
    ticket = opened(handoff)
    response = handoff.during(ticket, Turn(text=text, intent="question"), TI_ENSCHEDE)
    assert response is not None and response.kind == "emergency"
    [reply] = response.replies
    assert "112" in reply.text and reply.custom["vraagbaak"] == "emergency"
    stored = handoff.store.messages(ticket.id)
    assert [(m.author, m.text) for m in stored] == [("newcomer", text), ("assistant", reply.text)]
    assert handoff.store.get(ticket.id).is_open  # the volunteers stay with them


def test_asking_for_a_person_again_says_one_is_there(handoff: Handoff) -> None:
    ticket = opened(handoff)
    for payload, intent in ((payloads.HUMAN, "request_human"), (payloads.DESK_YES, "desk_consent")):
        response = handoff.during(ticket, press(payload, intent), TI_ENSCHEDE)
        assert response is not None and response.kind == KIND_ALREADY_OPEN
        assert [b.payload for b in response.replies[0].buttons] == [payloads.DESK_DONE]
    assert handoff.store.messages(ticket.id) == []  # a button is no message for the volunteers


def test_other_buttons_are_the_assistants_as_usual(handoff: Handoff) -> None:
    ticket = opened(handoff)
    assert handoff.during(ticket, press(payloads.HELPFUL, "feedback_helpful"), TI_ENSCHEDE) is None
    assert handoff.during(ticket, press(payloads.language("nl"), "choose_language"), TI_ENSCHEDE) is None


def test_the_slot_counts_only_for_the_senders_own_open_ticket(handoff: Handoff) -> None:
    ticket = opened(handoff)
    assert handoff.open_ticket(str(ticket.id), "s-ti") == ticket
    assert handoff.open_ticket(str(ticket.id), "someone-else") is None
    assert handoff.open_ticket("not a number", "s-ti") is None
    assert handoff.open_ticket(None, "s-ti") is None
    handoff.store.close(ticket.id)  # a volunteer's /klaar
    assert handoff.open_ticket(str(ticket.id), "s-ti") is None


# --- done ---------------------------------------------------------------------------------------------
def test_done_closes_the_ticket_and_asks_whether_the_volunteer_helped(handoff: Handoff) -> None:
    ticket = opened(handoff)
    response = handoff.close("s-ti", str(ticket.id), TI_ENSCHEDE)
    [reply] = response.replies
    assert reply.text == t("ti")(texts.DESK_CLOSED_BY_YOU)
    assert [b.payload for b in reply.buttons] == [payloads.HELPFUL, payloads.NOT_HELPFUL]
    assert response.remember == {SLOT: None, "last_article_id": None, "last_question": None}
    closed = handoff.store.get(ticket.id)
    assert closed is not None and not closed.is_open and not closed.topic_closed  # the bridge closes the topic
    # Done without a slot (the Telegram command after a restart of the conversation): the open one.
    again = opened(handoff)
    handoff.close("s-ti", None, TI_ENSCHEDE)
    assert not handoff.store.get(again.id).is_open
    # Done without any ticket: no "the volunteer has left", but how to ask a question.
    nothing = handoff.close("s-ti", None, TI_ENSCHEDE)
    assert nothing.kind == "help" and nothing.replies[0].custom == {"vraagbaak": "help"}
