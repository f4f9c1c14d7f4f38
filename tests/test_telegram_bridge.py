"""The real bridge process (`vraagbaak telegram`, python-telegram-bot included) against a fake Bot
API on loopback, with a scripted stand-in for Rasa: rendering, buttons, splitting, media,
flood control, retries after a 429, errors, order, webhook mode, and what ends up in the log.
/vergeet deletes from a real SQLite tracker database that Rasa's own SQLTrackerStore wrote.

The real Rasa answers the same bridge in test_telegram_e2e.py; here Rasa is scripted so that
answers can be long, full of HTML or broken on purpose.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from e2e_helpers import free_port
from fake_telegram import TOKEN, FakeTelegram
from telegram_helpers import BridgeProcess, FakeRasa
from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.channels.telegram.formatting import MAX_MESSAGE_LENGTH, telegram_length
from vraagbaak.runtime.supervisor import start_telegram_bridge
from vraagbaak.settings import PROJECT_ROOT, Settings

LONG_ANSWER = "\n\n".join(f"Paragraph {i}." + " Dit is een lange zin over afval & <regels>." * 12 for i in range(30))
HTML_ANSWER = "Gebruik <b>geen</b> 'tags' & \"quotes\"\n\nBron: https://www.denhaag.nl/afval?a=1&b=2 (gecontroleerd)"
FAR_CODE = "sudwest-fryslan-" * 3 + "x"
FAR_PAYLOAD = '/choose_municipality{"municipality":"' + FAR_CODE + '"}'  # > 64 bytes
RASA_TOKEN = "rasa-api-token-for-the-tests"
BUTTONS = [{"title": "Den Haag", "payload": '/choose_municipality{"municipality":"den-haag"}'},
           {"title": "Súdwest-Fryslân", "payload": FAR_PAYLOAD}]


def script(message: str) -> list[dict]:
    """What the stand-in Rasa answers."""
    if message == "/greet":
        return [{"text": "Welkom!"}, {"text": "In welke gemeente woon je?", "buttons": BUTTONS}]
    if message.startswith("/choose_municipality"):
        return [{"text": f"chosen {message}", "custom": {"vraagbaak": "municipality", "municipality": "haarlem"}}]
    if message == "lang":
        return [{"text": LONG_ANSWER, "buttons": BUTTONS[:1], "custom": {"vraagbaak": "answer", "lang": "nl"}}]
    if message == "html":
        return [{"text": HTML_ANSWER, "custom": {"vraagbaak": "answer", "lang": "nl"}}]
    if message == "kapot":
        return [{"text": "broken", "buttons": "not a list"}]  # makes the bridge fail on this update
    if message == "traag":
        time.sleep(3)
    return [{"text": f"echo {message}"}]


@pytest.fixture(scope="module")
def rasa() -> Iterator[FakeRasa]:
    server = FakeRasa(script)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bridge(fake: FakeTelegram, rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BridgeProcess]:
    # A knowledge folder with one more municipality, whose button payload is too long for
    # Telegram's callback data: the gateway only relays payloads of municipalities it knows.
    knowledge = tmp_path_factory.mktemp("knowledge")
    shutil.copy(Settings().knowledge_dir / "municipalities.yaml", knowledge / "municipalities.yaml")
    shutil.copytree(Settings().knowledge_dir / "safety", knowledge / "safety")  # the flood limit reads the danger patterns
    with (knowledge / "municipalities.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f'{FAR_CODE}:\n  name: Súdwest-Fryslân\n  phone: "14 0515"\n  website: https://sudwestfryslan.nl\n')
    process = BridgeProcess(fake, tmp_path_factory.mktemp("bridge"), rasa_url=rasa.url, rasa_token=RASA_TOKEN,
                            rasa_timeout=10, knowledge_dir=knowledge)
    yield process
    assert process.stop() == 0, process.log()


def t(lang: str):
    return translator(Settings().translations_dir, lang)


def escaped(text: str) -> str:
    return html.escape(text, quote=False)


def sent_to_rasa(rasa: FakeRasa, message: str) -> list[dict]:
    return [m for m in rasa.messages() if m["message"] == message]


# --- answers ---------------------------------------------------------------------------------
def test_answers_are_escaped_html_with_the_source_as_a_link(fake: FakeTelegram, bridge: BridgeProcess) -> None:
    fake.text(7301001, "html")
    (reply,) = fake.replies(7301001, 1)
    assert reply.params["parse_mode"] == "HTML"
    assert reply.params["text"] == (
        "Gebruik &lt;b&gt;geen&lt;/b&gt; 'tags' &amp; \"quotes\"\n\nBron: "
        '<a href="https://www.denhaag.nl/afval?a=1&amp;b=2">https://www.denhaag.nl/afval?a=1&amp;b=2</a> (gecontroleerd)')
    assert reply.params["link_preview_options"] == {"is_disabled": True}


def test_long_answers_are_split_at_paragraphs_with_the_buttons_under_the_last(fake: FakeTelegram,
                                                                              bridge: BridgeProcess) -> None:
    fake.text(7301002, "lang")
    expected = -(-len(LONG_ANSWER.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")) // MAX_MESSAGE_LENGTH)
    replies = fake.replies(7301002, expected)
    time.sleep(0.5)
    replies = fake.sent(7301002)
    assert len(replies) >= expected
    assert all(telegram_length(r.params["text"]) <= MAX_MESSAGE_LENGTH for r in replies)
    assert all(r.params["text"].startswith("Paragraph ") for r in replies)  # cut between paragraphs only
    assert "\n\n".join(html.unescape(r.params["text"]) for r in replies) == LONG_ANSWER
    assert [("reply_markup" in r.params) for r in replies] == [False] * (len(replies) - 1) + [True]


def test_a_button_press_is_answered_and_relayed_even_when_its_payload_is_too_long_for_telegram(
        fake: FakeTelegram, rasa: FakeRasa, bridge: BridgeProcess) -> None:
    fake.text(7301003, "/start", language_code="ar")
    welcome, question = fake.replies(7301003, 2)
    assert welcome.params["text"] == "Welkom!"
    # The user's Telegram language is the welcome's first guess: seeded into the conversation.
    assert ("POST", [{"event": "slot", "name": "detected_language", "value": "ar"}]) in [
        (method, body) for method, path, body in rasa.requests if path.startswith("/conversations/")]
    (first, second), = question.params["reply_markup"]["inline_keyboard"]
    assert first == {"text": "Den Haag", "callback_data": '/choose_municipality{"municipality":"den-haag"}'}
    assert second["text"] == "Súdwest-Fryslân" and len(second["callback_data"].encode()) <= 64
    fake.press(7301003, question, second["callback_data"], language_code="ar")
    answered = fake.wait_for(lambda calls: [c for c in calls if c.method == "answerCallbackQuery"])
    assert answered[0].params["callback_query_id"].startswith("cq-")
    chosen = fake.replies(7301003, 3)[-1]
    assert chosen.params["text"] == escaped(f"chosen {FAR_PAYLOAD}")
    assert sent_to_rasa(rasa, FAR_PAYLOAD)[0]["metadata"] == {"lang": "ar", "municipality": None, "channel": "telegram"}
    removed = fake.wait_for(lambda calls: [c for c in calls if c.method == "editMessageReplyMarkup"])
    assert removed[0].params["message_id"] == str(question.result["message_id"])  # a choice is made once
    # The bridge remembered the municipality from the answer's metadata and passes it on.
    fake.text(7301003, "en nu?", language_code="ar")
    fake.replies(7301003, 4)
    assert sent_to_rasa(rasa, "en nu?")[0]["metadata"]["municipality"] == "haarlem"


def test_an_unknown_button_gets_a_polite_reply_and_its_query_answered(fake: FakeTelegram, bridge: BridgeProcess) -> None:
    fake.text(7301004, "hallo")
    (echo,) = fake.replies(7301004, 1)
    fake.press(7301004, echo, "#expired-key", language_code="en")
    reply = fake.replies(7301004, 2)[-1]
    assert reply.params["text"] == escaped(t("nl")(texts.TELEGRAM_BUTTON_EXPIRED))  # the chat's language so far
    fake.wait_for(lambda calls: any(c.method == "answerCallbackQuery" and c.params["callback_query_id"].startswith("cq-")
                                    for c in calls))


def test_photos_voice_notes_and_stickers_get_a_reply_in_the_users_language(fake: FakeTelegram,
                                                                             bridge: BridgeProcess) -> None:
    fake.photo(7301005, language_code="ti")
    fake.voice(7301005, language_code="ti")
    fake.sticker(7301005, language_code="ti")
    replies = fake.replies(7301005, 3)
    expected = escaped(t("ti")(texts.TELEGRAM_ONLY_TEXT))
    assert [r.params["text"] for r in replies] == [expected] * 3
    assert any("\u1200" <= ch <= "\u137f" for ch in expected)


def test_help_privacy_and_unknown_commands_are_answered_by_the_bridge(fake: FakeTelegram, rasa: FakeRasa,
                                                                       bridge: BridgeProcess) -> None:
    fake.text(7301006, "/help", language_code="ar")
    fake.text(7301006, "/privacy", language_code="ar")
    fake.text(7301006, "/onbekend", language_code="ar")
    help_text, privacy, unknown = (r.params["text"] for r in fake.replies(7301006, 3))
    assert help_text.startswith(escaped(t("ar")(texts.HELP))) and "/vergeet – " in help_text
    assert escaped(t("ar")(texts.TELEGRAM_PRIVACY)) in privacy
    assert unknown == help_text
    assert not [m for m in rasa.messages() if m["message"] in ("/help", "/privacy", "/onbekend")]


def test_commands_reach_rasa_as_intents(fake: FakeTelegram, rasa: FakeRasa, bridge: BridgeProcess) -> None:
    for command in ("/taal", "/gemeente", "/mens"):
        fake.text(7301007, command)
    fake.replies(7301007, 3)
    assert [m["message"] for m in rasa.messages() if m["message"] in
            ("/choose_language", "/choose_municipality", "/request_human")] == \
        ["/choose_language", "/choose_municipality", "/request_human"]


def test_the_command_menu_is_set_in_every_language(fake: FakeTelegram, bridge: BridgeProcess) -> None:
    menus = {c.params.get("language_code"): c.params["commands"] for c in fake.calls if c.method == "setMyCommands"}
    assert set(menus) == {None, "nl", "en", "ar", "ti"}
    assert [c["command"] for c in menus["ti"]] == ["start", "taal", "gemeente", "help", "mens", "privacy", "vergeet"]


# --- /vergeet against a real SQLite tracker database -------------------------------------------
RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
#: Run with Rasa's interpreter: Rasa's own SQLTrackerStore writes a short conversation per sender
#: into a SQLite file, so the tables and rows are exactly those Rasa keeps (rasa_tracker_store.py
#: does the same on PostgreSQL).
RASA_SAVES = """
import asyncio, sys
sys.path.insert(0, sys.argv[1])
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_tracker_store import conversation

async def main(db, senders):
    store = SQLTrackerStore(dialect="sqlite", db=db)
    for sender in senders:
        await store.save(DialogueStateTracker.from_events(sender, conversation(sender)))

asyncio.run(main(sys.argv[2], sys.argv[3:]))
"""
OTHER_SENDER = "tg-another-chat-that-must-stay"


def rasa_saves(db: Path, *senders: str) -> None:
    """Conversations for ``senders`` in ``db``, written by Rasa's SQLTrackerStore itself."""
    if not RASA_PYTHON.is_file():
        pytest.fail("Rasa's venv is missing: `make rasa-install` builds .venv-rasa")
    env = {"PATH": os.environ["PATH"], "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    done = subprocess.run([str(RASA_PYTHON), "-c", RASA_SAVES, str(Path(__file__).parent), str(db), *senders],
                          capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def stored_rows(db: Path, sender: str) -> list[tuple[Any, ...]]:
    """Every column of every row the tracker store holds for ``sender``."""
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT * FROM events WHERE sender_id = ? ORDER BY id", (sender,)).fetchall()


class FakeRasaOnTrackerDb(FakeRasa):
    """A fake Rasa (:class:`FakeRasa`) whose tracker endpoint answers from a SQLite tracker
    database, as the real Rasa with its SQL tracker store does: what it reports for a sender is
    what that database holds. Point ``db`` at another file to play a Rasa that keeps its
    conversations somewhere else than VRAAGBAAK_TRACKER_DB says."""

    def __init__(self, db: Path) -> None:
        super().__init__()
        self.db = db
        fake, base = self, self.server.RequestHandlerClass

        class Handler(base):  # type: ignore[misc, valid-type]
            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append(("GET", self.path, None))
                sender = urllib.parse.unquote(self.path.split("?")[0].split("/")[2])
                self._json({"sender_id": sender, "events": fake.stored_events(sender)})

        self.server.RequestHandlerClass = Handler

    def stored_events(self, sender: str) -> list[dict[str, Any]]:
        if not self.db.is_file():
            return []
        with sqlite3.connect(self.db) as connection:
            found = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'events'")
            if not found.fetchone():
                return []
            rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
            return [json.loads(data) for (data,) in rows]


@pytest.fixture(scope="module")
def forgetting(tmp_path_factory: pytest.TempPathFactory
               ) -> Iterator[tuple[FakeTelegram, FakeRasaOnTrackerDb, BridgeProcess]]:
    """A bridge of its own whose VRAAGBAAK_TRACKER_DB is a SQLite file, and a Rasa reading it."""
    root = tmp_path_factory.mktemp("forget")
    telegram = FakeTelegram().start()
    rasa = FakeRasaOnTrackerDb(root / "rasa-tracker.db")
    process = BridgeProcess(telegram, root / "var", rasa_url=rasa.url, rasa_token=RASA_TOKEN, rasa_timeout=10,
                            tracker_db=rasa.db)
    yield telegram, rasa, process
    try:
        assert process.stop() == 0, process.log()
    finally:
        rasa.stop()
        telegram.stop()


def sender_of(telegram: FakeTelegram, rasa: FakeRasa, chat_id: int) -> str:
    """The (hashed) sender id the bridge uses for a chat, as Rasa receives it."""
    question = f"How do I apply for the healthcare allowance? ({chat_id})"
    telegram.text(chat_id, question, language_code="en")
    telegram.replies(chat_id, 1)
    return next(m["sender"] for m in rasa.messages() if m["message"] == question)


def test_forget_deletes_this_chats_rows_from_rasas_tracker_database_and_no_other(forgetting) -> None:
    telegram, rasa, _ = forgetting
    sender = sender_of(telegram, rasa, 7301008)
    rasa_saves(rasa.db, sender, OTHER_SENDER)
    assert {e["event"] for e in rasa.stored_events(sender)} >= {"user", "bot", "slot"}
    others = stored_rows(rasa.db, OTHER_SENDER)
    assert others

    telegram.text(7301008, "/vergeet", language_code="en")
    reply = telegram.replies(7301008, 2)[-1]
    assert reply.params["text"] == escaped(t("en")(texts.TELEGRAM_FORGOTTEN))
    assert stored_rows(rasa.db, sender) == []
    assert stored_rows(rasa.db, OTHER_SENDER) == others  # every row of the other chat, untouched
    calls = [(method, body) for method, path, body in rasa.requests if path.startswith(f"/conversations/{sender}/")]
    assert ("PUT", []) in calls  # stores that save by overwriting are emptied through Rasa's API too
    assert calls[-1][0] == "GET"  # and it said so only after asking Rasa what is left


def test_forget_does_not_claim_a_conversation_is_gone_while_rasa_still_has_it(forgetting,
                                                                               tmp_path: Path) -> None:
    """Rasa keeps its conversations in another database than VRAAGBAAK_TRACKER_DB names: the
    bridge deletes nothing there, Rasa still reports the events, and the user is told so."""
    telegram, rasa, bridge = forgetting
    sender = sender_of(telegram, rasa, 7301020)
    configured = rasa.db
    rasa_saves(configured, sender)
    rasa.db = tmp_path / "the-database-rasa-really-uses.db"
    rasa_saves(rasa.db, sender)
    try:
        telegram.text(7301020, "/vergeet", language_code="en")
        reply = telegram.replies(7301020, 2)[-1]
    finally:
        rasa.db = configured
    assert reply.params["text"] == escaped(t("en")(texts.TELEGRAM_FORGET_FAILED))
    assert stored_rows(tmp_path / "the-database-rasa-really-uses.db", sender)  # indeed still there
    assert stored_rows(configured, sender) == []  # what it could delete, it did
    assert "conversation still stored after forgetting" in bridge.log()


def test_forget_does_not_claim_a_conversation_is_gone_when_the_database_cannot_be_read(forgetting) -> None:
    """A tracker database that is not a database (damaged, or the wrong file): nothing can be
    deleted, and the user hears that, not that it is gone."""
    telegram, rasa, bridge = forgetting
    sender = sender_of(telegram, rasa, 7301021)
    rasa_saves(rasa.db, sender)
    intact = rasa.db.read_bytes()
    rasa.db.write_bytes(b"this is not a SQLite database" * 100)
    try:
        telegram.text(7301021, "/vergeet", language_code="en")
        reply = telegram.replies(7301021, 2)[-1]
    finally:
        rasa.db.write_bytes(intact)
    assert reply.params["text"] == escaped(t("en")(texts.TELEGRAM_FORGET_FAILED))
    assert stored_rows(rasa.db, sender)  # the conversation is still there, as the user was told
    assert "could not delete from the tracker store's database" in bridge.log()


# --- robustness ------------------------------------------------------------------------------
def test_a_429_from_telegram_is_waited_out_and_the_message_still_arrives(fake: FakeTelegram,
                                                                          bridge: BridgeProcess) -> None:
    fake.fail_next("sendMessage")  # 429, retry after 1 s
    fake.text(7301009, "hallo")
    attempts = fake.wait_for(lambda calls: (s := [c for c in calls if c.method == "sendMessage"
                                                  and c.params.get("chat_id") == "7301009"]) and len(s) >= 2 and s)
    refused, delivered = attempts
    assert (refused.status, delivered.status) == (429, 200)
    assert refused.params["text"] == delivered.params["text"] == "echo hallo"
    assert delivered.at - refused.at >= 1.0


def test_html_that_telegram_refuses_is_sent_again_as_plain_text(fake: FakeTelegram, bridge: BridgeProcess) -> None:
    fake.fail_next("sendMessage", 400, {"ok": False, "error_code": 400,
                                        "description": "Bad Request: can't parse entities: unclosed tag at 3"})
    fake.text(7301019, "html")
    refused, plain = fake.wait_for(lambda calls: (s := [c for c in calls if c.method == "sendMessage"
                                                        and c.params.get("chat_id") == "7301019"]) and len(s) >= 2 and s)
    assert refused.status == 400 and plain.status == 200 and "parse_mode" not in plain.params
    assert plain.params["text"] == HTML_ANSWER


def test_a_flood_from_one_chat_is_limited(fake: FakeTelegram, rasa: FakeRasa, bridge: BridgeProcess) -> None:
    for number in range(9):
        fake.text(7301010, f"flood {number}")
    time.sleep(0.3)
    fake.text(7301011, "ik ben iemand anders")  # another chat is not affected
    fake.replies(7301011, 1)
    replies = [r.params["text"] for r in fake.replies(7301010, 6)]
    time.sleep(1.0)
    replies = [r.params["text"] for r in fake.sent(7301010)]
    burst = Settings().telegram_burst
    too_many = f'{t("nl")(texts.TOO_MANY)}\n\n{t("nl")(texts.IN_DANGER_CALL_112)}'
    assert replies == [f"echo flood {n}" for n in range(burst)] + [escaped(too_many)]
    assert len([m for m in rasa.messages() if m["message"].startswith("flood ")]) == burst


def test_a_flood_limit_never_holds_back_a_message_that_may_be_an_emergency(fake: FakeTelegram, rasa: FakeRasa,
                                                                           bridge: BridgeProcess) -> None:
    """Someone in danger who writes fast: over the limit, a message matching a danger pattern
    still reaches Rasa (whose safety layer answers it); an ordinary one does not."""
    for number in range(Settings().telegram_burst + 2):
        fake.text(7301015, f"vraag {number}")
    time.sleep(0.5)
    emergency, ordinary = "Help, mijn buurman is bewusteloos! 7301015", "nog een gewone vraag 7301015"
    fake.text(7301015, emergency)
    fake.text(7301015, ordinary)
    time.sleep(1.0)
    said = [m["message"] for m in rasa.messages()]
    assert emergency in said and ordinary not in said
    assert escaped(f"echo {emergency}") in [r.params["text"] for r in fake.sent(7301015)]


def test_one_bad_update_does_not_stop_the_bridge(fake: FakeTelegram, bridge: BridgeProcess) -> None:
    fake.text(7301012, "kapot", language_code="en")
    (apology,) = fake.replies(7301012, 1)
    assert apology.params["text"] == escaped(t("en")(texts.SOMETHING_WRONG))  # the app language: no other sign
    fake.push({"message": {"message_id": 1, "text": "no chat, no date: unreadable"}})
    fake.push({"callback_query": {"id": "incomplete"}})
    fake.text(7301012, "en nu?", language_code="en")
    assert fake.replies(7301012, 2)[-1].params["text"] == "echo en nu?"
    assert bridge.process.poll() is None


def test_a_chats_messages_are_answered_in_order_while_other_chats_go_on(fake: FakeTelegram,
                                                                         bridge: BridgeProcess) -> None:
    fake.text(7301013, "traag")  # Rasa takes 3 s for this one
    fake.text(7301013, "snel")
    time.sleep(0.5)
    fake.text(7301014, "ik wacht niet")
    other = fake.replies(7301014, 1)[0]
    first, second = fake.replies(7301013, 2)
    assert [first.params["text"], second.params["text"]] == ["echo traag", "echo snel"]
    assert other.at < first.at  # not stuck behind the slow chat
    typing = [c for c in fake.sent(7301013, "sendChatAction")]
    assert typing and typing[0].params["action"] == "typing" and typing[0].at < first.at


def test_group_chats_are_ignored(fake: FakeTelegram, bridge: BridgeProcess) -> None:
    fake.message(-7301015, chat_type="group", text="hallo allemaal")
    fake.text(7301015, "hallo")
    fake.replies(7301015, 1)
    assert not fake.sent(-7301015)


def test_rasa_down_gives_an_apology_in_the_users_language_with_the_municipalitys_phone(tmp_path: Path) -> None:
    fake = FakeTelegram().start()  # its own Bot API: the module's bridge polls the other one
    down = BridgeProcess(fake, tmp_path, rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2)
    try:
        fake.text(7301016, "/start haarlem", language_code="en")  # a deep link from Haarlem's letter
        fake.text(7301016, "هل طبيب الأسنان مجاني؟", language_code="en")
        welcome, apology = fake.replies(7301016, 2)
    finally:
        assert down.stop() == 0, down.log()
        fake.stop()
    assert welcome.params["text"].startswith(escaped(t("en")(texts.UNAVAILABLE))) and "14 023" in welcome.params["text"]
    assert apology.params["text"].startswith(escaped(t("ar")(texts.UNAVAILABLE)))
    assert "14 023" in apology.params["text"]


def test_vraagbaak_run_starts_the_bridge_as_a_child_with_its_settings(rasa: FakeRasa, tmp_path: Path) -> None:
    """What `make run` does when a token is configured (settings made in code reach the child)."""
    fake = FakeTelegram().start()
    settings = dataclasses.replace(Settings(), var_dir=tmp_path, telegram_token=TOKEN, telegram_api_url=fake.api_url,
                                   rasa_url=rasa.url, rasa_token=RASA_TOKEN)
    child = start_telegram_bridge(settings, tmp_path)
    try:
        fake.text(7301018, "via de supervisor")
        assert fake.replies(7301018, 1, timeout=30)[0].params["text"] == "echo via de supervisor"
        assert TOKEN not in " ".join(child.args)  # not on the command line, where anyone can see it
    finally:
        child.send_signal(signal.SIGINT)
        assert child.wait(15) == 0
        fake.stop()


def test_a_rejected_token_stops_the_bridge_with_a_clear_log_line_and_without_the_token(tmp_path: Path) -> None:
    fake = FakeTelegram().start()
    wrong = "987654321:" + "W" * 35
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("VRAAGBAAK_")},
           "VRAAGBAAK_TELEGRAM_TOKEN": wrong, "VRAAGBAAK_TELEGRAM_API_URL": fake.api_url, "VRAAGBAAK_VAR_DIR": str(tmp_path)}
    try:
        done = subprocess.run([sys.executable, "-m", "vraagbaak.cli", "telegram"], env=env, capture_output=True,
                              text=True, timeout=60)
    finally:
        fake.stop()
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "rejected the bot token" in output
    assert all(line.startswith("{") for line in done.stderr.splitlines() if line)  # log lines, no bare traceback
    assert wrong not in output and wrong.split(":")[1] not in output


# --- webhook mode ----------------------------------------------------------------------------
def test_webhook_mode_accepts_only_updates_with_the_secret(rasa: FakeRasa, tmp_path: Path) -> None:
    port = free_port()
    fake = FakeTelegram().start()
    hook = BridgeProcess(fake, tmp_path, ready=lambda: any(c.method == "setWebhook" for c in fake.calls),
                         rasa_url=rasa.url, rasa_token=RASA_TOKEN, telegram_mode="webhook", telegram_webhook_port=port,
                         telegram_webhook_url="https://bot.example.org/telegram/hook",
                         telegram_webhook_secret="s3cret-value")
    try:
        (registered,) = [c for c in fake.calls if c.method == "setWebhook"]
        assert registered.params["url"] == "https://bot.example.org/telegram/hook"
        assert registered.params["secret_token"] == "s3cret-value"
        update = {"update_id": 99, "message": {"message_id": 5, "date": int(time.time()), "text": "via webhook",
                                               "chat": {"id": 7301017, "type": "private"},
                                               "from": {"id": 7301017, "is_bot": False, "first_name": "T"}}}

        def post(secret: str) -> int:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/telegram/hook", data=json.dumps(update).encode(),
                                             headers={"Content-Type": "application/json",
                                                      "X-Telegram-Bot-Api-Secret-Token": secret})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code

        assert post("wrong") == 403
        assert post("s3cret-value") == 200
        assert fake.replies(7301017, 1)[0].params["text"] == "echo via webhook"
        time.sleep(0.5)
        assert len(fake.sent(7301017)) == 1  # the forged update was not answered
    finally:
        assert hook.stop() == 0, hook.log()
        fake.stop()


# --- last: what the module's bridge wrote to its log -----------------------------------------
def test_the_log_holds_no_token_no_chat_id_and_no_message_text(bridge: BridgeProcess) -> None:
    assert bridge.stop() == 0  # everything written; and SIGINT ends it cleanly
    log = bridge.log()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line["event"] == "answered" for line in lines)
    assert TOKEN not in log and TOKEN.split(":")[1] not in log and RASA_TOKEN not in log
    for chat_id in ("7301001", "7301003", "7301009", "7301012"):
        assert chat_id not in log
    for text in ("Dit is een lange zin", "hallo", "en nu?", "flood 1", "Welkom"):
        assert text not in log
