"""The volunteers' desk end to end: the real Rasa server and action server of the session's stack
(volunteers take Tigrinya: ``desk_chats=ti:DESK_GROUP_TI``), the real bridge process
(`vraagbaak telegram`, python-telegram-bot and all) with the same desk settings and the stack's
database, and the fake Bot API with the volunteers' forum group.

A Tigrinya newcomer asks for a person and is asked first; "no" keeps the assistant and gives a
phone number, "yes" opens a ticket whose topic shows the conversation so far; what the newcomer
writes then reaches the topic (as written) and not the assistant, except an emergency, which gets 112 at once;
two volunteers answer under the names they chose (or "Volunteer"), never their Telegram names;
/klaar gives the assistant back, asks whether it helped and closes the topic; /vergeet deletes the
topic and every desk row. A Dutch newcomer still gets the municipality's phone number.

The timeout ("nobody answered yet") is tested in test_desk_tick.py only: the setting is whole
minutes (VRAAGBAAK_DESK_TIMEOUT_MINUTES, at least 1).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator

import pytest

from conftest import DESK_GROUP_TI
from desk_e2e_helpers import keyboard, methods, payloads_of, t, titles_of, topic_texts, wait_for_topic_text, wait_until
from e2e_helpers import Conversation
from fake_telegram import Call, FakeTelegram
from telegram_helpers import BridgeProcess
from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.offer import person_offer
from vraagbaak.channels.telegram.formatting import split_html
from vraagbaak.channels.telegram.identity import KEY_FILE, sender_id
from vraagbaak.desk.database import Database, open_database
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import Ticket, TicketStore
from vraagbaak.desk.volunteers import CLOSED_MARK
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.runtime.supervisor import Services
from vraagbaak.settings import PROJECT_ROOT

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: Rasa and the search take a few seconds per answer on a small machine, more under load.
ANSWER_TIMEOUT_S = 90
#: The bridge's desk round runs every second; a topic or a note comes within a few.
DESK_TIMEOUT_S = 60
QUESTION_TI = "zorgtoeslag ብኸመይ ይሕተት?"
EMERGENCY_TI = "ዓርከይ ካብ መሳልል ወዲቑ ንቕሓቱ ስሒቱ ኣሎ"  # my friend fell from the stairs and is unconscious
SEMHAR, ROBEL = 9301, 9302
MUNICIPALITIES = load_municipalities(PROJECT_ROOT / "knowledge", [])


# --- fixtures --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bridge(stack: Services, fake: FakeTelegram) -> Iterator[BridgeProcess]:
    """The bridge with the stack's desk: the same groups, and the same var/ (so the same desk
    database, vraagbaak.sqlite3, that the action server writes tickets to)."""
    settings = stack.settings
    # One chat talks here faster than people do: the flood limits (tested in test_telegram_bridge.py)
    # would answer "too many messages".
    process = BridgeProcess(fake, settings.var_dir, rasa_url=settings.rasa_url, rasa_token=settings.rasa_token,
                            tracker_db=settings.tracker_db_path, desk_chats=settings.desk_chats,
                            telegram_burst=1000, telegram_per_minute=10_000)
    yield process
    assert process.stop() == 0, process.log()


@pytest.fixture(scope="module")
def database(stack: Services) -> Iterator[Database]:
    opened = open_database(stack.settings)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def store(database: Database) -> TicketStore:
    return TicketStore(database)


@pytest.fixture(scope="module")
def key(bridge: BridgeProcess) -> bytes:
    return (bridge.log_path.parent / KEY_FILE).read_bytes().strip()


def test_the_stack_and_the_bridge_share_the_desk(stack: Services, bridge: BridgeProcess) -> None:
    assert stack.settings.desk_chats == f"ti:{DESK_GROUP_TI}"
    assert bridge.log_path.parent == stack.settings.var_dir


# --- helpers ---------------------------------------------------------------------------------------
def shown(text: str) -> str:
    """``text`` as the bridge sends it to Telegram (HTML, one piece)."""
    pieces = split_html(text)
    assert len(pieces) == 1, pieces
    return pieces[0]


def to_chat(calls: list[Call], chat: int) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage" and c.status == 200 and str(c.params.get("chat_id")) == str(chat)]


def reply_where(fake: FakeTelegram, chat: int, after: int, predicate: Callable[[Call], bool],
                timeout: float = ANSWER_TIMEOUT_S) -> Call:
    """The first message to ``chat`` from the ``after``-th on that satisfies ``predicate``."""
    return fake.wait_for(lambda calls: next((c for c in to_chat(calls, chat)[after:] if predicate(c)), None), timeout)


def reply_with(fake: FakeTelegram, chat: int, after: int, needle: str, timeout: float = ANSWER_TIMEOUT_S) -> Call:
    return reply_where(fake, chat, after, lambda c: needle in c.params["text"], timeout)


def count(fake: FakeTelegram, chat: int) -> int:
    return len(to_chat(fake.calls, chat))


def answered(bridge: BridgeProcess, sender: str) -> list[list[str | None]]:
    """The kinds of Rasa's answers the bridge logged for ``sender``, one list per message relayed."""
    kinds = []
    for line in bridge.log().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("event") == "answered" and entry.get("sender") == sender:
            kinds.append(entry.get("kinds"))
    return kinds


def started(fake: FakeTelegram, chat: int, lang: str, municipality: str) -> None:
    """/start with a deep link to the municipality, in the user's app language; waits for the
    welcome's last message (the language buttons)."""
    before = count(fake, chat)
    fake.text(chat, f"/start {municipality}", language_code=lang)
    reply_where(fake, chat, before, lambda c: payloads.language("ti") in payloads_of(c))


def asked_for_a_person(fake: FakeTelegram, chat: int, lang: str = "ti") -> Call:
    """/mens; the consent question."""
    before = count(fake, chat)
    fake.text(chat, "/mens", language_code=lang)
    return reply_where(fake, chat, before, lambda c: bool(keyboard(c)))


def open_ticket(store: TicketStore, sender: str) -> Ticket:
    return wait_until(lambda: store.open_for(sender), DESK_TIMEOUT_S, "the newcomer's open ticket")


def topic_of(fake: FakeTelegram, store: TicketStore, ticket: Ticket) -> int:
    """The forum topic the bridge opened for the ticket (its thread id)."""
    def opened() -> int | None:
        fresh = store.get(ticket.id)
        return fresh.volunteer_thread_id if fresh else None
    thread = wait_until(opened, DESK_TIMEOUT_S, f"a topic for ticket #{ticket.id}")
    assert (DESK_GROUP_TI, thread) in fake.topics
    return thread


def ticket_rows(database: Database, sender: str) -> dict[str, int]:
    """How many rows the desk holds about ``sender``, per table."""
    def n(statement: str) -> int:
        return int(database.query(statement, (sender,)).value())
    return {"tickets": n("SELECT count(*) FROM tickets WHERE sender = ?"),
            "ticket_messages": n("SELECT count(*) FROM ticket_messages WHERE ticket_id IN "
                                 "(SELECT id FROM tickets WHERE sender = ?)"),
            "outbox": n("SELECT count(*) FROM outbox WHERE sender = ?")}


# --- no ----------------------------------------------------------------------------------------------
def test_no_to_a_volunteer_keeps_the_assistant_gives_the_phone_number_and_opens_no_ticket(
        fake: FakeTelegram, bridge: BridgeProcess, store: TicketStore, database: Database, key: bytes) -> None:
    chat = 7401001
    sender = sender_id(chat, key)
    ti = t("ti")
    started(fake, chat, "ti", "enschede")

    consent = asked_for_a_person(fake, chat)
    assert consent.params["text"] == shown(ti(texts.DESK_CONSENT))
    assert payloads_of(consent) == [payloads.DESK_YES, payloads.DESK_NO]
    assert titles_of(consent) == [ti(texts.BUTTON_DESK_YES), ti(texts.BUTTON_DESK_NO)]
    assert titles_of(consent) != [t("en")(texts.BUTTON_DESK_YES), t("en")(texts.BUTTON_DESK_NO)]  # translated

    before = count(fake, chat)
    topics_before = len(methods(fake, "createForumTopic"))
    fake.press(chat, consent, payloads.DESK_NO, language_code="ti")
    # Rasa's REST channel sends each paragraph as a message of its own.
    declined = reply_with(fake, chat, before, html.escape(ti(texts.DESK_DECLINED), quote=False))
    assert declined.params["text"] == shown(ti(texts.DESK_DECLINED))
    offer = reply_with(fake, chat, before, "14 053")  # Enschede's number
    assert offer.params["text"] == shown(person_offer(ti, MUNICIPALITIES["enschede"]))
    assert offer.at >= declined.at

    # Back to the assistant: a question gets its answer, and no ticket or topic was made.
    before = count(fake, chat)
    fake.text(chat, QUESTION_TI, language_code="ti")
    reply_with(fake, chat, before, "<a href=")
    assert store.open_for(sender) is None
    assert ticket_rows(database, sender) == {"tickets": 0, "ticket_messages": 0, "outbox": 0}
    assert len(methods(fake, "createForumTopic")) == topics_before


# --- yes, volunteers, an emergency, done ------------------------------------------------------------
def test_a_tigrinya_newcomer_talks_with_two_volunteers_and_gets_the_assistant_back(
        fake: FakeTelegram, bridge: BridgeProcess, store: TicketStore, key: bytes) -> None:
    chat = 7401002
    sender = sender_id(chat, key)
    ti = t("ti")

    # A question first: the volunteers will see it, and the answer's "Ask a person" button.
    fake.text(chat, QUESTION_TI, language_code="ti")
    answer = reply_with(fake, chat, 0, "<a href=")
    assert payloads.HUMAN in payloads_of(answer)
    before = count(fake, chat)
    fake.press(chat, answer, payloads.HUMAN, language_code="ti")
    consent = reply_where(fake, chat, before, lambda c: payloads.DESK_YES in payloads_of(c))
    assert consent.params["text"] == shown(ti(texts.DESK_CONSENT))
    assert titles_of(consent) == [ti(texts.BUTTON_DESK_YES), ti(texts.BUTTON_DESK_NO)]

    # Yes: the ticket, and the assistant pauses.
    before = count(fake, chat)
    fake.press(chat, consent, payloads.DESK_YES, language_code="ti")
    opened = reply_where(fake, chat, before, lambda c: payloads.DESK_DONE in payloads_of(c))
    assert opened.params["text"] == shown(ti(texts.DESK_OPENED))
    assert keyboard(opened) == [{"text": ti(texts.BUTTON_DESK_DONE), "callback_data": payloads.DESK_DONE}]
    ticket = open_ticket(store, sender)
    assert (ticket.channel, ticket.lang, ticket.topic) == ("telegram", "ti", "zorgtoeslag")

    # Its topic in the volunteers' group, with the conversation so far and nothing about who.
    thread = topic_of(fake, store, ticket)
    title = f"#{ticket.id} · ti · zorgtoeslag"
    assert fake.topics[(DESK_GROUP_TI, thread)] == {"name": title, "closed": False}
    opening = wait_for_topic_text(fake, DESK_GROUP_TI, thread, QUESTION_TI, DESK_TIMEOUT_S)
    everything = "\n\n".join(opening)
    assert everything.startswith(ti(texts.DESK_TOPIC_OPENED, ticket=ticket.id))
    assert f"{ti(texts.DESK_FROM_NEWCOMER)}\n{QUESTION_TI}" in everything
    assert f"{ti(texts.DESK_FROM_ASSISTANT)}\n" in everything  # the assistant's answer, as it was
    assert everything.index(QUESTION_TI) < everything.index(ti(texts.DESK_FROM_ASSISTANT))
    assert ti(texts.DESK_CONSENT) not in everything  # the desk's own question is no news to volunteers
    group_calls = json.dumps([c.params for c in fake.calls if str(c.params.get("chat_id")) == str(DESK_GROUP_TI)],
                             ensure_ascii=False)
    assert sender not in group_calls and str(chat) not in group_calls

    # The newcomer's next message: no answer from the assistant, and the volunteers see it.
    before = count(fake, chat)
    relayed = len(answered(bridge, sender))
    message = "ሰላም ናይ zorgtoeslag ደብዳበ መጺኡኒ እንታይ ክገብር ኣለኒ?"
    fake.text(chat, message, language_code="ti")
    wait_for_topic_text(fake, DESK_GROUP_TI, thread, f"{ti(texts.DESK_FROM_NEWCOMER)}\n{message}", ANSWER_TIMEOUT_S)
    wait_until(lambda: len(answered(bridge, sender)) > relayed, ANSWER_TIMEOUT_S, "the bridge's relay to Rasa")
    assert answered(bridge, sender)[-1] == ["desk_relayed"]
    assert count(fake, chat) == before  # the assistant said nothing

    # Two volunteers: one chose a name, one did not. The newcomer sees neither's Telegram name.
    fake.group_message(DESK_GROUP_TI, SEMHAR, thread, text="/naam Semhar", first_name="Semhar Tesfay",
                       username="semhar_t")
    wait_for_topic_text(fake, DESK_GROUP_TI, thread, ti(texts.DESK_NAME_SET, name="Semhar"), DESK_TIMEOUT_S)
    from_semhar = "ሰላም! ኣነ ሰምሃር እየ። ነቲ ደብዳበ ስእሊ ኣይትስደዱ፡ ቁጽሪ ደብዳበ ጥራይ ንገሩኒ።"
    from_robel = "ኣነ'ውን ኣለኹ። ብሕቶ <b>ተወሳኺ</b> & ካልእ ጽሓፉልና።"
    fake.group_message(DESK_GROUP_TI, SEMHAR, thread, text=from_semhar, first_name="Semhar Tesfay",
                       username="semhar_t")
    fake.group_message(DESK_GROUP_TI, ROBEL, thread, text=from_robel, first_name="Robel Kidane", username="robel_k")
    semhar = reply_with(fake, chat, before, html.escape(from_semhar, quote=False), DESK_TIMEOUT_S)
    robel = reply_with(fake, chat, before, html.escape(from_robel, quote=False), DESK_TIMEOUT_S)
    assert semhar.params["text"] == shown(f"**{ti(texts.DESK_VOLUNTEER_SAYS, name='Semhar')}**\n{from_semhar}")
    assert robel.params["text"] == shown(f"**{ti(texts.DESK_VOLUNTEER_SAYS_UNNAMED)}**\n{from_robel}")
    assert "&lt;b&gt;" in robel.params["text"]  # a volunteer's text is text, never markup
    assert semhar.at < robel.at  # in the order the group saw them
    done = [{"text": ti(texts.BUTTON_DESK_DONE), "callback_data": payloads.DESK_DONE}]
    assert keyboard(semhar) == done and keyboard(robel) == done
    newcomer_sees = json.dumps([c.params for c in to_chat(fake.calls, chat)], ensure_ascii=False)
    for account in ("Tesfay", "semhar_t", "Robel", "Kidane", "robel_k", str(SEMHAR), str(ROBEL)):
        assert account not in newcomer_sees
    wait_until(lambda: store.get(ticket.id).first_reply_at is not None,  # type: ignore[union-attr]
               DESK_TIMEOUT_S, "the first reply noted")

    # An emergency while the volunteers have the conversation: 112 at once, and they see it.
    before = count(fake, chat)
    fake.text(chat, EMERGENCY_TI, language_code="ti")
    emergency = reply_with(fake, chat, before, "112")
    assert emergency.params["text"].count("112") >= 1
    topic = wait_for_topic_text(fake, DESK_GROUP_TI, thread, "112", DESK_TIMEOUT_S)
    assert f"{ti(texts.DESK_FROM_NEWCOMER)}\n{EMERGENCY_TI}" in topic
    assert topic.index(f"{ti(texts.DESK_FROM_NEWCOMER)}\n{EMERGENCY_TI}") < next(
        i for i, text in enumerate(topic) if "112" in text and text.startswith(ti(texts.DESK_FROM_ASSISTANT)))
    assert store.get(ticket.id).is_open  # type: ignore[union-attr] - the volunteers still have it

    # /klaar: the assistant is back and asks whether the volunteers helped; the topic closes.
    before = count(fake, chat)
    fake.text(chat, "/klaar", language_code="ti")
    closing = reply_with(fake, chat, before, html.escape(ti(texts.DESK_CLOSED_BY_YOU), quote=False))
    assert closing.params["text"] == shown(ti(texts.DESK_CLOSED_BY_YOU))
    assert payloads_of(closing) == [payloads.HELPFUL, payloads.NOT_HELPFUL]
    assert titles_of(closing) == [ti(texts.BUTTON_HELPFUL), ti(texts.BUTTON_NOT_HELPFUL)]
    assert not store.get(ticket.id).is_open  # type: ignore[union-attr]
    note = ti(texts.DESK_NEWCOMER_CLOSED, ticket=ticket.id)
    wait_for_topic_text(fake, DESK_GROUP_TI, thread, note, DESK_TIMEOUT_S)
    wait_until(lambda: fake.topics[(DESK_GROUP_TI, thread)]["closed"], DESK_TIMEOUT_S, "the closed topic")
    assert fake.topics[(DESK_GROUP_TI, thread)]["name"] == CLOSED_MARK + title
    assert topic_texts(fake, DESK_GROUP_TI, thread).count(note) == 1

    # A volunteer writing in the closed topic is told so; nothing reaches the newcomer.
    after_closing = count(fake, chat)
    fake.group_message(DESK_GROUP_TI, ROBEL, thread, text="ሓደ ነገር ተሪፉ!", first_name="Robel Kidane")
    wait_for_topic_text(fake, DESK_GROUP_TI, thread, ti(texts.DESK_TICKET_IS_CLOSED), DESK_TIMEOUT_S)
    assert count(fake, chat) == after_closing

    # The feedback is about the volunteers' help; then the assistant answers questions again.
    fake.press(chat, closing, payloads.HELPFUL, language_code="ti")
    reply_with(fake, chat, after_closing, html.escape(ti(texts.FEEDBACK_THANKS), quote=False))
    before = count(fake, chat)
    fake.text(chat, QUESTION_TI, language_code="ti")
    reply_with(fake, chat, before, "<a href=")
    assert store.open_for(sender) is None


# --- /vergeet ----------------------------------------------------------------------------------------
def test_forget_deletes_the_tickets_topic_and_every_desk_row(
        fake: FakeTelegram, bridge: BridgeProcess, store: TicketStore, database: Database, key: bytes) -> None:
    chat = 7401003
    sender = sender_id(chat, key)
    consent = asked_for_a_person(fake, chat)
    assert payloads_of(consent) == [payloads.DESK_YES, payloads.DESK_NO]
    before = count(fake, chat)
    fake.press(chat, consent, payloads.DESK_YES, language_code="ti")
    reply_where(fake, chat, before, lambda c: payloads.DESK_DONE in payloads_of(c))
    ticket = open_ticket(store, sender)
    thread = topic_of(fake, store, ticket)
    relayed = len(answered(bridge, sender))
    fake.text(chat, "ቁጽሪ BSN ናተይ 123456789 እዩ", language_code="ti")
    wait_for_topic_text(fake, DESK_GROUP_TI, thread, "ቁጽሪ BSN ናተይ ********* እዩ", ANSWER_TIMEOUT_S)
    wait_until(lambda: len(answered(bridge, sender)) > relayed, ANSWER_TIMEOUT_S, "the bridge's relay to Rasa")
    assert "123456789" not in "\n".join(topic_texts(fake, DESK_GROUP_TI, thread))
    # A volunteer's answer waiting in the outbox (as for a newcomer the bridge did not know yet).
    Outbox(database).put(sender, {"text": "ሰላም", "custom": {"vraagbaak": "volunteer", "lang": "ti"}})
    assert all(n > 0 for n in ticket_rows(database, sender).values())

    before = count(fake, chat)
    fake.text(chat, "/vergeet", language_code="ti")
    reply_with(fake, chat, before, html.escape(t("ti")(texts.TELEGRAM_FORGOTTEN), quote=False))
    assert (DESK_GROUP_TI, thread) not in fake.topics
    assert [c.status for c in methods(fake, "deleteForumTopic", DESK_GROUP_TI)
            if int(c.params["message_thread_id"]) == thread][:1] == [200]
    assert ticket_rows(database, sender) == {"tickets": 0, "ticket_messages": 0, "outbox": 0}
    assert store.get(ticket.id) is None
    wait_until(lambda: store.topics_to_delete() == [], DESK_TIMEOUT_S, "the queue of topics to delete to empty")


# --- as written ---------------------------------------------------------------------------------------
def test_the_volunteers_read_the_newcomers_words_as_written(
        fake: FakeTelegram, bridge: BridgeProcess, store: TicketStore, key: bytes) -> None:
    """Not the text Rasa's NLU sees (bot/components/normalizer.py: Ethiopic punctuation replaced,
    lines joined): the volunteers read what the newcomer wrote."""
    chat = 7401005
    sender = sender_id(chat, key)
    consent = asked_for_a_person(fake, chat)
    before = count(fake, chat)
    fake.press(chat, consent, payloads.DESK_YES, language_code="ti")
    reply_where(fake, chat, before, lambda c: payloads.DESK_DONE in payloads_of(c))
    thread = topic_of(fake, store, open_ticket(store, sender))
    relayed = len(answered(bridge, sender))
    written = "ሰላም፣ ደብዳበ መጺኡኒ፡ እንታይ ክገብር ኣለኒ፧\nኣብ Enschede እየ ዘለኹ።"
    fake.text(chat, written, language_code="ti")
    wait_until(lambda: len(answered(bridge, sender)) > relayed, ANSWER_TIMEOUT_S, "the bridge's relay to Rasa")
    posted = wait_for_topic_text(fake, DESK_GROUP_TI, thread, "ደብዳበ", DESK_TIMEOUT_S)
    assert f"{t('ti')(texts.DESK_FROM_NEWCOMER)}\n{written}" in posted, posted


# --- typed words are not a button ----------------------------------------------------------------------
def test_typed_yes_and_done_do_not_hand_over_or_take_back(stack: Services, store: TicketStore) -> None:
    """Only the buttons (and /klaar) open and close a ticket: the NLU's guess that typed words mean
    "yes, a volunteer" or "done" is not consent. Through the web gateway, as the widget talks."""
    talk = Conversation(stack.settings.web_port, municipality="enschede", lang="ti")
    asked = talk.press(payloads.HUMAN)
    assert any((m.get("custom") or {}).get("vraagbaak") == "desk_consent" for m in asked)
    talk.say("እወ፣ ወለንተኛ እደሊ")  # a training example of desk_consent, typed
    assert store.open_for(talk.sender) is None
    opened = talk.press(payloads.DESK_YES)
    assert [(m.get("custom") or {}).get("vraagbaak") for m in opened] == ["desk_opened"]
    ticket = store.open_for(talk.sender)
    assert ticket is not None and ticket.channel == "web"
    relayed = talk.say("ምስ ወለንተኛ ወዲአ")  # a training example of desk_done, typed: for the volunteers
    assert [m.get("custom") for m in relayed] == [{"vraagbaak": "desk_relayed", "ticket": ticket.id}]
    assert store.get(ticket.id).is_open  # type: ignore[union-attr]
    assert [m.text for m in store.messages(ticket.id)][-1] == "ምስ ወለንተኛ ወዲአ"
    closed = talk.press(payloads.DESK_DONE)
    assert [(m.get("custom") or {}).get("vraagbaak") for m in closed] == ["desk_closed_by_newcomer"]
    assert not store.get(ticket.id).is_open  # type: ignore[union-attr]


# --- a language without volunteers ------------------------------------------------------------------
def test_a_dutch_newcomer_still_gets_the_municipalitys_phone_number(
        fake: FakeTelegram, bridge: BridgeProcess, store: TicketStore, database: Database, key: bytes) -> None:
    chat = 7401004
    sender = sender_id(chat, key)
    nl = t("nl")
    started(fake, chat, "nl", "haarlem")
    topics_before = len(methods(fake, "createForumTopic"))
    before = count(fake, chat)
    fake.text(chat, "/mens", language_code="nl")
    handoff = reply_with(fake, chat, before, html.escape(nl(texts.HANDOFF_INTRO), quote=False))
    assert handoff.params["text"] == shown(nl(texts.HANDOFF_INTRO))  # each paragraph a message (Rasa's REST channel)
    offer = reply_with(fake, chat, before, "14 023")  # Haarlem's number
    assert offer.params["text"] == shown(person_offer(nl, MUNICIPALITIES["haarlem"]))
    assert not any(payloads.DESK_YES in payloads_of(c) for c in to_chat(fake.calls, chat)[before:])
    assert ticket_rows(database, sender)["tickets"] == 0
    assert len(methods(fake, "createForumTopic")) == topics_before


# --- privacy of the log ------------------------------------------------------------------------------
def test_the_bridge_log_holds_no_text_no_chat_and_no_volunteer(bridge: BridgeProcess) -> None:
    assert bridge.stop() == 0
    log = bridge.log()
    assert '"ticket topic opened"' in log and '"ticket": ' in log
    for secret in ("ሰምሃር", "Semhar", "Tesfay", "Robel", "ደብዳበ", "123456789", "ዓርከይ",
                   *(str(chat) for chat in (7401001, 7401002, 7401003, 7401004, 7401005)), str(SEMHAR), str(ROBEL)):
        assert secret not in log, secret
