"""The Telegram bridge: a python-telegram-bot application that relays each chat to Rasa.

One update, one turn: flood check, then the chat's lock (a chat's messages are answered in
order, other chats in parallel), then the relay to Rasa (asynchronous, pooled connections) while Telegram shows
"typing…", then the answer as escaped HTML in pieces under Telegram's limit with Rasa's buttons
as inline keyboards. Every Bot API call goes through :func:`~.retry.with_retry`; an exception in
one update is logged and answered with an apology, and the next update is handled as usual.

Rasa sees a keyed hash of the chat id as sender (:mod:`.identity`); logs carry that hash, never a
chat id, and never a message's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import re
import secrets
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, CommandHandler,
                          ContextTypes, MessageHandler, filters)
from telegram.request import HTTPXRequest

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import Translator, translator
from vraagbaak.assistant.topics import help_text, welcome_text
from vraagbaak.channels.rasa_relay import Gateway
from vraagbaak.channels.telegram import commands
from vraagbaak.channels.telegram.formatting import split_html
from vraagbaak.channels.telegram.identity import open_chat, seal_chat, sender_id, sender_key
from vraagbaak.channels.telegram.keyboards import CallbackTable, inline_keyboard
from vraagbaak.channels.telegram.logsetup import configure_bridge_logging
from vraagbaak.channels.telegram.polling import TolerantBot, silence_raw_data_loggers
from vraagbaak.channels.ratelimit import FloodGate, Verdict
from vraagbaak.safety.gate import EmergencyGate, refusal
from vraagbaak.channels.telegram.retry import with_retry
from vraagbaak.channels.telegram.state import ChatState, ChatStates, telegram_language
from vraagbaak.channels.telegram.tracker import SLOT_DETECTED_LANGUAGE, SLOT_MUNICIPALITY, RasaTracker
from vraagbaak.desk.config import DeskChats
from vraagbaak.desk.database import DatabaseError
from vraagbaak.desk.handoff import KIND_OPENED
from vraagbaak.desk.volunteers import VolunteerDesk
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES
from vraagbaak.runtime.rasa import api_token
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.telegram")

Context = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")
#: Only what the bridge handles is fetched from Telegram.
ALLOWED_UPDATES: list[str] = [Update.MESSAGE, Update.CALLBACK_QUERY]
#: Updates handled at the same time (across chats; one chat is always one at a time).
MAX_CONCURRENT_UPDATES = 64
#: Threads for the blocking calls to Rasa's tracker API (/start's slots, /vergeet); the messages
#: themselves go through the gateway's asynchronous connection pool.
RELAY_THREADS = 4
#: Telegram shows "typing…" for about 5 seconds per call.
TYPING_REFRESH_S = 4.0
#: Answers link to their source; a preview card of that page under every answer is clutter.
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
#: Private chats only: the assistant is a one-to-one help desk, and in a group it would read
#: (and store) other people's messages.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
#: What people send that is not text; each gets the polite "only text for now".
UNSUPPORTED = (filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE
               | filters.Sticker.ALL | filters.Document.ALL | filters.ANIMATION | filters.LOCATION
               | filters.VENUE | filters.CONTACT | filters.POLL | filters.Dice.ALL)
_TAG = re.compile(r"<[^>]+>")


def file_url(api_url: str) -> str:
    """The Bot API's file address next to its method address (…/bot → …/file/bot)."""
    return api_url[: -len("/bot")] + "/file/bot"


class TelegramBridge:
    """The handlers and what they share. :meth:`application` builds the PTB application."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        problems: list = []
        self.municipalities = load_municipalities(settings.knowledge_dir, problems)
        self.gateway = Gateway(settings, self.municipalities, channel="telegram")
        self.tracker = RasaTracker(settings)
        self._key = sender_key(settings)
        self.states = ChatStates()
        self.flood = FloodGate(settings.telegram_burst, settings.telegram_per_minute)
        self.emergencies = EmergencyGate(settings.knowledge_dir)
        self.callbacks = CallbackTable()
        self._background: set[asyncio.Task[None]] = set()
        self._pool = ThreadPoolExecutor(max_workers=RELAY_THREADS, thread_name_prefix="rasa")
        #: Telegram sends it with every webhook call; a new one at each start unless configured.
        self.webhook_secret = settings.telegram_webhook_secret or secrets.token_urlsafe(32)
        #: The volunteers' desk, when groups are configured (VRAAGBAAK_DESK_CHATS): its handlers
        #: join this bot, and it answers newcomers through :meth:`send_to_sender`.
        self.desk = (VolunteerDesk.open(settings, telegram=self.send_to_sender)
                     if DeskChats.parse(settings.desk_chats).enabled else None)
        self._bot: Bot | None = None
        self._desk_task: asyncio.Task[None] | None = None

    def secret_values(self) -> list[str]:
        """Every secret this process holds, for the log redaction."""
        return [self.settings.telegram_token, self.webhook_secret, self._key.decode(), api_token(self.settings),
                *self.settings.tracker_db_secrets]

    # --- building and running ------------------------------------------------------------------
    def application(self) -> Application:
        api = self.settings.telegram_api_url
        bot = TolerantBot(self.settings.telegram_token, base_url=api, base_file_url=file_url(api),
                          request=HTTPXRequest(connection_pool_size=2 * MAX_CONCURRENT_UPDATES),
                          get_updates_request=HTTPXRequest(connection_pool_size=1))
        app = (ApplicationBuilder().bot(bot).concurrent_updates(MAX_CONCURRENT_UPDATES)
               .post_init(self._post_init).post_shutdown(self._post_shutdown).build())
        app.add_handler(CommandHandler(commands.START.name, self.on_start, filters=PRIVATE))
        for command in commands.RELAYED:
            relay = self._relay_command(command.payload or "")
            app.add_handler(CommandHandler(command.name, relay, filters=PRIVATE))
        app.add_handler(CommandHandler(commands.HELP.name, self.on_help, filters=PRIVATE))
        app.add_handler(CommandHandler(commands.PRIVACY.name, self.on_privacy, filters=PRIVATE))
        app.add_handler(CommandHandler(commands.FORGET.name, self.on_forget, filters=PRIVATE))
        app.add_handler(MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, self.on_text))
        app.add_handler(MessageHandler(PRIVATE & filters.COMMAND, self.on_help))  # an unknown command
        app.add_handler(MessageHandler(PRIVATE & UNSUPPORTED, self.on_unsupported))
        app.add_handler(CallbackQueryHandler(self.on_button))
        if self.desk is not None:
            self.desk.add_to(app)  # reads only the volunteers' groups
        app.add_error_handler(self.on_error)
        return app

    def run(self) -> None:
        """Serve until SIGINT/SIGTERM: long polling, or a webhook behind a TLS reverse proxy."""
        app = self.application()
        if self.settings.telegram_mode == "webhook":
            url = self.settings.telegram_webhook_url
            app.run_webhook(listen=self.settings.host, port=self.settings.telegram_webhook_port,
                            url_path=urllib.parse.urlsplit(url).path.lstrip("/"), webhook_url=url,
                            secret_token=self.webhook_secret,
                            allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=-1)

    async def _post_init(self, app: Application) -> None:
        """The command menu and the "what can this bot do?" text in each language (Telegram shows
        the one matching the user's app language). Cosmetic: a failure is logged, not fatal."""
        me = self._bot = app.bot
        if self.desk is not None:
            self._desk_task = asyncio.ensure_future(self.desk.run(app.bot))
        for lang in (None, *LANGUAGES):  # None: for app languages we do not speak
            t = self.t(lang or FALLBACK_LANGUAGE)
            try:
                await with_retry(lambda: me.set_my_commands(commands.menu(t, self.desk is not None), language_code=lang), "setMyCommands")
                await with_retry(lambda: me.set_my_description(welcome_text(t, self.settings.knowledge_dir), language_code=lang),
                                 "setMyDescription")
            except TelegramError as exc:
                log.warning("could not set the command menu", extra={"lang": lang, "error": type(exc).__name__})
        log.info("telegram bridge started", extra={"bot": me.username, "mode": self.settings.telegram_mode})

    async def _post_shutdown(self, app: Application) -> None:
        if self._desk_task is not None:
            self._desk_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._desk_task
        if self.desk is not None:
            self.desk.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        await self.gateway.aclose()

    async def send_to_sender(self, sender: str, text: str, buttons: list[dict[str, str]]) -> bool:
        """For the desk (:data:`~vraagbaak.desk.delivery.TelegramSender`): a volunteer's words to
        the chat behind ``sender``; False when this process has not seen that chat since it
        started (the desk then keeps the message until the newcomer writes again)."""
        chat_id = self.states.chat_of(sender)
        if chat_id is None and self.desk is not None:  # not seen since this process started
            sealed = await asyncio.to_thread(self.desk.store.reply_to, sender)
            chat_id = open_chat(sealed, sender, self._key) if sealed else None
        if chat_id is None or self._bot is None:
            return False
        await self._say(self._bot, chat_id, text, buttons)
        return True

    # --- helpers -------------------------------------------------------------------------------
    def t(self, lang: str) -> Translator:
        return translator(self.settings.translations_dir, lang)

    def sender(self, chat_id: int) -> str:
        return sender_id(chat_id, self._key)

    async def _in_thread(self, call: Callable[[], T]) -> T:
        """A blocking call to Rasa's tracker API, off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _send(self, bot: Bot, chat_id: int, html_text: str,
                    markup: InlineKeyboardMarkup | None = None) -> None:
        try:
            await with_retry(lambda: bot.send_message(chat_id, html_text, parse_mode=ParseMode.HTML,
                                                      reply_markup=markup, link_preview_options=NO_PREVIEW),
                             "sendMessage")
        except BadRequest as exc:
            if "entit" not in str(exc).lower():
                raise
            # Our escaping should make this impossible; if Telegram disagrees, plain text is
            # still better than no answer.
            log.error("telegram refused the HTML; sent as plain text", extra={"sender": self.sender(chat_id)})
            plain = html.unescape(_TAG.sub("", html_text))
            await with_retry(lambda: bot.send_message(chat_id, plain, reply_markup=markup,
                                                      link_preview_options=NO_PREVIEW), "sendMessage")

    async def _say(self, bot: Bot, chat_id: int, text: str,
                   buttons: Sequence[Mapping[str, Any]] | None = None) -> None:
        """Send one of our texts (or one of Rasa's), split as needed; buttons under the last piece."""
        pieces = split_html(text)
        markup = inline_keyboard(buttons, self.callbacks)
        for number, piece in enumerate(pieces, start=1):
            await self._send(bot, chat_id, piece, markup if number == len(pieces) else None)

    @contextlib.asynccontextmanager
    async def _typing(self, bot: Bot, chat_id: int) -> AsyncIterator[None]:
        """Telegram's "typing…" until the block ends (it lapses after ~5 s, so it is renewed)."""
        async def keep_typing() -> None:
            while True:
                with contextlib.suppress(TelegramError):
                    await bot.send_chat_action(chat_id, ChatAction.TYPING)
                await asyncio.sleep(TYPING_REFRESH_S)

        task = asyncio.ensure_future(keep_typing())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _turn(self, update: Update, context: Context, text: str | None,
                    work: Callable[[ChatState, str], Awaitable[None]]) -> None:
        """Flood check, then ``work(state, lang)`` under the chat's lock.

        Nothing before the lock awaits: updates of one chat reach the lock in the order Telegram
        sent them, and asyncio's lock keeps that order."""
        chat = update.effective_chat
        if chat is None:
            return
        app_language = update.effective_user.language_code if update.effective_user else None
        verdict = self.flood.hit(chat.id)
        if verdict is not Verdict.ALLOW and self.emergencies.may_be_danger(text):
            # The flood limit must never be what someone in danger gets (vraagbaak.safety.gate).
            log.warning("flood limit passed over for a message that may be an emergency",
                        extra={"sender": self.sender(chat.id)})
            verdict = Verdict.ALLOW
        if verdict is not Verdict.ALLOW:
            log.info("flood limited", extra={"sender": self.sender(chat.id), "verdict": verdict.value})
            if verdict is Verdict.DROP:
                return
        async with self.states.lock(chat.id):
            state = self.states.get(chat.id, self.sender(chat.id))
            lang = state.language_for(text, app_language)
            if verdict is Verdict.WARN:  # in turn, after the answers to the messages before it
                await self._say(context.bot, chat.id, refusal(self.t(lang), texts.TOO_MANY))
                return
            await work(state, lang)

    async def _relay(self, bot: Bot, chat_id: int, state: ChatState, message: str, lang: str,
                     prepare: Callable[[], object] | None = None, is_payload: bool = True) -> None:
        """Send ``message`` to Rasa (after ``prepare``, a blocking call to Rasa's tracker API, in
        a worker thread) and show its answer. ``lang`` is for the apology when Rasa is down.
        ``is_payload``: a button's or a command's payload; typed text is sent with False, so it
        is never run as a command."""
        sender = self.sender(chat_id)
        started = time.monotonic()
        async with self._typing(bot, chat_id):
            if prepare is not None:
                await self._in_thread(prepare)
            replies = await self.gateway.relay(sender, message, lang, state.municipality, is_payload)
        state.learn(replies)
        for reply in replies:
            if isinstance(reply.get("text"), str) and reply["text"].strip():
                await self._say(bot, chat_id, reply["text"], reply.get("buttons"))
        log.info("answered", extra={
            "sender": sender, "lang": lang, "ms": round((time.monotonic() - started) * 1000),
            "kinds": [r["custom"].get("vraagbaak") for r in replies if isinstance(r.get("custom"), dict)],
        })
        if self.desk is not None:
            if any(isinstance(r.get("custom"), dict) and r["custom"].get("vraagbaak") == KIND_OPENED for r in replies):
                # A ticket opened: where its answers go, sealed, for after a restart of this bridge.
                await asyncio.to_thread(self.desk.store.set_reply_to, sender, seal_chat(chat_id, sender, self._key))
            if not state.desk_flushed:  # volunteers' answers that came while this process could
                await self.desk.delivery.flush(sender)  # not reach the chat (it restarted, or forgot it)
                state.desk_flushed = True

    # --- handlers ------------------------------------------------------------------------------
    async def on_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        text = message.text or ""

        async def work(state: ChatState, lang: str) -> None:
            if not state.chosen_lang:
                state.seen_lang = lang  # the message's language, when it showed one
            await self._relay(context.bot, message.chat_id, state, text, lang, is_payload=False)

        await self._turn(update, context, text, work)

    async def on_start(self, update: Update, context: Context) -> None:
        """Welcome, privacy and the language and municipality buttons, from Rasa. The user's
        Telegram language is the first guess for the welcome's language, and a deep link
        (t.me/<bot>?start=haarlem, for a municipality's letter or poster) picks the municipality."""
        chat_id = update.effective_chat.id
        app_language = telegram_language(update.effective_user.language_code if update.effective_user else None)
        place = (context.args or [""])[0].lower()

        async def work(state: ChatState, lang: str) -> None:
            slots: dict[str, str] = {}
            guess = state.seen_lang or app_language
            if guess and not state.chosen_lang:  # a choice made with the buttons stays Rasa's business
                slots[SLOT_DETECTED_LANGUAGE] = guess
            if place in self.municipalities:
                slots[SLOT_MUNICIPALITY] = state.municipality = place
            sender = self.sender(chat_id)
            prepare = (lambda: self.tracker.set_slots(sender, slots)) if slots else None
            await self._relay(context.bot, chat_id, state, commands.PAYLOAD_GREET, lang, prepare)

        await self._turn(update, context, None, work)

    def _relay_command(self, payload: str) -> Callable[[Update, Context], Awaitable[None]]:
        async def handler(update: Update, context: Context) -> None:
            chat_id = update.effective_chat.id

            async def work(state: ChatState, lang: str) -> None:
                await self._relay(context.bot, chat_id, state, payload, lang)

            await self._turn(update, context, None, work)

        return handler

    async def on_help(self, update: Update, context: Context) -> None:
        chat_id = update.effective_chat.id

        async def work(state: ChatState, lang: str) -> None:
            t = self.t(lang)
            await self._say(context.bot, chat_id,
                            f"{help_text(t, self.settings.knowledge_dir)}\n\n{t(texts.TELEGRAM_COMMANDS)}\n{commands.command_list(t, self.desk is not None)}")

        await self._turn(update, context, None, work)

    async def on_privacy(self, update: Update, context: Context) -> None:
        chat_id = update.effective_chat.id

        async def work(state: ChatState, lang: str) -> None:
            t = self.t(lang)
            await self._say(context.bot, chat_id, f"{t(texts.PRIVACY)}\n\n{t(texts.TELEGRAM_PRIVACY)}")

        await self._turn(update, context, None, work)

    async def on_forget(self, update: Update, context: Context) -> None:
        """/vergeet: Rasa's conversation and this bridge's memory of the chat. Under the chat's
        lock, so no message of this chat is on its way to Rasa meanwhile."""
        chat_id = update.effective_chat.id

        async def work(state: ChatState, lang: str) -> None:
            sender = self.sender(chat_id)
            async with self._typing(context.bot, chat_id):
                forgotten = await self._in_thread(lambda: self.tracker.forget(sender))
                if self.desk is not None:
                    try:  # the tickets, what volunteers saw of them, and answers still waiting
                        await self.desk.forget(context.bot, sender)
                    except DatabaseError as exc:
                        log.error("forget: the desk's database failed", extra={"error": type(exc).__name__})
                        forgotten = False
            self.states.forget(chat_id)
            log.info("forget", extra={"sender": sender, "done": forgotten})
            reply = texts.TELEGRAM_FORGOTTEN if forgotten else texts.TELEGRAM_FORGET_FAILED
            await self._say(context.bot, chat_id, self.t(lang)(reply))

        await self._turn(update, context, None, work)

    async def on_unsupported(self, update: Update, context: Context) -> None:
        message = update.effective_message

        async def work(state: ChatState, lang: str) -> None:
            await self._say(context.bot, message.chat_id, self.t(lang)(texts.TELEGRAM_ONLY_TEXT))

        await self._turn(update, context, message.caption, work)

    async def on_button(self, update: Update, context: Context) -> None:
        """A press on one of Rasa's buttons: answered at once (the spinner stops, whatever comes
        next), its keyboard removed (a choice is made once), its payload relayed like a message.
        Both calls to Telegram run in the background: awaiting them here would let a later update
        of the same chat overtake this one."""
        query = update.callback_query
        self._in_background(self._best_effort(query.answer, "answerCallbackQuery"))
        message = query.message if isinstance(query.message, Message) else None
        if update.effective_chat is None or update.effective_chat.type != ChatType.PRIVATE:
            return  # a button under an inline-mode or group message: not ours
        chat_id = update.effective_chat.id
        payload = self.callbacks.decode(query.data)

        async def work(state: ChatState, lang: str) -> None:
            if message is not None and message.reply_markup is not None:
                self._in_background(self._best_effort(lambda: message.edit_reply_markup(reply_markup=None),
                                                      "editMessageReplyMarkup"))
            if payload is None:
                await self._say(context.bot, chat_id, self.t(lang)(texts.TELEGRAM_BUTTON_EXPIRED))
                return
            await self._relay(context.bot, chat_id, state, payload, lang)

        await self._turn(update, context, None, work)

    async def _best_effort(self, call: Callable[[], Awaitable[object]], what: str) -> None:
        """A Bot API call whose failure must not cost the user their answer: logged, not raised."""
        try:
            await with_retry(call, what)
        except TelegramError as exc:
            log.warning("telegram call failed", extra={"method": what, "error": type(exc).__name__})

    async def on_error(self, update: object, context: Context) -> None:
        """The last line of defence: log (the sender's hash apart from the traceback, which may
        quote text), apologise in the chat, and carry on with the next update."""
        error = context.error
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            log.warning("telegram error outside an update", extra={"error": type(error).__name__})
            return
        sender = self.sender(chat.id)
        if isinstance(error, Forbidden):  # the user blocked the bot: nothing to say to them
            log.info("bot blocked by user", extra={"sender": sender})
            return
        log.error("update failed", extra={"sender": sender, "error": type(error).__name__})
        log.error("update failed: traceback", exc_info=error)
        state = self.states.get(chat.id)
        user = update.effective_user if isinstance(update, Update) else None
        lang = state.language_for(None, user.language_code if user else None)
        with contextlib.suppress(TelegramError):
            await self._say(context.bot, chat.id, self.t(lang)(texts.SOMETHING_WRONG))


def run_bridge(settings: Settings) -> int:
    """`vraagbaak telegram`: logging without secrets, then serve until stopped; the exit code.

    A failure to start goes to the log rather than out as a traceback: python-telegram-bot puts
    the token into the message when Telegram rejects it, and only the log redacts it."""
    bridge = TelegramBridge(settings)
    configure_bridge_logging(bridge.secret_values())
    silence_raw_data_loggers()
    try:
        bridge.run()
    except InvalidToken:
        log.error("Telegram rejected the bot token: check VRAAGBAAK_TELEGRAM_TOKEN (from @BotFather)")
        return 1
    except Exception:  # noqa: BLE001 - the last line of defence, see above
        log.exception("the Telegram bridge stopped")
        return 1
    return 0
