"""What the Telegram bridge does for the desk every second (VolunteerDesk.tick), without Rasa: a real
desk database (SQLite in a temporary var/), written by a store of its own as the action server
writes it, and the volunteers' desk in a python-telegram-bot application against the fake Bot API.

A ticket gets its topic with the conversation so far (web and Telegram); the newcomer's later
messages follow, once, in order, labelled and masked; a ticket the newcomer closed gets its note,
its ✅ and a closed topic, once; a newcomer nobody answered in time is told so honestly, once
(not when the ticket was opened outside the volunteers' hours: they were told then); forgotten and
purged tickets lose their topics; a topic Telegram refused is tried again a minute later, not
every second.

The timeout is tested here only: VRAAGBAAK_DESK_TIMEOUT_MINUTES is a whole number of minutes (at
least 1), too long for the end-to-end suite; ``tick(at=...)`` moves the clock instead.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from desk_e2e_helpers import methods, t, topic_texts, wait_until
from fake_telegram import FakeTelegram
from volunteer_helpers import DeskApp, RecordingTelegramSender
from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.offer import person_offer
from vraagbaak.channels.telegram.identity import sender_id
from vraagbaak.desk.database import open_database
from vraagbaak.desk.delivery import KIND_WAITING
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import Ticket, TicketStore
from vraagbaak.desk.times import now, stamp
from vraagbaak.desk.volunteers import CLOSED_MARK, RETRY_TOPIC, VolunteerDesk
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.settings import Settings

GROUP_TI, GROUP_ALL = -1002001, -1002999
NEWCOMER_CHAT = 5552001
SEMHAR = 9101
SENDER_KEY = "sender-key-for-the-tick-tests"
TIMEOUT = timedelta(minutes=10)
WAIT_S = 30
REFUSED = {"ok": False, "error_code": 400, "description": "Bad Request: not enough rights to create a topic"}


# --- fixtures --------------------------------------------------------------------------------------
@pytest.fixture
def hours() -> str:
    """VRAAGBAAK_DESK_HOURS; a test parametrizes it to have off-duty hours."""
    return ""


@pytest.fixture
def settings(tmp_path: Path, hours: str) -> Settings:
    return replace(Settings(), var_dir=tmp_path / "var", database_url="", telegram_sender_key=SENDER_KEY,
                   desk_chats=f"ti:{GROUP_TI},*:{GROUP_ALL}", desk_hours=hours,
                   desk_timeout_minutes=int(TIMEOUT.total_seconds() // 60))


@pytest.fixture
def api() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def newcomer() -> str:
    """A Telegram newcomer's sender id, as the bridge makes it from the chat id."""
    return sender_id(NEWCOMER_CHAT, SENDER_KEY.encode())


@pytest.fixture
def telegram(newcomer: str) -> RecordingTelegramSender:
    """The bridge's way to a Telegram newcomer: it knows the newcomer's chat."""
    return RecordingTelegramSender(newcomer)


@pytest.fixture
def running(settings: Settings, api: FakeTelegram, telegram: RecordingTelegramSender) -> Iterator[DeskApp]:
    desk = VolunteerDesk.open(settings, telegram)
    desk.nearest = None
    app = DeskApp(api, desk)
    yield app
    app.stop()
    desk.close()


@pytest.fixture
def server(settings: Settings) -> Iterator[TicketStore]:
    """The action server's side: the same database through a connection of its own."""
    database = open_database(settings)
    yield TicketStore(database)
    database.close()


def tick(running: DeskApp, at: datetime | None = None) -> None:
    running.call(running.desk.tick(running.app.bot, at))


def stored_ticket(server: TicketStore, sender: str, channel: str = "telegram", lang: str = "ti",
                  municipality: str | None = "enschede", topic: str | None = "zorgtoeslag",
                  said: tuple[tuple[str, str], ...] = (("newcomer", "zorgtoeslag ብኸመይ ይሕተት?"),
                                                      ("assistant", "Zorgtoeslag vraag je aan bij Dienst Toeslagen."))
                  ) -> Ticket:
    """A ticket as Handoff.open stores it: the ticket, then the conversation so far."""
    ticket = server.open(sender, channel, lang, municipality, topic)
    for author, text in said:
        server.add_message(ticket.id, author, text)
    return ticket


def reread(server: TicketStore, ticket: Ticket) -> Ticket:
    fresh = server.get(ticket.id)
    assert fresh is not None, f"ticket {ticket.id} is gone"
    return fresh


def with_topic(running: DeskApp, server: TicketStore, sender: str, **kwargs: object) -> tuple[Ticket, int]:
    """A stored ticket after the tick that gave it its topic."""
    ticket = stored_ticket(server, sender, **kwargs)  # type: ignore[arg-type]
    tick(running)
    ticket = reread(server, ticket)
    assert ticket.volunteer_thread_id is not None, "the tick opened no topic"
    return ticket, ticket.volunteer_thread_id


def set_created(server: TicketStore, ticket: Ticket, moment: datetime) -> None:
    server.database.write("UPDATE tickets SET created_at = ? WHERE id = ?", (stamp(moment), ticket.id))


# --- a topic for every new ticket ------------------------------------------------------------------
@pytest.mark.parametrize(("channel", "lang", "group", "place"), [
    ("telegram", "ti", GROUP_TI, "Enschede"),
    ("web", "ar", GROUP_ALL, "Enschede"),
])
def test_a_ticket_stored_by_the_action_server_gets_its_topic_with_its_history_on_the_next_tick(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str,
        channel: str, lang: str, group: int, place: str) -> None:
    sender = newcomer if channel == "telegram" else "web-tick-1"
    said = (("newcomer", "zorgtoeslag ብኸመይ ይሕተት?"),
            ("assistant", "Zorgtoeslag vraag je aan bij Dienst Toeslagen."),
            ("newcomer", "ሰብ ክዛረብ ደልየ"))
    ticket = stored_ticket(server, sender, channel, lang, said=said)
    assert methods(api, "createForumTopic") == []  # the action server does not talk to Telegram

    tick(running)

    ticket = reread(server, ticket)
    title = f"#{ticket.id} · {lang} · {place} · zorgtoeslag"
    assert [c.params["name"] for c in methods(api, "createForumTopic")] == [title]
    assert ticket.volunteer_chat_id == group and ticket.volunteer_thread_id is not None
    assert api.topics[(group, ticket.volunteer_thread_id)] == {"name": title, "closed": False}
    opening = "\n\n".join(topic_texts(api, group, ticket.volunteer_thread_id))
    tr = t(lang)
    assert opening.startswith(tr(texts.DESK_TOPIC_OPENED, ticket=ticket.id))
    assert opening.index(f"{tr(texts.DESK_FROM_NEWCOMER)}\nzorgtoeslag ብኸመይ ይሕተት?") \
        < opening.index(f"{tr(texts.DESK_FROM_ASSISTANT)}\nZorgtoeslag vraag je aan") \
        < opening.index(f"{tr(texts.DESK_FROM_NEWCOMER)}\nሰብ ክዛረብ ደልየ")
    assert sender not in opening and str(NEWCOMER_CHAT) not in opening
    assert server.unposted() == []

    # The next rounds find nothing left to do for it.
    posted = len(api.in_topic(group, ticket.volunteer_thread_id))
    tick(running)
    tick(running)
    assert len(methods(api, "createForumTopic")) == 1
    assert len(api.in_topic(group, ticket.volunteer_thread_id)) == posted


def test_the_newcomers_later_messages_are_posted_once_in_order_and_labelled(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    ticket, thread = with_topic(running, server, newcomer)
    opening = len(topic_texts(api, GROUP_TI, thread))
    other, other_thread = with_topic(running, server, "web-tick-other", channel="web")
    other_opening = len(topic_texts(api, GROUP_TI, other_thread))

    server.add_message(ticket.id, "newcomer", "ቀዳማይ መልእኽቲ")
    server.add_message(other.id, "newcomer", "ካልእ ትኬት")
    server.add_message(ticket.id, "newcomer", "ካልኣይ መልእኽቲ")
    server.add_message(ticket.id, "assistant", "Bel 112.")  # the assistant's emergency reply, as during() stores it
    server.add_message(ticket.id, "volunteer", "Ik help je.", "Semhar")  # a volunteer's own words: in the topic already
    tick(running)
    tick(running)

    ti = t("ti")
    assert topic_texts(api, GROUP_TI, thread)[opening:] == [
        f"{ti(texts.DESK_FROM_NEWCOMER)}\nቀዳማይ መልእኽቲ",
        f"{ti(texts.DESK_FROM_NEWCOMER)}\nካልኣይ መልእኽቲ",
        f"{ti(texts.DESK_FROM_ASSISTANT)}\nBel 112.",
    ]
    assert topic_texts(api, GROUP_TI, other_thread)[other_opening:] == [f"{ti(texts.DESK_FROM_NEWCOMER)}\nካልእ ትኬት"]
    assert server.unposted() == []


def test_a_bsn_or_passport_number_the_newcomer_wrote_is_masked_in_the_topic(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    ticket, thread = with_topic(running, server, newcomer, said=(("newcomer", "ቁጽሪ BSN ናተይ 123456789 እዩ"),))
    server.add_message(ticket.id, "newcomer", "paspoort NW1234567, bsn 1234.56.789, bel me op 0612345678")
    tick(running)
    shown = "\n".join(topic_texts(api, GROUP_TI, thread))
    assert "ቁጽሪ BSN ናተይ ********* እዩ" in shown
    assert "paspoort *********, bsn ****.**.***, bel me op 0612345678" in shown  # a phone number stays
    for secret in ("123456789", "NW1234567", "1234.56.789"):
        assert secret not in shown
        assert all(secret not in m.text for m in server.messages(ticket.id))


# --- tickets the newcomer closed -------------------------------------------------------------------
def test_a_ticket_the_newcomer_closed_gets_the_note_the_mark_and_a_closed_topic_once(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    ticket, thread = with_topic(running, server, newcomer)
    still_open, open_thread = with_topic(running, server, "web-still-open", channel="web")
    assert server.close(ticket.id)  # what action_desk_close does
    tick(running)
    tick(running)

    note = t("ti")(texts.DESK_NEWCOMER_CLOSED, ticket=ticket.id)
    assert topic_texts(api, GROUP_TI, thread).count(note) == 1 and topic_texts(api, GROUP_TI, thread)[-1] == note
    title = f"{CLOSED_MARK}#{ticket.id} · ti · Enschede · zorgtoeslag"
    assert [(c.params["message_thread_id"], c.params["name"]) for c in methods(api, "editForumTopic")] \
        == [(str(thread), title)]
    assert [c.params["message_thread_id"] for c in methods(api, "closeForumTopic")] == [str(thread)]
    assert api.topics[(GROUP_TI, thread)] == {"name": title, "closed": True}
    assert reread(server, ticket).topic_closed
    # The other ticket's topic is left alone.
    assert api.topics[(GROUP_TI, open_thread)]["closed"] is False and not reread(server, still_open).topic_closed


def test_a_ticket_closed_before_it_had_a_topic_never_gets_one(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    ticket = stored_ticket(server, newcomer)
    server.close(ticket.id)
    tick(running)
    tick(running)
    assert methods(api, "createForumTopic") == []
    assert [c for c in api.calls if str(c.params.get("chat_id")) in (str(GROUP_TI), str(GROUP_ALL))] == []


def test_a_ticket_a_volunteer_closes_is_not_announced_as_closed_by_the_newcomer(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str,
        telegram: RecordingTelegramSender, monkeypatch: pytest.MonkeyPatch) -> None:
    """/klaar in the topic while the bridge's round runs: the round must not take the volunteer's
    closing for the newcomer's (the topic would say "the newcomer has ended the conversation", and
    be renamed and closed twice). The round here comes while the newcomer is being told, the
    ticket already closed in the database, as a round every second often does."""
    ticket, thread = with_topic(running, server, newcomer)
    release = asyncio.Event()
    telling = asyncio.Event()
    record = running.desk.delivery.telegram

    async def slow_sender(sender: str, text: str, buttons: list[dict[str, str]]) -> bool:
        telling.set()  # the ticket is closed in the database; the newcomer is being told
        await release.wait()
        return await record(sender, text, buttons)  # type: ignore[misc]

    seen: list[list[int]] = []
    looked = threading.Event()
    store = running.desk.store
    closed_with_open_topic = store.closed_with_open_topic

    def watched(*args: object, **kwargs: object) -> list[Ticket]:
        found = closed_with_open_topic(*args, **kwargs)  # type: ignore[arg-type]
        seen.append([found_ticket.id for found_ticket in found])
        looked.set()
        return found

    running.desk.delivery.telegram = slow_sender
    api.group_message(GROUP_TI, SEMHAR, thread, text="/klaar")
    running.call(asyncio.wait_for(telling.wait(), WAIT_S))
    monkeypatch.setattr(store, "closed_with_open_topic", watched)
    round_ = asyncio.run_coroutine_threadsafe(running.desk.tick(running.app.bot), running.loop)
    assert looked.wait(WAIT_S), "the round did not look for closed tickets"
    assert seen == [[ticket.id]]  # the round saw the half-closed ticket: the race is on
    running.loop.call_soon_threadsafe(release.set)
    round_.result(WAIT_S)

    ti = t("ti")
    done = ti(texts.DESK_CLOSED_DONE, ticket=ticket.id)
    wait_until(lambda: done in topic_texts(api, GROUP_TI, thread), WAIT_S, "the volunteer's closing note")
    wait_until(lambda: api.topics[(GROUP_TI, thread)]["closed"], WAIT_S, "the closed topic")
    tick(running)
    notes = topic_texts(api, GROUP_TI, thread)
    assert ti(texts.DESK_NEWCOMER_CLOSED, ticket=ticket.id) not in notes, notes
    assert notes.count(done) == 1
    assert len(methods(api, "closeForumTopic")) == 1 and len(methods(api, "editForumTopic")) == 1
    assert telegram.sent == [(newcomer, ti(texts.DESK_TICKET_CLOSED))]


# --- nobody answered in time -----------------------------------------------------------------------
def test_a_web_newcomer_nobody_answered_is_told_once_with_the_phone_of_their_municipality(
        running: DeskApp, api: FakeTelegram, server: TicketStore, settings: Settings) -> None:
    ticket, thread = with_topic(running, server, "web-waiting", channel="web", municipality="enschede")
    outbox = Outbox(server.database)
    opened = ticket.created_at

    tick(running, opened + TIMEOUT - timedelta(seconds=30))  # not yet
    assert outbox.after("web-waiting", 0) == []

    tick(running, opened + TIMEOUT + timedelta(seconds=5))
    tick(running, opened + TIMEOUT + timedelta(minutes=30))  # later rounds tell nobody again

    ti = t("ti")
    enschede = load_municipalities(settings.knowledge_dir, [])["enschede"]
    assert [message for _, message in outbox.after("web-waiting", 0)] == [{
        "text": f"{ti(texts.DESK_NO_ANSWER_YET)}\n\n{person_offer(ti, enschede)}",
        "buttons": [{"title": ti(texts.BUTTON_DESK_DONE), "payload": payloads.DESK_DONE}],
        "custom": {"vraagbaak": KIND_WAITING, "ticket": ticket.id, "lang": "ti", "municipality": "enschede",
                   "phone": "14 053"},
    }]
    assert "14 053" in person_offer(ti, enschede)
    note = ti(texts.DESK_NEWCOMER_WAITED, ticket=ticket.id)
    assert topic_texts(api, GROUP_TI, thread).count(note) == 1
    assert reread(server, ticket).told_waiting and reread(server, ticket).is_open


def test_a_telegram_newcomer_nobody_answered_is_told_once_through_the_bridge(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str,
        telegram: RecordingTelegramSender) -> None:
    ticket, thread = with_topic(running, server, newcomer, municipality=None)
    tick(running, ticket.created_at + TIMEOUT + timedelta(seconds=5))
    tick(running, ticket.created_at + TIMEOUT + timedelta(hours=2))

    ti = t("ti")
    assert telegram.sent == [(newcomer, f"{ti(texts.DESK_NO_ANSWER_YET)}\n\n{ti(texts.HUMAN_GENERAL)}")]
    assert telegram.buttons == [[{"title": ti(texts.BUTTON_DESK_DONE), "payload": payloads.DESK_DONE}]]
    assert Outbox(server.database).after(newcomer, 0) == []  # sent, not queued
    assert topic_texts(api, GROUP_TI, thread).count(ti(texts.DESK_NEWCOMER_WAITED, ticket=ticket.id)) == 1


def test_a_newcomer_a_volunteer_answered_is_not_told_that_nobody_did(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str,
        telegram: RecordingTelegramSender) -> None:
    ticket, thread = with_topic(running, server, newcomer)
    api.group_message(GROUP_TI, SEMHAR, thread, text="ሰላም! ኣነ ሰምሃር እየ።")
    wait_until(lambda: reread(server, ticket).first_reply_at is not None, WAIT_S, "the volunteer's first reply")
    tick(running, ticket.created_at + TIMEOUT + timedelta(minutes=1))
    assert len(telegram.sent) == 1 and "ሰላም!" in telegram.sent[0][1]  # only the volunteer's reply
    assert t("ti")(texts.DESK_NEWCOMER_WAITED, ticket=ticket.id) not in topic_texts(api, GROUP_TI, thread)
    assert not reread(server, ticket).told_waiting


@pytest.mark.parametrize("hours", ["ti:09-17"])
def test_a_ticket_opened_outside_the_volunteers_hours_is_not_told_again(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str,
        telegram: RecordingTelegramSender) -> None:
    """Off duty, Handoff.open told the newcomer at once that the answer comes later (with the
    phone number); the timeout must not say it a second time. Hours are Amsterdam time."""
    night, night_thread = with_topic(running, server, "web-at-night", channel="web")
    day, day_thread = with_topic(running, server, newcomer)
    monday = datetime(2026, 1, 5, tzinfo=timezone.utc)  # winter: Amsterdam is UTC+1
    set_created(server, night, monday + timedelta(hours=2))  # 03:00 in Amsterdam: off duty
    set_created(server, day, monday + timedelta(hours=10))  # 11:00 in Amsterdam: on duty
    assert not running.desk.config.hours.on_duty("ti", monday + timedelta(hours=2))

    tick(running, monday + timedelta(hours=12))
    tick(running, monday + timedelta(hours=13))

    ti = t("ti")
    assert Outbox(server.database).after("web-at-night", 0) == []
    assert ti(texts.DESK_NEWCOMER_WAITED, ticket=night.id) not in topic_texts(api, GROUP_TI, night_thread)
    assert reread(server, night).told_waiting  # marked, so no later round tells them either
    # The ticket opened on duty is told, as usual.
    assert [text for _, text in telegram.sent] == [f"{ti(texts.DESK_NO_ANSWER_YET)}\n\n{person_offer(ti, running.desk.municipalities['enschede'])}"]
    assert topic_texts(api, GROUP_TI, day_thread).count(ti(texts.DESK_NEWCOMER_WAITED, ticket=day.id)) == 1


# --- deleting --------------------------------------------------------------------------------------
def test_a_forgotten_newcomers_topics_are_deleted_in_telegram_on_the_next_tick(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    first, first_thread = with_topic(running, server, newcomer)
    server.close(first.id)
    tick(running)  # its topic closed
    second, second_thread = with_topic(running, server, newcomer)
    other, other_thread = with_topic(running, server, "web-someone-else", channel="web")

    assert server.forget_sender(newcomer) == 2 + 4  # two tickets, two messages each (what Rasa's /vergeet does)
    assert sorted(thread for _, _, thread in server.topics_to_delete()) == sorted([first_thread, second_thread])
    assert (GROUP_TI, first_thread) in api.topics  # still in Telegram until the bridge's round
    tick(running)

    assert sorted(int(c.params["message_thread_id"]) for c in methods(api, "deleteForumTopic", GROUP_TI)) \
        == sorted([first_thread, second_thread])
    assert set(api.topics) == {(GROUP_TI, other_thread)}
    assert server.topics_to_delete() == []
    assert server.get(first.id) is None and server.get(second.id) is None and server.messages(second.id) == []
    assert server.get(other.id) is not None
    tick(running)
    assert len(methods(api, "deleteForumTopic")) == 2  # done once


def test_purged_tickets_lose_their_topics_after_the_retention_period(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    """Closed more than the retention period ago, or left open that long since it was opened:
    the rows go, and the next round deletes the topics. A younger ticket stays."""
    retention = 30
    old, old_thread = with_topic(running, server, newcomer)
    server.close(old.id)
    tick(running)
    unanswered = stored_ticket(server, "web-never-a-topic", channel="web", lang="ar")  # closed before any topic
    server.close(unanswered.id)
    closed_at = reread(server, old).closed_at
    assert closed_at is not None
    stale, stale_thread = with_topic(running, server, "web-left-open", channel="web")
    set_created(server, stale, closed_at - timedelta(hours=12))  # opened, and nobody ever closed it
    young, young_thread = with_topic(running, server, "web-still-open", channel="web")
    set_created(server, young, closed_at + timedelta(days=2))

    assert server.purge_closed(retention, at=closed_at + timedelta(days=retention - 1)) == 0  # not yet
    tick(running)
    assert methods(api, "deleteForumTopic") == [] and server.topics_to_delete() == []

    assert server.purge_closed(retention, at=closed_at + timedelta(days=retention, hours=1)) == 3
    assert sorted(thread for _, _, thread in server.topics_to_delete()) == sorted([old_thread, stale_thread])
    assert (GROUP_TI, old_thread) in api.topics  # still in Telegram until the bridge's round
    tick(running)

    assert sorted(int(c.params["message_thread_id"]) for c in methods(api, "deleteForumTopic", GROUP_TI)) \
        == sorted([old_thread, stale_thread])
    assert set(api.topics) == {(GROUP_TI, young_thread)}
    assert [server.get(ticket.id) for ticket in (old, unanswered, stale)] == [None, None, None]
    assert server.messages(old.id) == [] and server.get(young.id) is not None
    assert server.topics_to_delete() == []
    tick(running)
    assert len(methods(api, "deleteForumTopic")) == 2  # done once


# --- Telegram refuses ------------------------------------------------------------------------------
def test_a_refused_topic_is_tried_again_a_minute_later_not_every_tick(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    api.fail_next("createForumTopic", 400, REFUSED)
    ticket = stored_ticket(server, newcomer)
    start = now()
    tick(running, start)
    assert [c.status for c in methods(api, "createForumTopic")] == [400]
    assert reread(server, ticket).volunteer_thread_id is None

    for seconds in (1, 2, 30, RETRY_TOPIC.total_seconds() - 1):
        tick(running, start + timedelta(seconds=seconds))
    assert len(methods(api, "createForumTopic")) == 1  # not hammered every second

    tick(running, start + RETRY_TOPIC + timedelta(seconds=1))
    assert [c.status for c in methods(api, "createForumTopic")] == [400, 200]
    thread = reread(server, ticket).volunteer_thread_id
    assert thread is not None
    assert "\n".join(topic_texts(api, GROUP_TI, thread)).startswith(
        t("ti")(texts.DESK_TOPIC_OPENED, ticket=ticket.id))
    assert server.unposted() == []


def test_a_topic_telegram_refuses_to_post_in_does_not_hold_up_the_other_tickets(
        running: DeskApp, api: FakeTelegram, server: TicketStore, newcomer: str) -> None:
    """A topic deleted by hand in Telegram ("message thread not found"): its ticket's messages
    cannot be posted. The other tickets' messages, closings and deletions must go on."""
    broken, broken_thread = with_topic(running, server, newcomer)
    other, other_thread = with_topic(running, server, "web-other-ticket", channel="web")
    server.add_message(broken.id, "newcomer", "ኣብቲ ዝጠፍአ ኣርእስቲ")  # the oldest waiting message
    server.add_message(other.id, "newcomer", "ኣብቲ ካልእ ኣርእስቲ")
    server.close(other.id)
    ti = t("ti")
    for _ in range(3):  # Telegram refuses the broken topic's message in every round
        api.fail_next("sendMessage", 400, {"ok": False, "error_code": 400,
                                           "description": "Bad Request: message thread not found"})
        tick(running)

    assert f"{ti(texts.DESK_FROM_NEWCOMER)}\nኣብቲ ካልእ ኣርእስቲ" in topic_texts(api, GROUP_TI, other_thread)
    assert ti(texts.DESK_NEWCOMER_CLOSED, ticket=other.id) in topic_texts(api, GROUP_TI, other_thread)
    assert api.topics[(GROUP_TI, other_thread)]["closed"]
    # The refused message is not lost: it goes once Telegram takes it.
    assert [m.ticket_id for m in server.unposted()] == [broken.id]
    tick(running)
    assert f"{ti(texts.DESK_FROM_NEWCOMER)}\nኣብቲ ዝጠፍአ ኣርእስቲ" in topic_texts(api, GROUP_TI, broken_thread)


def test_a_ticket_whose_language_has_no_group_gets_no_topic(
        settings: Settings, api: FakeTelegram, telegram: RecordingTelegramSender) -> None:
    desk = VolunteerDesk.open(replace(settings, desk_chats=f"ti:{GROUP_TI}"), telegram)
    desk.nearest = None
    app = DeskApp(api, desk)
    try:
        arabic = stored_ticket(desk.store, "web-ar", channel="web", lang="ar")
        tick(app)
        tick(app)
        assert methods(api, "createForumTopic") == []
        assert reread(desk.store, arabic).volunteer_thread_id is None
    finally:
        app.stop()
        desk.close()
