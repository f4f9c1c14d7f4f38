"""The Telegram bridge's parts, without Telegram or Rasa: HTML and splitting, the keyed sender id,
flood control, keyboards, retries, per-chat state and order, commands, settings and log redaction."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import re
import sqlite3
import stat
from html.parser import HTMLParser
from pathlib import Path

import pytest
from telegram.constants import BotCommandLimit
from telegram.error import BadRequest, Forbidden, RetryAfter, TimedOut

from e2e_helpers import free_port
from telegram_helpers import FakeRasa, json_log
from vraagbaak.assistant.i18n import translator
from vraagbaak.channels.telegram import commands
from vraagbaak.channels.telegram.formatting import MAX_MESSAGE_LENGTH, split_html, telegram_length, to_html
from vraagbaak.channels.telegram.identity import KEY_FILE, open_chat, seal_chat, sender_id, sender_key
from vraagbaak.channels.telegram.keyboards import MAX_CALLBACK_BYTES, CallbackTable, inline_keyboard
from vraagbaak.channels.telegram.logsetup import REDACTED, RedactingFormatter
from vraagbaak.channels.ratelimit import FloodGate, Verdict
from vraagbaak.channels.telegram.retry import RetryPolicy, with_retry
from vraagbaak.channels.telegram.state import ChatState, ChatStates, telegram_language
from vraagbaak.channels.telegram.tracker import RasaTracker
from vraagbaak.languages import LANGUAGES
from vraagbaak.settings import Settings


# --- HTML ------------------------------------------------------------------------------------
def test_text_is_escaped_so_nothing_in_an_answer_becomes_markup() -> None:
    assert to_html('Use <b>this</b> & "that" <script>x</script>') == \
        'Use &lt;b&gt;this&lt;/b&gt; &amp; "that" &lt;script&gt;x&lt;/script&gt;'


def test_urls_become_links_without_the_sentence_punctuation_after_them() -> None:
    rendered = to_html("Source: https://www.rijksoverheid.nl/a?x=1&y=<2> (checked on 1 May). See https://haarlem.nl.")
    assert '<a href="https://www.rijksoverheid.nl/a?x=1&amp;y=">https://www.rijksoverheid.nl/a?x=1&amp;y=</a>&lt;2&gt;' \
        in rendered
    assert rendered.endswith('<a href="https://haarlem.nl">https://haarlem.nl</a>.')
    assert to_html("زوروا https://www.toeslagen.nl؟").endswith('https://www.toeslagen.nl</a>؟')
    assert 'href="https://nl.wikipedia.org/wiki/Gemeente_(Nederland)"' in to_html(
        "(https://nl.wikipedia.org/wiki/Gemeente_(Nederland))")


def test_a_quote_cannot_break_out_of_a_link() -> None:
    rendered = to_html('https://example.org/"onmouseover="x')
    assert '"onmouseover' not in rendered.split(">")[0]


def test_the_articles_markdown_becomes_bold_and_bullets() -> None:
    assert to_html("The **eigen risico** is <385>") == "The <b>eigen risico</b> is &lt;385&gt;"
    assert to_html("- one\n- two\n2 ** 3") == "• one\n• two\n2 ** 3"


class _Checker(HTMLParser):
    """Collects visible text and fails on unbalanced or unexpected tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        assert tag in ("a", "b"), tag
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _visible(piece: str) -> str:
    checker = _Checker()
    checker.feed(piece)
    checker.close()
    assert not checker.open, piece
    return "".join(checker.text)


def test_long_answers_are_split_at_paragraphs_under_the_limit() -> None:
    paragraphs = [f"Paragraph {i}: " + "word & <word> " * 60 for i in range(40)]
    pieces = split_html("\n\n".join(paragraphs))
    assert len(pieces) > 1
    assert all(telegram_length(p) <= MAX_MESSAGE_LENGTH for p in pieces)
    for piece in pieces:  # every piece is whole paragraphs
        assert all(part.startswith("Paragraph ") for part in _visible(piece).split("\n\n"))
    assert "\n\n".join(_visible(p) for p in pieces) == "\n\n".join(p.strip() for p in paragraphs)


def test_an_overlong_paragraph_is_cut_at_sentences_then_anywhere() -> None:
    sentence = "Dit is een zin met &-tekens. "
    pieces = split_html(sentence * 400, limit=1000)
    assert len(pieces) > 3 and all(telegram_length(p) <= 1000 for p in pieces)
    assert all(_visible(p).endswith(".") for p in pieces)
    unbroken = "&" * 3000  # renders five times longer: the limit is on what is sent
    pieces = split_html(unbroken, limit=1000)
    assert all(telegram_length(p) <= 1000 for p in pieces) and "".join(_visible(p) for p in pieces) == unbroken


def test_emoji_count_double_as_telegram_counts_them() -> None:
    pieces = split_html("😀" * 3000)
    assert len(pieces) == 2 and all(telegram_length(p) <= MAX_MESSAGE_LENGTH for p in pieces)


def test_random_answers_always_split_into_valid_pieces() -> None:
    rng = random.Random(7)
    atoms = ["word", "<b>", "&amp;", "**bold**", "https://example.org/a?b=1&c=2", "ሰላም", "مرحبا", "😀", "\n", "\n\n",
             "- item", ".", "\"", "'", "**"]
    for _ in range(60):
        text = " ".join(rng.choice(atoms) for _ in range(rng.randint(1, 1500)))
        limit = rng.choice([200, 1000, MAX_MESSAGE_LENGTH])
        pieces = split_html(text, limit=limit)
        assert all(0 < telegram_length(p) <= limit for p in pieces)
        visible = "".join(_visible(p) for p in pieces)
        expected = re.sub(r"^([ \t]*)[-*][ \t]+", r"\1• ", text.strip(), flags=re.MULTILINE)
        assert re.sub(r"\s|\*", "", visible) == re.sub(r"\s|\*", "", expected)


def test_empty_text_gives_no_message() -> None:
    assert split_html("  \n\n ") == []


# --- the keyed sender id ---------------------------------------------------------------------
def test_sender_id_is_a_keyed_hash_of_the_chat() -> None:
    a, b = b"key-one", b"key-two"
    assert sender_id(42, a) == sender_id(42, a)
    assert sender_id(42, a) != sender_id(43, a) != sender_id(42, b)
    assert re.fullmatch(r"tg-[0-9a-f]{32}", sender_id(42, a))


def test_sender_key_is_generated_once_and_readable_by_its_owner_only(tmp_path: Path) -> None:
    settings = dataclasses.replace(Settings(), var_dir=tmp_path)
    key = sender_key(settings)
    assert len(key) >= 32 and sender_key(settings) == key
    assert stat.S_IMODE((tmp_path / KEY_FILE).stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [tmp_path / KEY_FILE]  # no draft left behind
    assert sender_key(dataclasses.replace(settings, telegram_sender_key="configured")) == b"configured"


# --- flood control ---------------------------------------------------------------------------
def test_flood_from_one_chat_is_limited_and_recovers() -> None:
    now = [0.0]
    gate = FloodGate(burst=3, per_minute=6, clock=lambda: now[0])
    assert [gate.hit("a") for _ in range(5)] == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP]
    assert gate.hit("b") is Verdict.ALLOW  # other chats are not affected
    now[0] = 9.0  # 6 per minute: one message back every 10 s
    assert gate.hit("a") is Verdict.DROP
    now[0] = 10.5
    assert gate.hit("a") is Verdict.ALLOW
    assert gate.hit("a") is Verdict.WARN  # told again after a new flood


def test_flood_gate_memory_is_bounded() -> None:
    gate = FloodGate(burst=1, per_minute=1, max_chats=100)
    for chat in range(1000):
        gate.hit(chat)
    assert len(gate) == 100


# --- keyboards -------------------------------------------------------------------------------
def test_buttons_become_an_inline_keyboard_two_to_a_row() -> None:
    table = CallbackTable()
    markup = inline_keyboard([{"title": "Nederlands", "payload": '/choose_language{"language":"nl"}'},
                              {"title": "English", "payload": '/choose_language{"language":"en"}'},
                              {"title": "العربية", "payload": '/choose_language{"language":"ar"}'},
                              {"title": "A title much longer than a half row", "payload": "/request_human"},
                              {"title": "", "payload": "/ignored"}], table)
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("Nederlands", '/choose_language{"language":"nl"}'), ("English", '/choose_language{"language":"en"}')],
                    [("العربية", '/choose_language{"language":"ar"}')],
                    [("A title much longer than a half row", "/request_human")]]
    assert inline_keyboard([], table) is None and inline_keyboard(None, table) is None


def test_payloads_longer_than_callback_data_travel_as_keys() -> None:
    table = CallbackTable(max_entries=2)
    long = '/choose_municipality{"municipality":"súdwest-fryslân-ééééé"}'
    assert len(long) < MAX_CALLBACK_BYTES < len(long.encode())  # bytes count, not characters
    key = table.encode(long)
    assert key != long and len(key.encode()) <= MAX_CALLBACK_BYTES
    assert table.decode(key) == long and table.encode(long) == key
    assert table.decode('/feedback_helpful') == '/feedback_helpful'
    assert table.decode("#unknown") is None and table.decode("not a payload") is None and table.decode(None) is None
    table.encode(long + "1")
    table.encode(long + "2")
    assert table.decode(key) is None  # bounded: the oldest went


# --- retries ---------------------------------------------------------------------------------
class _Flaky:
    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "sent"


def _run_with_retry(call: _Flaky, policy: RetryPolicy = RetryPolicy()) -> tuple[object, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    async def main() -> object:
        return await with_retry(call, "sendMessage", policy, sleep=sleep)

    return asyncio.run(main()), slept


# RetryAfter's constructor warns about its attribute's type changing in a later version.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_a_429_waits_as_long_as_telegram_says_then_retries() -> None:
    call = _Flaky(RetryAfter(3))
    result, slept = _run_with_retry(call)
    assert result == "sent" and call.calls == 2 and slept == [3.25]


def test_timeouts_back_off_exponentially_with_jitter() -> None:
    call = _Flaky(TimedOut(), TimedOut(), TimedOut())
    result, slept = _run_with_retry(call)
    assert result == "sent" and call.calls == 4
    assert 0.25 <= slept[0] <= 0.5 and 0.5 <= slept[1] <= 1.0 and 1.0 <= slept[2] <= 2.0


@pytest.mark.parametrize("error", [BadRequest("Chat not found"), Forbidden("bot was blocked by the user")])
def test_final_errors_are_not_retried(error: Exception) -> None:
    with pytest.raises(type(error)):
        _run_with_retry(_Flaky(error))


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_retries_give_up() -> None:
    with pytest.raises(TimedOut):
        _run_with_retry(_Flaky(*[TimedOut()] * 4))
    with pytest.raises(RetryAfter):  # a flood wait longer than anyone would wait for an answer
        _run_with_retry(_Flaky(RetryAfter(300)))


# --- per-chat state and order ----------------------------------------------------------------
def test_language_choice_sticks_and_municipality_comes_from_the_choice() -> None:
    state = ChatState()
    assert state.language_for(None, "en-GB") == "en"  # the Telegram app's language, a first guess
    assert state.language_for(None, "fa") == "nl"  # not ours: the fallback
    assert state.language_for("كيف أطلب zorgtoeslag؟", "en") == "ar"  # the message's own language
    state.learn([{"custom": {"vraagbaak": "answer", "lang": "ti", "municipality": "haarlem"}}])
    assert state.seen_lang == "ti" and state.municipality is None  # an answer's variant is no choice
    state.learn([{"custom": {"vraagbaak": "municipality", "municipality": "enschede"}},
                 {"custom": {"vraagbaak": "language", "lang": "ar"}}, {"text": "no metadata"}])
    assert state.municipality == "enschede" and state.language_for("Hoe vraag ik zorgtoeslag aan?", "nl") == "ar"
    assert telegram_language("ti") == "ti" and telegram_language(None) is None


def test_a_chats_updates_run_in_order_and_chats_in_parallel() -> None:
    states = ChatStates()
    log: list[str] = []

    async def turn(chat: int, name: str, seconds: float) -> None:
        async with states.lock(chat):
            log.append(f"start {name}")
            await asyncio.sleep(seconds)
            log.append(f"end {name}")

    async def main() -> None:
        await asyncio.gather(turn(1, "a1", 0.05), turn(1, "a2", 0), turn(2, "b1", 0.01), turn(1, "a3", 0))

    asyncio.run(main())
    assert [e for e in log if e.split()[1].startswith("a")] == ["start a1", "end a1", "start a2", "end a2", "start a3", "end a3"]
    assert log.index("end b1") < log.index("end a1")  # another chat did not wait
    assert not states._locks and not states._waiting  # nothing left behind


# --- commands, settings, logs ----------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_command_menu_is_translated_and_valid(lang: str) -> None:
    t = translator(Settings().translations_dir, lang)
    menu = commands.menu(t)
    assert [c.command for c in menu] == ["start", "taal", "gemeente", "help", "mens", "klaar", "privacy", "vergeet"]
    assert all(re.fullmatch(r"[a-z0-9_]{1,32}", c.command) for c in menu)
    assert all(0 < len(c.description) <= BotCommandLimit.MAX_DESCRIPTION for c in menu)
    if lang == "ti":
        assert all(re.search("[\u1200-\u137f]", c.description) for c in menu)


def test_settings_check_the_telegram_variables_without_showing_the_token() -> None:
    secret = "not-a-token-" + "x" * 30
    with pytest.raises(ValueError, match="VRAAGBAAK_TELEGRAM_TOKEN") as raised:
        Settings.from_env({"VRAAGBAAK_TELEGRAM_TOKEN": secret})
    assert secret not in str(raised.value)
    with pytest.raises(ValueError, match="VRAAGBAAK_TELEGRAM_MODE"):
        Settings.from_env({"VRAAGBAAK_TELEGRAM_MODE": "carrier-pigeon"})
    with pytest.raises(ValueError, match="VRAAGBAAK_TELEGRAM_WEBHOOK_URL"):
        Settings.from_env({"VRAAGBAAK_TELEGRAM_MODE": "webhook", "VRAAGBAAK_TELEGRAM_WEBHOOK_URL": "http://x"})
    token = "123456:" + "A" * 35
    settings = Settings.from_env({"VRAAGBAAK_TELEGRAM_TOKEN": token, "VRAAGBAAK_TELEGRAM_BURST": "3"})
    assert settings.telegram_token == token and settings.telegram_burst == 3 and token not in repr(settings)


def test_log_lines_never_carry_a_secret() -> None:
    formatter = RedactingFormatter(logging.Formatter("%(message)s"), ["123:SECRET", ""])
    record = logging.LogRecord("httpx", logging.INFO, "", 0, "POST %s", ("https://api.telegram.org/bot123:SECRET/getMe",), None)
    assert formatter.format(record) == f"POST https://api.telegram.org/bot{REDACTED}/getMe"


# --- forgetting ------------------------------------------------------------------------------
def test_forget_deletes_the_senders_rows_from_the_sqlite_tracker_store(tmp_path: Path) -> None:
    """Rasa 3.6's SQL store never deletes on PUT: the rows themselves must go (and only those)."""
    db = tmp_path / "rasa-tracker.db"
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, data TEXT)")
        connection.executemany("INSERT INTO events (sender_id, type_name, data) VALUES (?, ?, ?)",
                               [("tg-me", "user", "{}"), ("tg-me", "bot", "{}"), ("tg-other", "user", "{}")])
    rasa = FakeRasa()
    try:
        settings = dataclasses.replace(Settings(), var_dir=tmp_path, rasa_url=rasa.url, rasa_token="t", rasa_timeout=5)
        assert RasaTracker(settings).forget("tg-me")
    finally:
        rasa.stop()
    with sqlite3.connect(db) as connection:
        assert connection.execute("SELECT sender_id FROM events").fetchall() == [("tg-other",)]
    assert [(m, p.split("?")[0], b) for m, p, b in rasa.requests][:1] == [("PUT", "/conversations/tg-me/tracker/events", [])]
    assert all("token=t" in p for _, p, _ in rasa.requests)


@pytest.mark.parametrize("password", ["s3cret-nowhere", "bad%zz-encoded"])
def test_a_tracker_database_out_of_reach_fails_the_forgetting_without_logging_its_password(password: str) -> None:
    """Nothing listens on the port, or libpq cannot decode the URL (and quotes it in its error)."""
    rasa = FakeRasa()
    url = f"postgresql://rasa:{password}@127.0.0.1:{free_port()}/rasa"
    try:
        settings = dataclasses.replace(Settings(), tracker_db=url, rasa_url=rasa.url, rasa_token="t", rasa_timeout=5)
        with json_log("vraagbaak") as lines:
            assert not RasaTracker(settings).forget("tg-me")
    finally:
        rasa.stop()
    log = lines.getvalue()
    assert "could not delete" in log and "PostgreSQL" in log and "rasa:***@127.0.0.1" in log
    assert password not in log and password not in repr(settings)


@pytest.mark.parametrize("chat_id", [7301003, 1, -1001234567890, 2**62])
def test_a_sealed_chat_opens_only_with_its_key_and_its_sender(chat_id: int) -> None:
    """A ticket keeps a Telegram newcomer's chat sealed, so a volunteer's answer reaches them after
    the bridge restarted; the database alone does not give the chat id."""
    key = b"the bridge's key"
    sender = sender_id(chat_id, key)
    sealed = seal_chat(chat_id, sender, key)
    assert str(chat_id) not in sealed and str(abs(chat_id)) not in sealed
    assert open_chat(sealed, sender, key) == chat_id
    assert open_chat(sealed, sender, b"another key") is None
    assert open_chat(sealed, sender_id(chat_id + 1, key), key) is None  # another sender's ticket
    assert open_chat(format(int(sealed, 16) ^ 1, "016x"), sender, key) is None  # altered
    assert open_chat("not hex", sender, key) is None


def test_klaar_is_in_the_menu_only_with_a_desk() -> None:
    t = translator(Settings().translations_dir, "nl")
    assert "klaar" in [c.command for c in commands.menu(t, with_desk=True)]
    assert "klaar" not in [c.command for c in commands.menu(t, with_desk=False)]
    assert "/klaar" not in commands.command_list(t, with_desk=False)
