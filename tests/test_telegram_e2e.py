"""End to end through Telegram: the real bridge process and python-telegram-bot, the fake Bot API
on loopback, and the real Rasa server and action server of the session's stack.

/start in the user's app language with inline keyboards, a question in each language answered
with its source as a link, button presses, and /vergeet leaving nothing in Rasa's store.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator

import pytest

from e2e_helpers import in_script
from fake_telegram import Call, FakeTelegram
from telegram_helpers import BridgeProcess
from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.assistant.topics import welcome_text
from vraagbaak.channels.telegram.identity import KEY_FILE, sender_id
from vraagbaak.channels.telegram.tracker import RasaTracker
from vraagbaak.knowledge.loader import load_knowledge
from vraagbaak.runtime.supervisor import Services
from vraagbaak.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: Rasa and the search take a few seconds per answer on a small machine; the first loads models.
ANSWER_TIMEOUT_S = 90
QUESTIONS = {
    "nl": ("Hoe vraag ik zorgtoeslag aan?", "zorgverzekering/zorgtoeslag"),
    "en": ("How do I register with a GP?", "zorgverzekering/huisarts"),
    "ar": ("كيف أكتب سيرة ذاتية للعمل؟", "werk/cv"),
    "ti": ("zorgtoeslag ብኸመይ ይሕተት?", "zorgverzekering/zorgtoeslag"),
}
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


@pytest.fixture(scope="module")
def bridge(stack: Services, fake: FakeTelegram, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BridgeProcess]:
    settings = stack.settings
    process = BridgeProcess(fake, tmp_path_factory.mktemp("telegram-var"), rasa_url=settings.rasa_url,
                            rasa_token=settings.rasa_token, tracker_db=settings.tracker_db_path)
    yield process
    assert process.stop() == 0, process.log()


def t(lang: str):
    return translator(Settings().translations_dir, lang)


def keyboard(call: Call) -> list[dict]:
    return [b for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row]


def source_of(article_id: str, lang: str) -> str:
    kb = load_knowledge(PROJECT_ROOT / "knowledge").knowledge
    (version,) = [v for v in kb.versions if v.id == article_id and v.lang == lang and v.municipality is None]
    return version.source


def wait_for_text(fake: FakeTelegram, chat_id: int, pattern: str, after: int = 0) -> Call:
    """The first message to ``chat_id`` (from the ``after``-th on) whose HTML contains ``pattern``."""
    return fake.wait_for(lambda calls: next((c for c in [c for c in calls if c.method == "sendMessage"
                                                         and c.params.get("chat_id") == str(chat_id)][after:]
                                             if pattern in c.params["text"]), None), ANSWER_TIMEOUT_S)


def test_start_welcomes_in_the_app_language_with_inline_keyboards_and_a_press_chooses(
        fake: FakeTelegram, bridge: BridgeProcess) -> None:
    chat = 7302001
    fake.text(chat, "/start", language_code="ar")
    welcome = fake.replies(chat, 4, timeout=ANSWER_TIMEOUT_S)
    assert in_script(welcome[0].params["text"], "ar"), welcome[0].params["text"]
    assert welcome[0].params["text"] == html.escape(welcome_text(t("ar"), Settings().knowledge_dir), quote=False)
    buttons = [b for call in welcome for b in keyboard(call)]
    data = {b["callback_data"] for b in buttons}
    assert '/choose_municipality{"municipality":"haarlem"}' in data and '/choose_language{"language":"ti"}' in data
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons)
    (asking,) = [c for c in welcome if '/choose_municipality{"municipality":"haarlem"}' in
                 {b["callback_data"] for b in keyboard(c)}]
    fake.press(chat, asking, '/choose_municipality{"municipality":"haarlem"}', language_code="ar")
    chosen = wait_for_text(fake, chat, "Haarlem", after=4)
    assert chosen.params["text"] == html.escape(t("ar")(texts.MUNICIPALITY_SET, municipality="Haarlem"), quote=False)
    answered = [c for c in fake.calls if c.method == "answerCallbackQuery"]
    assert answered, "the button press was not answered"
    assert [c for c in fake.calls if c.method == "editMessageReplyMarkup"
            and c.params["message_id"] == str(asking.result["message_id"])]


@pytest.mark.parametrize("lang", list(QUESTIONS))
def test_a_question_in_each_language_is_answered_with_its_source_as_a_link(
        fake: FakeTelegram, bridge: BridgeProcess, lang: str) -> None:
    chat = 7302010 + list(QUESTIONS).index(lang)
    question, article = QUESTIONS[lang]
    fake.text(chat, question, language_code=None)
    answer = wait_for_text(fake, chat, "<a href=")
    text = answer.params["text"]
    href, shown = LINK.search(text).groups()
    assert href == html.escape(source_of(article, lang)) and shown == href
    assert answer.params["parse_mode"] == "HTML"
    if lang in ("ar", "ti"):
        assert in_script(text, lang), text
    payloads = {b["callback_data"] for b in keyboard(answer)}
    assert {"/feedback_helpful", "/feedback_not_helpful", "/request_human"} <= payloads
    typing = [c for c in fake.sent(chat, "sendChatAction") if c.at < answer.at]
    assert typing and typing[0].params["action"] == "typing"


def test_feedback_buttons_work_and_disappear(stack: Services, fake: FakeTelegram, bridge: BridgeProcess) -> None:
    chat = 7302020
    fake.text(chat, "Hoe vraag ik zorgtoeslag aan?", language_code="nl")
    answer = wait_for_text(fake, chat, "<a href=")
    fake.press(chat, answer, "/feedback_helpful", language_code="nl")
    thanks = wait_for_text(fake, chat, html.escape(t("nl")(texts.FEEDBACK_THANKS), quote=False))
    assert thanks.at > answer.at
    assert [c for c in fake.calls if c.method == "editMessageReplyMarkup"
            and c.params["message_id"] == str(answer.result["message_id"])]
    # The feedback is recorded, and the records hold no sender of any kind. (Only the desk's
    # tickets and outbox keep one, by design: an answer must reach its newcomer; test_desk_e2e.py.)
    with sqlite3.connect(stack.settings.database_path) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                  if row[0] not in ("tickets", "outbox")]
        rows = [row for table in tables for row in db.execute(f"SELECT * FROM {table}")]  # noqa: S608
    assert rows and not any(isinstance(v, str) and v.startswith("tg-") for row in rows for v in row)


def test_forget_leaves_nothing_in_rasas_store(stack: Services, fake: FakeTelegram, bridge: BridgeProcess) -> None:
    chat = 7302030
    key = (bridge.log_path.parent / KEY_FILE).read_bytes().strip()
    sender = sender_id(chat, key)
    tracker = RasaTracker(stack.settings)
    fake.text(chat, "How do I register with a GP?", language_code="en")
    wait_for_text(fake, chat, "<a href=")
    assert tracker.conversation_events(sender), "Rasa should hold the conversation before /vergeet"
    with sqlite3.connect(stack.settings.tracker_db_path) as db:
        # Rasa never sees the Telegram chat id: not as sender, not in any event.
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0] > 0
        assert db.execute("SELECT count(*) FROM events WHERE sender_id LIKE ? OR data LIKE ?",
                          (f"%{chat}%", f"%{chat}%")).fetchone()[0] == 0
    fake.text(chat, "/vergeet", language_code="en")
    done = wait_for_text(fake, chat, html.escape(t("en")(texts.TELEGRAM_FORGOTTEN), quote=False))
    assert done.status == 200
    assert tracker.conversation_events(sender) == []
    with sqlite3.connect(stack.settings.tracker_db_path) as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0] == 0
    # And the chat can simply start again.
    sent = len(fake.sent(chat))
    fake.text(chat, "/start", language_code="en")
    welcome = wait_for_text(fake, chat, html.escape(welcome_text(t("en"), Settings().knowledge_dir), quote=False), after=sent)
    assert welcome.status == 200


def test_the_log_holds_no_chat_id_and_no_question(bridge: BridgeProcess) -> None:
    assert bridge.stop() == 0
    log = bridge.log()
    assert '"event": "answered"' in log
    assert not any(str(chat) in log for chat in (7302001, 7302010, 7302020, 7302030))
    assert not any(question in log for question, _ in QUESTIONS.values())
