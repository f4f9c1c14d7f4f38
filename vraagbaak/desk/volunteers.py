"""The volunteers' side of the desk: Telegram supergroups with forum topics, one topic per ticket.

A ticket gets a topic titled ``#42 · ti · Enschede · zorgtoeslag``, opened with what the
newcomer asked and what the assistant answered (:meth:`VolunteerDesk.open_topic`). Whatever a
volunteer writes in that topic reaches the newcomer (:mod:`.delivery`), labelled with the name
they chose (``/naam Semhar``; :mod:`.names`). ``/klaar`` closes the ticket and the topic and tells
the newcomer; ``/artikel`` keeps the exchange as a draft article (:mod:`.drafts`).

Privacy: the group sees a ticket number, never the newcomer's Telegram id, name, username or
phone (a ticket does not even hold them: only a keyed hash), and texts with BSN-like numbers
masked. Only messages from the configured groups are read (``filters.Chat``): a member of the
group is a volunteer, so group membership, managed by the coordinators in Telegram, is the
access control. Logs carry ticket numbers, never a text.

The handlers join the newcomer bridge's python-telegram-bot application (:meth:`add_to`), so
one bot serves both; the bot must be an admin of each group with the right to manage topics.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from telegram import Bot, Message, Update
from telegram.error import TelegramError
from telegram.ext import Application, BaseHandler, CommandHandler, ContextTypes, MessageHandler, filters

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import Translator, translator
from vraagbaak.channels.telegram.formatting import MAX_MESSAGE_LENGTH, telegram_length
from vraagbaak.channels.telegram.identity import sender_key
from vraagbaak.channels.telegram.retry import with_retry
from vraagbaak.desk import drafts
from vraagbaak.desk.config import DeskConfig
from vraagbaak.desk.database import Database, open_database
from vraagbaak.desk.delivery import Delivered, Delivery, TelegramSender
from vraagbaak.desk.masking import mask_identifiers
from vraagbaak.desk.names import VolunteerNames, clean_name, volunteer_id
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import Ticket, TicketMessage, TicketStore
from vraagbaak.desk.times import now
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import FALLBACK_LANGUAGE
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.desk")

Context = ContextTypes.DEFAULT_TYPE
T = TypeVar("T")
#: How often the bridge does what the action servers and gateways left for it (:meth:`VolunteerDesk.tick`).
TICK_S = 1.0
#: How long to wait before trying again to open a topic Telegram refused.
RETRY_TOPIC = timedelta(minutes=1)
#: Telegram's limit for a forum topic's name.
MAX_TITLE_CHARS = 128
TITLE_SEPARATOR = " · "
#: Put before a closed ticket's topic name, so the topic list shows what still needs someone.
CLOSED_MARK = "✅ "
#: The commands, in Dutch like the newcomers' ones (Telegram commands are Latin).
CLOSE, ARTICLE, NAME = "klaar", "artikel", "naam"
#: What volunteers may send that the desk cannot pass on yet (the newcomer bridge has its own list;
#: importing it would make the bridge, which imports this module, import itself).
MEDIA = (filters.PHOTO | filters.VOICE | filters.AUDIO | filters.VIDEO | filters.VIDEO_NOTE | filters.Sticker.ALL
         | filters.Document.ALL | filters.ANIMATION | filters.LOCATION | filters.CONTACT | filters.POLL)


def topic_title(ticket: Ticket, municipalities: Mapping[str, Municipality]) -> str:
    """``#42 · ti · Enschede · zorgtoeslag``: number, language, municipality, topic, as known."""
    place = municipalities[ticket.municipality].name if ticket.municipality in municipalities else ticket.municipality
    topic = mask_identifiers(" ".join(ticket.topic.split())) if ticket.topic else None
    parts = [f"#{ticket.id}", ticket.lang, place, topic]
    return TITLE_SEPARATOR.join(part for part in parts if part)[:MAX_TITLE_CHARS]


#: Whose stored messages the volunteers read in the topic (their own they wrote there), and the label.
SHOWN_AUTHORS = {"newcomer": texts.DESK_FROM_NEWCOMER, "assistant": texts.DESK_FROM_ASSISTANT}


def labelled(message: TicketMessage, t: Translator) -> str:
    """A stored message as the topic shows it: "Newcomer:" or "Vraagbaak answered:" above it."""
    label = SHOWN_AUTHORS.get(message.author)
    return f"{t(label)}\n{message.text}" if label else message.text


def opening_texts(ticket: Ticket, history: list[TicketMessage], t: Translator) -> list[str]:
    """The topic's first messages: what to do, then the conversation so far, in pieces under
    Telegram's limit. Only stored (masked) texts and the ticket number: nothing about who."""
    entries = [t(texts.DESK_TOPIC_OPENED, ticket=ticket.id)]
    entries += [labelled(m, t) for m in history if m.author in SHOWN_AUTHORS]
    pieces: list[str] = []
    for entry in entries:
        entry = entry[:MAX_MESSAGE_LENGTH]  # a stored text is at most the limit; its label may tip it over
        if pieces and telegram_length(f"{pieces[-1]}\n\n{entry}") <= MAX_MESSAGE_LENGTH:
            pieces[-1] = f"{pieces[-1]}\n\n{entry}"
        else:
            pieces.append(entry)
    return pieces


class _TopicLocks:
    """One lock per topic: a topic's updates are handled in the order they came (two volunteers'
    replies reach the newcomer in the order the group saw them); a lock goes when nobody uses it."""

    def __init__(self) -> None:
        self._locks: dict[tuple[int, int | None], tuple[asyncio.Lock, int]] = {}

    async def run(self, key: tuple[int, int | None], work: Callable[[], Awaitable[None]]) -> None:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await work()
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)


class VolunteerDesk:
    """The volunteers' handlers and what they share. Build with :meth:`open`."""

    def __init__(self, settings: Settings, config: DeskConfig, store: TicketStore, names: VolunteerNames,
                 delivery: Delivery, key: bytes, municipalities: Mapping[str, Municipality],
                 nearest: drafts.NearestArticle | None = None) -> None:
        self.settings = settings
        self.config = config
        self.store = store
        self.names = names
        self.delivery = delivery
        self._key = key
        self.municipalities = municipalities
        self.nearest = nearest
        self._locks = _TopicLocks()
        #: Tickets whose topic could not be opened, and when to try again.
        self._retry_at: dict[int, datetime] = {}

    @classmethod
    def open(cls, settings: Settings, telegram: TelegramSender | None = None) -> VolunteerDesk:
        """The desk over the database the settings name. ``telegram``: how the newcomer bridge
        sends to a Telegram newcomer (:data:`~.delivery.TelegramSender`); it may be set later as
        ``desk.delivery.telegram``. Raises ValueError on unusable desk settings."""
        config = DeskConfig.from_settings(settings)
        database = open_database(settings)
        return cls(settings, config, TicketStore(database), VolunteerNames(database),
                   Delivery(Outbox(database), settings.translations_dir, telegram), sender_key(settings),
                   load_municipalities(settings.knowledge_dir, []), drafts.SearchNearest(settings))

    @property
    def database(self) -> Database:
        return self.store.database

    def close(self) -> None:
        self.database.close()

    def t(self, lang: str | None) -> Translator:
        return translator(self.settings.translations_dir, lang or FALLBACK_LANGUAGE)

    # --- for the newcomer side ---------------------------------------------------------------------
    async def open_topic(self, bot: Bot, ticket: Ticket) -> int | None:
        """Give ``ticket`` its topic in its language's group and post the conversation so far
        (the ticket's stored messages); the topic's thread id. None when no group takes the
        ticket's language or Telegram refused (the group is no forum, the bot no admin): the
        newcomer must then be told that no volunteer can be reached. A ticket that has its topic
        keeps it (the stored ticket is read: the caller's copy may be older)."""
        ticket = await asyncio.to_thread(self.store.get, ticket.id) or ticket
        if ticket.volunteer_thread_id is not None:
            return ticket.volunteer_thread_id
        chat_id = self.config.chats.chat_for(ticket.lang)
        if chat_id is None:
            return None
        try:
            topic = await with_retry(lambda: bot.create_forum_topic(chat_id, topic_title(ticket, self.municipalities)),
                                     "createForumTopic")
        except TelegramError as exc:
            log.error("could not open a topic for a ticket", extra={"ticket": ticket.id, "error": type(exc).__name__})
            return None
        thread_id = topic.message_thread_id
        await asyncio.to_thread(self.store.set_thread, ticket.id, chat_id, thread_id)
        history = await asyncio.to_thread(self.store.messages, ticket.id)
        for piece in opening_texts(ticket, history, self.t(ticket.lang)):
            await self._post(bot, chat_id, thread_id, piece)
        await asyncio.to_thread(self.store.mark_posted, [m.id for m in history])
        log.info("ticket topic opened", extra={"ticket": ticket.id, "lang": ticket.lang})
        return thread_id

    async def from_newcomer(self, bot: Bot, ticket: Ticket, text: str) -> None:
        """A newcomer's message while their ticket is open: stored (masked) and posted in the
        topic. (Rasa's actions store them without posting; :meth:`tick` posts those.)"""
        await asyncio.to_thread(self.store.add_message, ticket.id, "newcomer", text)
        await self.post_waiting_messages(bot)

    async def forget(self, bot: Bot, sender: str) -> int:
        """/vergeet: every desk row of the newcomer, then the topics their tickets had (what
        volunteers saw of them); how many rows went. A topic Telegram will not delete (it is gone
        already, the bot lost its rights) is logged, and the rows are gone all the same."""
        forgotten = await asyncio.to_thread(self.store.forget_sender, sender)
        await self.delete_old_topics(bot)
        return forgotten

    # --- what the action servers and the web gateways left for the bridge ---------------------------
    async def run(self, bot: Bot) -> None:
        """:meth:`tick` every :data:`TICK_S` seconds until cancelled; a failed round is logged."""
        while True:
            try:
                await self.tick(bot)
            except Exception as exc:  # noqa: BLE001 - the next round tries again
                log.error("desk round failed", extra={"error": type(exc).__name__})
            await asyncio.sleep(TICK_S)

    async def tick(self, bot: Bot, at: datetime | None = None) -> None:
        """One round of what only the bridge can do, since only it talks to Telegram: a topic for
        each new ticket (web or Telegram), newcomers' messages into their topics, the topic of a
        ticket the newcomer closed, the honest note to a newcomer nobody answered in time, and
        the topics of forgotten or purged tickets deleted. Each is marked done in the database
        once done, so a round that fails halfway is finished by the next."""
        moment = at or now()
        for ticket in await asyncio.to_thread(self.store.without_topic):
            if self._retry_at.get(ticket.id, moment) <= moment:
                opened = await self._for_ticket(ticket, self.open_topic(bot, ticket))
                if opened is None:  # no group for it, or Telegram refused
                    self._retry_at[ticket.id] = moment + RETRY_TOPIC
                else:
                    self._retry_at.pop(ticket.id, None)
        await self.post_waiting_messages(bot)
        for ticket in await asyncio.to_thread(self.store.closed_with_open_topic):
            # Under the topic's lock, which a volunteer's /klaar holds until it closed the topic itself.
            key = (ticket.volunteer_chat_id or 0, ticket.volunteer_thread_id)
            await self._locks.run(key, functools.partial(self._for_ticket, ticket,
                                                         self._close_closed_topic(bot, ticket.id)))
        for ticket in await asyncio.to_thread(self.store.waiting_too_long, self.config.timeout, moment):
            await self._for_ticket(ticket, self._tell_waiting(bot, ticket))
        await self.delete_old_topics(bot)

    async def _for_ticket(self, ticket: Ticket, work: Awaitable[T]) -> T | None:
        """One ticket's step of a round: a topic Telegram refuses (deleted by hand, the bot lost
        its rights) is logged and skipped, so it never holds up the other tickets."""
        try:
            return await work
        except TelegramError as exc:
            log.warning("telegram refused a step of a ticket", extra={"ticket": ticket.id, "error": type(exc).__name__})
            return None

    async def _close_closed_topic(self, bot: Bot, ticket_id: int) -> None:
        """A topic whose ticket the newcomer closed, checked again under the topic's lock: a
        volunteer's /klaar closes its own topic, with its own note."""
        ticket = await asyncio.to_thread(self.store.get, ticket_id)
        if ticket is not None and not ticket.topic_closed:
            await self._close_topic(bot, ticket, self.t(ticket.lang)(texts.DESK_NEWCOMER_CLOSED, ticket=ticket.id))

    async def post_waiting_messages(self, bot: Bot) -> None:
        """Post the newcomers' (and the assistant's) stored messages in their tickets' topics."""
        tickets: dict[int, Ticket | None] = {}
        failed: set[int] = set()  # a ticket whose post failed: its later messages wait, in order
        for message in await asyncio.to_thread(self.store.unposted):
            if message.ticket_id not in tickets:
                tickets[message.ticket_id] = await asyncio.to_thread(self.store.get, message.ticket_id)
            ticket = tickets[message.ticket_id]
            if (ticket is None or ticket.volunteer_chat_id is None or ticket.volunteer_thread_id is None
                    or ticket.id in failed):
                continue
            text = labelled(message, self.t(ticket.lang))
            chat_id, thread_id = ticket.volunteer_chat_id, ticket.volunteer_thread_id
            if await self._for_ticket(ticket, self._post(bot, chat_id, thread_id, text[:MAX_MESSAGE_LENGTH])) is None:
                failed.add(ticket.id)
                continue
            await asyncio.to_thread(self.store.mark_posted, [message.id])

    async def delete_old_topics(self, bot: Bot) -> None:
        """Delete the topics of forgotten and purged tickets (their rows are gone already)."""
        for row_id, chat_id, thread_id in await asyncio.to_thread(self.store.topics_to_delete):
            await self._best_effort(lambda: bot.delete_forum_topic(chat_id, thread_id), "deleteForumTopic")
            await asyncio.to_thread(self.store.topic_deleted, row_id)
            log.info("ticket topic deleted", extra={"chat_langs": self.config.chats.langs_of(chat_id)})

    async def _tell_waiting(self, bot: Bot, ticket: Ticket) -> None:
        """Nobody answered in time: the newcomer is told so, once. A ticket opened outside the
        desk's hours was told at once (:mod:`.handoff`), so it is only marked."""
        if not await asyncio.to_thread(self.store.mark_told_waiting, ticket.id):
            return  # another round, or another bridge, told them
        if not self.config.hours.on_duty(ticket.lang, ticket.created_at):
            return
        await self.delivery.waiting(ticket, self.municipalities.get(ticket.municipality or ""))
        if ticket.volunteer_chat_id is not None and ticket.volunteer_thread_id is not None:
            await self._post(bot, ticket.volunteer_chat_id, ticket.volunteer_thread_id,
                             self.t(ticket.lang)(texts.DESK_NEWCOMER_WAITED, ticket=ticket.id))
        log.info("newcomer told nobody answered yet", extra={"ticket": ticket.id, "lang": ticket.lang})

    async def _close_topic(self, bot: Bot, ticket: Ticket, note: str) -> None:
        """The note in the topic, the topic marked done (✅) and closed in Telegram."""
        chat_id, thread_id = ticket.volunteer_chat_id, ticket.volunteer_thread_id
        if chat_id is None or thread_id is None:
            return
        await self._post(bot, chat_id, thread_id, note)
        title = CLOSED_MARK + topic_title(ticket, self.municipalities)
        await self._best_effort(lambda: bot.edit_forum_topic(chat_id, thread_id, name=title[:MAX_TITLE_CHARS]),
                                "editForumTopic")
        await self._best_effort(lambda: bot.close_forum_topic(chat_id, thread_id), "closeForumTopic")
        await asyncio.to_thread(self.store.set_topic_closed, ticket.id)

    # --- the handlers ------------------------------------------------------------------------------
    def handlers(self) -> list[BaseHandler[Any, Any, Any]]:
        """Every handler reads only the configured groups; anything else is not the desk's."""
        groups = filters.Chat(chat_id=sorted(self.config.chats.chat_ids)) & filters.UpdateType.MESSAGE
        return [
            CommandHandler(CLOSE, self._guarded(self.on_close), filters=groups),
            CommandHandler(ARTICLE, self._guarded(self.on_article), filters=groups),
            CommandHandler(NAME, self._guarded(self.on_name), filters=groups),
            MessageHandler(groups & filters.TEXT & ~filters.COMMAND, self._guarded(self.on_text)),
            MessageHandler(groups & MEDIA, self._guarded(self.on_media)),
        ]

    def add_to(self, app: Application, group: int = 0) -> None:
        if self.config.chats.enabled:
            app.add_handlers(self.handlers(), group=group)

    def _guarded(self, handler: Callable[[Message, Context], Awaitable[None]]
                 ) -> Callable[[Update, Context], Awaitable[None]]:
        """The topic's updates in order; a failure logged without its text, and the volunteer
        told in the topic (the bridge's own error handler would answer in the group's General)."""
        @functools.wraps(handler)
        async def run(update: Update, context: Context) -> None:
            message = update.effective_message
            user = update.effective_user
            if message is None or user is None or (user.is_bot and not _anonymous_admin(message)):
                return  # other bots, and channel posts forwarded into the group

            async def work() -> None:
                try:
                    await handler(message, context)
                except Exception as exc:  # noqa: BLE001 - one update's failure must not stop the desk
                    log.error("desk update failed", extra={"handler": handler.__name__, "error": type(exc).__name__})
                    log.error("desk update failed: traceback", exc_info=exc)
                    try:
                        await self._post(context.bot, message.chat_id, _thread(message),
                                         self.t(FALLBACK_LANGUAGE)(texts.SOMETHING_WRONG))
                    except TelegramError:
                        pass

            await self._locks.run((message.chat_id, _thread(message)), work)

        return run

    async def on_text(self, message: Message, context: Context) -> None:
        """A volunteer's reply in a ticket's topic: stored (masked) and delivered to the newcomer."""
        ticket = await self._ticket(message)
        if ticket is None:
            return  # volunteers talking among themselves, outside any ticket
        t = self.t(ticket.lang)
        if not ticket.is_open:
            await self._answer(context.bot, message, t(texts.DESK_TICKET_IS_CLOSED))
            return
        name = await self._name(message, t)
        stored = await asyncio.to_thread(self.store.add_message, ticket.id, "volunteer", message.text or "", name)
        result = await self.delivery.reply(ticket, name, stored.text)
        if result is Delivered.FAILED:
            await self._answer(context.bot, message, t(texts.DESK_NOT_DELIVERED))
            return
        await asyncio.to_thread(self.store.mark_first_reply, ticket.id)
        if result is Delivered.QUEUED:
            await self._answer(context.bot, message, t(texts.DESK_QUEUED))

    async def on_media(self, message: Message, context: Context) -> None:
        """A photo, voice message or file in a ticket's topic: cannot be passed on yet; said so."""
        ticket = await self._ticket(message)
        if ticket is None:
            return
        t = self.t(ticket.lang)
        await self._answer(context.bot, message, t(texts.DESK_ONLY_TEXT if ticket.is_open else texts.DESK_TICKET_IS_CLOSED))

    async def on_close(self, message: Message, context: Context) -> None:
        """/klaar: the ticket closed, the newcomer told, the topic marked and closed."""
        ticket = await self._ticket_or_say(message, context)
        if ticket is None:
            return
        t = self.t(ticket.lang)
        if await asyncio.to_thread(self.store.close, ticket.id):
            if await self.delivery.closed(ticket) is Delivered.FAILED:
                await self._answer(context.bot, message, t(texts.DESK_NOT_DELIVERED))
        await self._close_topic(context.bot, ticket, t(texts.DESK_CLOSED_DONE, ticket=ticket.id))

    async def on_article(self, message: Message, context: Context) -> None:
        """/artikel: the ticket's questions and the volunteers' answer as a draft article."""
        ticket = await self._ticket_or_say(message, context)
        if ticket is None:
            return
        t = self.t(ticket.lang)
        history = await asyncio.to_thread(self.store.messages, ticket.id)
        draft = await asyncio.to_thread(drafts.compose, ticket, history, self.nearest)
        if draft is None:
            await self._answer(context.bot, message, t(texts.DESK_DRAFT_NOTHING))
            return
        await asyncio.to_thread(drafts.write, self.settings, draft)
        shown = f"{drafts.DRAFTS_FOLDER}/{draft.relative_path.as_posix()}"
        await self._answer(context.bot, message, t(texts.DESK_DRAFT_SAVED, draft=shown))

    async def on_name(self, message: Message, context: Context) -> None:
        """/naam Semhar: the name newcomers see on this volunteer's replies from now on."""
        ticket = await self._ticket(message)
        t = self.t(ticket.lang) if ticket else self._group_t(message)
        name = clean_name(" ".join(context.args or []))
        if name is None or message.from_user is None:
            await self._answer(context.bot, message, t(texts.DESK_NAME_HELP))
            return
        await asyncio.to_thread(self.names.set, volunteer_id(message.from_user.id, self._key), name)
        log.info("volunteer chose a name", extra={"chat_langs": self.config.chats.langs_of(message.chat_id)})
        await self._answer(context.bot, message, t(texts.DESK_NAME_SET, name=name))

    # --- helpers -----------------------------------------------------------------------------------
    async def _ticket(self, message: Message) -> Ticket | None:
        thread_id = _thread(message)
        if thread_id is None:
            return None
        return await asyncio.to_thread(self.store.by_thread, message.chat_id, thread_id)

    async def _ticket_or_say(self, message: Message, context: Context) -> Ticket | None:
        """A command's ticket; outside a ticket's topic the volunteer is told so, and None."""
        ticket = await self._ticket(message)
        if ticket is None:
            await self._answer(context.bot, message, self._group_t(message)(texts.DESK_NOT_A_TICKET))
        return ticket

    async def _name(self, message: Message, t: Translator) -> str:
        """The name the volunteer chose, else "Volunteer" in the ticket's language."""
        chosen = None
        if message.from_user is not None:
            chosen = await asyncio.to_thread(self.names.get, volunteer_id(message.from_user.id, self._key))
        return chosen or t(texts.DESK_DEFAULT_NAME)

    def _group_t(self, message: Message) -> Translator:
        """A group's own language when it takes one, else Dutch (a group for all languages)."""
        langs = self.config.chats.langs_of(message.chat_id)
        return self.t(langs[0] if len(langs) == 1 else FALLBACK_LANGUAGE)

    async def _answer(self, bot: Bot, message: Message, text: str) -> None:
        """A short note to the volunteers, in the topic the message came from."""
        await self._post(bot, message.chat_id, _thread(message), text)

    async def _post(self, bot: Bot, chat_id: int, thread_id: int | None, text: str) -> bool:
        """Plain text (no parse mode): nothing a newcomer wrote can become markup. True once sent."""
        await with_retry(lambda: bot.send_message(chat_id, text, message_thread_id=thread_id), "sendMessage")
        return True

    async def _best_effort(self, call: Callable[[], Awaitable[object]], what: str) -> None:
        try:
            await with_retry(call, what)
        except TelegramError as exc:
            log.warning("telegram call failed", extra={"method": what, "error": type(exc).__name__})


def _anonymous_admin(message: Message) -> bool:
    """An admin writing as the group itself (Telegram's GroupAnonymousBot): a volunteer too."""
    return message.sender_chat is not None and message.sender_chat.id == message.chat_id


def _thread(message: Message) -> int | None:
    """The forum topic a message is in; None in the group's General topic."""
    return message.message_thread_id if message.is_topic_message else None
