"""The volunteers' side of the desk: the real python-telegram-bot client against the fake Bot API
(supergroups with forum topics), over the real desk store in a SQLite file.

A ticket gets its topic with the right title and opening messages (and nothing about who the
newcomer is); volunteers' replies reach the newcomer on the web (outbox) and on Telegram (the
bridge's sender), labelled with the names they chose; /klaar, /artikel and /naam; closed
topics, strangers' groups, photos and BSNs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from telegram.error import Forbidden

from desk_helpers import database, desk_settings  # noqa: F401 - fixtures: the database on both engines
from fake_telegram import FakeTelegram
from postgres_helpers import postgres  # noqa: F401 - the PostgreSQL server of the slow tests
from telegram_helpers import json_log
from volunteer_helpers import DeskApp, RecordingTelegramSender, wait_until
from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.i18n import Translator, translator
from vraagbaak.channels.telegram.formatting import MAX_MESSAGE_LENGTH, telegram_length
from vraagbaak.channels.telegram.identity import sender_id
from vraagbaak.desk.database import Database
from vraagbaak.desk.delivery import KIND_CLOSED, KIND_VOLUNTEER
from vraagbaak.desk.names import VolunteerNames, clean_name, volunteer_id
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import Ticket
from vraagbaak.desk.volunteers import CLOSED_MARK, VolunteerDesk
from vraagbaak.settings import Settings

GROUP_TI, GROUP_ALL, STRANGERS = -1001234, -1009999, -1005555
NEWCOMER_CHAT = 5550001
SEMHAR, ROBEL = 9001, 9002
SENDER_KEY = "sender-key-for-the-desk-tests"
PHOTO = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 90, "height": 90}]
VOICE = {"file_id": "voice-1", "file_unique_id": "v1", "duration": 2}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(), var_dir=tmp_path / "var", database_url="", telegram_sender_key=SENDER_KEY,
                   desk_chats=f"ti:{GROUP_TI},*:{GROUP_ALL}")


@pytest.fixture
def api() -> Iterator[FakeTelegram]:
    """A fake Bot API of this test's own: its updates are this test's only."""
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def newcomer() -> str:
    """The Telegram newcomer's sender id, as the bridge makes it from their chat id."""
    return sender_id(NEWCOMER_CHAT, SENDER_KEY.encode())


@pytest.fixture
def telegram(newcomer: str) -> RecordingTelegramSender:
    return RecordingTelegramSender(newcomer)


@pytest.fixture
def desk(settings: Settings, telegram: RecordingTelegramSender) -> Iterator[VolunteerDesk]:
    opened = VolunteerDesk.open(settings, telegram)
    opened.nearest = None  # no search engine here: test_desk_drafts.py has it
    yield opened
    opened.close()


@pytest.fixture
def running(api: FakeTelegram, desk: VolunteerDesk) -> Iterator[DeskApp]:
    app = DeskApp(api, desk)
    yield app
    app.stop()


def t(lang: str) -> Translator:
    return translator(Settings().translations_dir, lang)


def open_ticket(running: DeskApp, sender: str, channel: str = "telegram", lang: str = "ti",
                municipality: str | None = "enschede", topic: str | None = "zorgtoeslag",
                said: tuple[tuple[str, str], ...] = (("newcomer", "ሰላም፣ ብዛዕባ zorgtoeslag ሓገዝ የድልየኒ።"),)
                ) -> tuple[Ticket, int]:
    """A ticket as the newcomer side opens it: the recent conversation stored, then its topic."""
    store = running.desk.store
    ticket = store.open(sender, channel, lang, municipality, topic)
    for author, text in said:
        store.add_message(ticket.id, author, text)
    thread = running.call(running.desk.open_topic(running.app.bot, ticket))
    assert thread is not None
    opened = store.get(ticket.id)
    assert opened is not None
    return opened, thread


def topic_texts(api: FakeTelegram, chat: int, thread: int | None, count: int) -> list[str]:
    """The first ``count`` texts the bot posted in a topic, once there are that many."""
    calls = wait_until(lambda: len(found := api.in_topic(chat, thread)) >= count and found)
    return [call.params["text"] for call in calls]


def say(api: FakeTelegram, chat: int, user: int, thread: int | None, text: str, **profile: str) -> None:
    api.group_message(chat, user, thread, text=text, **profile)


# --- a ticket's topic ---------------------------------------------------------------------------------
def test_a_ticket_gets_its_topic_with_title_and_conversation_and_nothing_about_who(
        running: DeskApp, api: FakeTelegram, newcomer: str) -> None:
    said = (("newcomer", "ሰላም፣ ብዛዕባ zorgtoeslag ሓገዝ የድልየኒ። BSN 123456789"),
            ("assistant", "Zorgtoeslag is geld van de overheid voor je zorgverzekering."),
            ("newcomer", "ሰብ ክዛረብ ደልየ"))
    ticket, thread = open_ticket(running, newcomer, said=said)

    created = api.sent(GROUP_TI, "createForumTopic")
    assert [call.params["name"] for call in created] == [f"#{ticket.id} · ti · Enschede · zorgtoeslag"]
    assert api.topics[(GROUP_TI, thread)] == {"name": f"#{ticket.id} · ti · Enschede · zorgtoeslag", "closed": False}
    assert (ticket.volunteer_chat_id, ticket.volunteer_thread_id) == (GROUP_TI, thread)

    opening = "\n\n".join(topic_texts(api, GROUP_TI, thread, 1))
    ti = t("ti")
    assert opening.startswith(ti(texts.DESK_TOPIC_OPENED, ticket=ticket.id))
    assert f"{ti(texts.DESK_FROM_NEWCOMER)}\nሰላም፣ ብዛዕባ zorgtoeslag ሓገዝ የድልየኒ። BSN *********" in opening
    assert f"{ti(texts.DESK_FROM_ASSISTANT)}\nZorgtoeslag is geld van de overheid" in opening
    assert opening.index("BSN") < opening.index("Zorgtoeslag is geld") < opening.index("ሰብ ክዛረብ ደልየ")
    assert "123456789" not in opening

    to_group = json.dumps([call.params for call in api.calls if str(call.params.get("chat_id")) == str(GROUP_TI)],
                          ensure_ascii=False)
    assert newcomer not in to_group and str(NEWCOMER_CHAT) not in to_group
    assert all("parse_mode" not in call.params for call in api.in_topic(GROUP_TI, thread))  # plain text only
    # A second call (a retry on the newcomer side, with its copy from before) opens no second topic.
    stale = replace(ticket, volunteer_chat_id=None, volunteer_thread_id=None)
    assert running.call(running.desk.open_topic(running.app.bot, stale)) == thread
    assert len(api.sent(GROUP_TI, "createForumTopic")) == 1


def test_a_long_conversation_opens_in_pieces_telegram_accepts(running: DeskApp, api: FakeTelegram,
                                                              newcomer: str) -> None:
    said = tuple(("newcomer" if n % 2 else "assistant", f"{n} " + "ሓደ ነዊሕ ሕቶ። " * 300) for n in range(6))
    _, thread = open_ticket(running, newcomer, said=said)
    pieces = topic_texts(api, GROUP_TI, thread, 2)  # each stored message is ~3000 characters
    assert all(telegram_length(piece) <= MAX_MESSAGE_LENGTH for piece in pieces)
    starts = [next(i for i, piece in enumerate(pieces) if f"\n{n} ሓደ" in piece) for n in range(6)]
    assert starts == sorted(starts) and len(pieces) == 6  # in order, each with its label


def test_the_newcomers_next_messages_follow_in_the_topic_masked(running: DeskApp, api: FakeTelegram,
                                                                 newcomer: str) -> None:
    ticket, thread = open_ticket(running, newcomer)
    running.call(running.desk.from_newcomer(running.app.bot, ticket, "ቁጽረይ NW1234567 እዩ። መዓስ ትምልሱ?"))
    posted = topic_texts(api, GROUP_TI, thread, 2)[1]
    assert posted == f"{t('ti')(texts.DESK_FROM_NEWCOMER)}\nቁጽረይ ********* እዩ። መዓስ ትምልሱ?"
    assert running.desk.store.messages(ticket.id)[-1].text == "ቁጽረይ ********* እዩ። መዓስ ትምልሱ?"


def test_languages_without_a_group_of_their_own_go_to_the_group_for_all(running: DeskApp, api: FakeTelegram) -> None:
    ticket, thread = open_ticket(running, "web-nl-1", "web", "nl", None, None)
    assert ticket.volunteer_chat_id == GROUP_ALL
    assert api.topics[(GROUP_ALL, thread)]["name"] == f"#{ticket.id} · nl"
    assert topic_texts(api, GROUP_ALL, thread, 1)[0].startswith(t("nl")(texts.DESK_TOPIC_OPENED, ticket=ticket.id))


def test_no_group_for_the_language_or_a_refusing_telegram_gives_no_topic(
        settings: Settings, api: FakeTelegram, telegram: RecordingTelegramSender) -> None:
    desk = VolunteerDesk.open(replace(settings, desk_chats=f"ti:{GROUP_TI}"), telegram)
    app = DeskApp(api, desk)
    try:
        arabic = desk.store.open("web-ar", "web", "ar", None, None)
        assert app.call(desk.open_topic(app.app.bot, arabic)) is None  # no group takes Arabic
        api.fail_next("createForumTopic", 400, {"ok": False, "error_code": 400,
                                                "description": "Bad Request: the chat is not a forum"})
        tigrinya = desk.store.open("web-ti", "web", "ti", None, None)
        assert app.call(desk.open_topic(app.app.bot, tigrinya)) is None
        assert desk.store.get(tigrinya.id).volunteer_thread_id is None  # type: ignore[union-attr]
    finally:
        app.stop()
        desk.close()


# --- replies reach the newcomer -----------------------------------------------------------------------
def test_two_volunteers_reach_a_telegram_newcomer_under_the_names_they_chose(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="vraagbaak.desk")  # as the bridge logs
    ticket, thread = open_ticket(running, newcomer)
    ti = t("ti")
    with json_log("vraagbaak.desk") as log:
        say(api, GROUP_TI, SEMHAR, thread, "/naam  Semhar ", first_name="Semhar Tesfay", username="semhar_t")
        assert topic_texts(api, GROUP_TI, thread, 2)[1] == ti(texts.DESK_NAME_SET, name="Semhar")
        say(api, GROUP_TI, SEMHAR, thread, "ሰላም! ክሕግዘኩም እየ።", first_name="Semhar Tesfay", username="semhar_t")
        say(api, GROUP_TI, ROBEL, thread, "ኣነ'ውን ኣለኹ።", first_name="Robel Kidane", username="robel_k")
        wait_until(lambda: len(telegram.sent) == 2)

    assert telegram.sent == [
        (newcomer, f"**{ti(texts.DESK_VOLUNTEER_SAYS, name='Semhar')}**\nሰላም! ክሕግዘኩም እየ።"),
        (newcomer, f"**{ti(texts.DESK_VOLUNTEER_SAYS_UNNAMED)}**\nኣነ'ውን ኣለኹ።"),
    ]
    delivered = json.dumps(telegram.sent, ensure_ascii=False)
    for account in ("Tesfay", "semhar_t", "Robel", "robel_k", str(SEMHAR), str(ROBEL)):
        assert account not in delivered
    store = running.desk.store
    volunteer_lines = [(m.volunteer_name, m.text) for m in store.messages(ticket.id) if m.author == "volunteer"]
    assert volunteer_lines == [("Semhar", "ሰላም! ክሕግዘኩም እየ።"), (ti(texts.DESK_DEFAULT_NAME), "ኣነ'ውን ኣለኹ።")]
    assert store.get(ticket.id).first_reply_at is not None  # type: ignore[union-attr]
    names = running.desk.database.query("SELECT * FROM volunteer_names").rows
    assert [row["name"] for row in names] == ["Semhar"]
    assert names[0]["volunteer"].startswith("vol-") and str(SEMHAR) not in names[0]["volunteer"]
    # The desk's log names tickets, never a text or who.
    lines = log.getvalue()
    assert f'"ticket": {ticket.id}' in lines
    for secret in ("ሰላም", "ኣነ'ውን", "Semhar", newcomer, str(SEMHAR), str(ROBEL)):
        assert secret not in lines


def test_two_volunteers_reach_a_web_newcomer_through_the_outbox(running: DeskApp, api: FakeTelegram) -> None:
    # A name chosen in one group holds in every group.
    ti_ticket, ti_thread = open_ticket(running, "web-ti", "web", "ti")
    say(api, GROUP_TI, SEMHAR, ti_thread, "/naam Semhar")
    topic_texts(api, GROUP_TI, ti_thread, 2)
    ticket, thread = open_ticket(running, "web-nl", "web", "nl", "haarlem", None)
    say(api, GROUP_ALL, SEMHAR, thread, "Hallo, ik help je met je vraag.")
    say(api, GROUP_ALL, ROBEL, thread, "Ik ben er ook.", first_name="Robel Kidane", username="robel_k")
    outbox = Outbox(running.desk.database)
    messages = wait_until(lambda: len(found := outbox.after("web-nl", 0)) == 2 and found)
    done = [{"title": "Klaar", "payload": payloads.DESK_DONE}]  # under each reply: back to the assistant
    assert [message for _, message in messages] == [
        {"text": "Hallo, ik help je met je vraag.", "buttons": done,
         "custom": {"vraagbaak": KIND_VOLUNTEER, "volunteer": "Semhar", "ticket": ticket.id, "lang": "nl"}},
        {"text": "Ik ben er ook.", "buttons": done,
         "custom": {"vraagbaak": KIND_VOLUNTEER, "volunteer": "Vrijwilliger", "ticket": ticket.id, "lang": "nl"}},
    ]
    assert outbox.after("web-ti", 0) == []  # nothing for the other ticket's newcomer


def test_replies_reach_the_newcomer_in_the_order_the_group_saw_them(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str) -> None:
    _, thread = open_ticket(running, newcomer)
    for number in range(8):
        say(api, GROUP_TI, SEMHAR if number % 2 else ROBEL, thread, f"bericht {number}")
    wait_until(lambda: len(telegram.sent) == 8)
    assert [text.rsplit("\n", 1)[1] for _, text in telegram.sent] == [f"bericht {n}" for n in range(8)]


def test_a_bsn_in_a_volunteers_reply_is_masked_before_it_travels(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str) -> None:
    ticket, thread = open_ticket(running, newcomer)
    say(api, GROUP_TI, SEMHAR, thread, "Je BSN 123456789 of 1234.56.789 hoeft hier niet; bel 0800 1234 567.")
    wait_until(lambda: telegram.sent)
    relayed = telegram.sent[0][1]
    assert "Je BSN ********* of ****.**.*** hoeft hier niet; bel 0800 1234 567." in relayed
    assert "123456789" not in relayed and "1234.56.789" not in relayed
    assert "123456789" not in running.desk.store.messages(ticket.id)[-1].text


def test_a_newcomer_the_bridge_does_not_know_gets_the_reply_when_writing_again(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str) -> None:
    telegram.known.clear()  # the bridge restarted since the newcomer last wrote
    ticket, thread = open_ticket(running, newcomer)
    say(api, GROUP_TI, SEMHAR, thread, "ሰላም!")
    assert topic_texts(api, GROUP_TI, thread, 2)[1] == t("ti")(texts.DESK_QUEUED)
    outbox = Outbox(running.desk.database)
    assert [message["text"] for _, message in outbox.after(newcomer, 0)] == ["ሰላም!"]
    assert running.desk.store.get(ticket.id).first_reply_at is not None  # type: ignore[union-attr]

    telegram.known.add(newcomer)  # the newcomer wrote: the bridge knows the chat again
    assert running.call(running.desk.delivery.flush(newcomer)) == 1
    assert telegram.sent == [(newcomer, f"**{t('ti')(texts.DESK_VOLUNTEER_SAYS_UNNAMED)}**\nሰላም!")]
    assert outbox.after(newcomer, 0) == []


def test_a_reply_that_cannot_be_delivered_is_reported_in_the_topic(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str) -> None:
    ticket, thread = open_ticket(running, newcomer)
    telegram.error = Forbidden("Forbidden: bot was blocked by the user")
    say(api, GROUP_TI, SEMHAR, thread, "ሰላም!")
    assert topic_texts(api, GROUP_TI, thread, 2)[1] == t("ti")(texts.DESK_NOT_DELIVERED)
    assert running.desk.store.get(ticket.id).first_reply_at is None  # type: ignore[union-attr]


# --- /klaar and closed topics -------------------------------------------------------------------------
def test_klaar_closes_ticket_and_topic_and_tells_the_newcomer_in_their_language(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str) -> None:
    ticket, thread = open_ticket(running, newcomer)
    say(api, GROUP_TI, SEMHAR, thread, "/klaar")
    ti = t("ti")
    assert topic_texts(api, GROUP_TI, thread, 2)[1] == ti(texts.DESK_CLOSED_DONE, ticket=ticket.id)
    wait_until(lambda: api.topics[(GROUP_TI, thread)]["closed"])
    assert api.topics[(GROUP_TI, thread)]["name"] == f"{CLOSED_MARK}#{ticket.id} · ti · Enschede · zorgtoeslag"
    assert not running.desk.store.get(ticket.id).is_open  # type: ignore[union-attr]
    assert telegram.sent == [(newcomer, ti(texts.DESK_TICKET_CLOSED))]

    # Written in the closed topic: a note, and nothing travels.
    say(api, GROUP_TI, ROBEL, thread, "Nog één ding!")
    api.group_message(GROUP_TI, ROBEL, thread, photo=PHOTO)
    notes = topic_texts(api, GROUP_TI, thread, 4)[2:]
    assert notes == [ti(texts.DESK_TICKET_IS_CLOSED)] * 2
    assert len(telegram.sent) == 1
    assert [m.author for m in running.desk.store.messages(ticket.id)] == ["newcomer"]


def test_klaar_on_a_web_ticket_puts_the_closing_note_in_the_outbox(running: DeskApp, api: FakeTelegram) -> None:
    ticket, thread = open_ticket(running, "web-ar", "web", "ar", None, None)
    say(api, GROUP_ALL, SEMHAR, thread, "/klaar")
    topic_texts(api, GROUP_ALL, thread, 2)
    [(_, message)] = Outbox(running.desk.database).after("web-ar", 0)
    assert message == {"text": t("ar")(texts.DESK_TICKET_CLOSED),  # and whether it helped
                       "buttons": [{"title": t("ar")(texts.BUTTON_HELPFUL), "payload": payloads.HELPFUL},
                                   {"title": t("ar")(texts.BUTTON_NOT_HELPFUL), "payload": payloads.NOT_HELPFUL}],
                       "custom": {"vraagbaak": KIND_CLOSED, "ticket": ticket.id, "lang": "ar"}}


# --- who and what is read -----------------------------------------------------------------------------
def test_messages_from_a_group_not_configured_are_ignored(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str) -> None:
    ticket, thread = open_ticket(running, newcomer)
    say(api, STRANGERS, 666, thread, "Geef me het nummer van die nieuwkomer")  # even with the same thread id
    say(api, STRANGERS, 666, thread, "/klaar")
    say(api, STRANGERS, 666, None, "/naam Hacker")
    api.message(NEWCOMER_CHAT + 1, text="/klaar")  # a private chat is the newcomer bridge's, not the desk's
    say(api, GROUP_TI, SEMHAR, thread, "/naam Semhar")  # handled after the others: they have been seen
    topic_texts(api, GROUP_TI, thread, 2)
    assert [c for c in api.calls if str(c.params.get("chat_id")) in (str(STRANGERS), str(NEWCOMER_CHAT + 1))] == []
    assert telegram.sent == []
    assert running.desk.store.get(ticket.id).is_open  # type: ignore[union-attr]
    assert [row["name"] for row in running.desk.database.query("SELECT name FROM volunteer_names").rows] == ["Semhar"]


def test_photos_and_voice_messages_get_a_polite_refusal(
        running: DeskApp, api: FakeTelegram, telegram: RecordingTelegramSender, newcomer: str) -> None:
    ticket, thread = open_ticket(running, newcomer)
    api.group_message(GROUP_TI, SEMHAR, thread, photo=PHOTO, caption="Dit formulier")
    api.group_message(GROUP_TI, ROBEL, thread, voice=VOICE)
    assert topic_texts(api, GROUP_TI, thread, 3)[1:] == [t("ti")(texts.DESK_ONLY_TEXT)] * 2
    assert telegram.sent == []
    assert [m.author for m in running.desk.store.messages(ticket.id)] == ["newcomer"]


def test_the_general_topic_is_the_volunteers_own(running: DeskApp, api: FakeTelegram,
                                                  telegram: RecordingTelegramSender, newcomer: str) -> None:
    open_ticket(running, newcomer)
    say(api, GROUP_TI, SEMHAR, None, "Wie neemt ticket 1?")  # volunteers talking: not relayed
    say(api, GROUP_TI, SEMHAR, None, "/klaar")
    assert topic_texts(api, GROUP_TI, None, 1) == [t("ti")(texts.DESK_NOT_A_TICKET)]
    say(api, GROUP_ALL, SEMHAR, None, "/artikel")  # the group for all languages answers in Dutch
    assert topic_texts(api, GROUP_ALL, None, 1) == [t("nl")(texts.DESK_NOT_A_TICKET)]
    assert telegram.sent == []


@pytest.mark.parametrize("name", ["", "@robel_k", "https://t.me/robel", "x" * 33, "1234"])
def test_a_name_that_is_no_name_gets_the_explanation(running: DeskApp, api: FakeTelegram, newcomer: str,
                                                      name: str) -> None:
    _, thread = open_ticket(running, newcomer)
    say(api, GROUP_TI, SEMHAR, thread, f"/naam {name}".strip())
    assert topic_texts(api, GROUP_TI, thread, 2)[1] == t("ti")(texts.DESK_NAME_HELP)
    assert running.desk.database.query("SELECT * FROM volunteer_names").rows == []


def test_forgetting_a_newcomer_deletes_their_topics_and_rows(running: DeskApp, api: FakeTelegram,
                                                             newcomer: str) -> None:
    first, first_thread = open_ticket(running, newcomer)
    running.desk.store.close(first.id)
    second, second_thread = open_ticket(running, newcomer)
    other, other_thread = open_ticket(running, "web-other", "web", "ti")
    api.fail_next("deleteForumTopic", 400, {"ok": False, "error_code": 400, "description": "Bad Request: TOPIC_ID_INVALID"})
    assert running.call(running.desk.forget(running.app.bot, newcomer)) == 4  # 2 tickets, 2 messages
    assert set(api.topics) == {(GROUP_TI, first_thread), (GROUP_TI, other_thread)}  # the first refusal is logged
    assert running.desk.store.open_for(newcomer) is None and running.desk.store.get(second.id) is None
    assert running.desk.store.get(other.id) is not None


# --- /artikel -----------------------------------------------------------------------------------------
def test_artikel_keeps_the_exchange_as_a_draft(running: DeskApp, api: FakeTelegram, settings: Settings,
                                               newcomer: str) -> None:
    ticket, thread = open_ticket(running, newcomer, said=(("newcomer", "ዞርግቶስላግ ከመይ ይሕተት?"),
                                                         ("assistant", "Ik weet het niet."),
                                                         ("newcomer", "ዞርግቶስላግ ከመይ ይሕተት?")))
    say(api, GROUP_TI, SEMHAR, thread, "/artikel")
    ti = t("ti")
    assert topic_texts(api, GROUP_TI, thread, 2)[1] == ti(texts.DESK_DRAFT_NOTHING)
    say(api, GROUP_TI, SEMHAR, thread, "ኣብ mijntoeslagen.nl ብDigiD ትሓቱ።")
    say(api, GROUP_TI, SEMHAR, thread, "/artikel")
    relative = f"ti/ticket-{ticket.id}-{date.today():%Y%m%d}.md"
    assert topic_texts(api, GROUP_TI, thread, 3)[2] == ti(texts.DESK_DRAFT_SAVED, draft=f"drafts/{relative}")
    draft = (settings.var_dir / "drafts" / relative).read_text(encoding="utf-8")
    assert "status: draft\n" in draft and "questions:\n- ዞርግቶስላግ ከመይ ይሕተት?\n---" in draft
    assert draft.rstrip().endswith("ኣብ mijntoeslagen.nl ብDigiD ትሓቱ።")
    assert "Ik weet het niet." not in draft  # the assistant's answer is not the volunteer's


# --- the names, on both engines -----------------------------------------------------------------------
def test_names_are_kept_per_volunteer_hash_and_replaced(database: Database) -> None:
    names = VolunteerNames(database)
    semhar, robel = volunteer_id(SEMHAR, b"key"), volunteer_id(ROBEL, b"key")
    assert semhar != robel and semhar == volunteer_id(SEMHAR, b"key") != volunteer_id(SEMHAR, b"other key")
    assert names.get(semhar) is None
    names.set(semhar, "Semhar")
    names.set(semhar, "Semi")
    names.set(robel, "روبيل")
    assert (names.get(semhar), names.get(robel)) == ("Semi", "روبيل")
    assert names.forget(semhar) and names.get(semhar) is None and not names.forget(semhar)


@pytest.mark.parametrize(("raw", "cleaned"), [
    ("  Semhar  ", "Semhar"), ("Abu  Ahmad", "Abu Ahmad"), ("سَمِير", "سَمِير"), ("ሰምሃር", "ሰምሃር"),
    ("o'neil-2", "o'neil-2"), ("", None), ("@semhar_t", None), ("semhar.nl/x", None), ("12345", None),
    ("S" * 32, "S" * 32), ("S" * 33, None), ("<b>Semhar</b>", None),
])
def test_a_name_is_letters_digits_and_a_little_punctuation(raw: str, cleaned: str | None) -> None:
    assert clean_name(raw) == cleaned
