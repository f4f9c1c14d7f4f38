"""A volunteer's words on their way to the newcomer, over the channel the newcomer used.

- ``web``: into the outbox (:class:`~vraagbaak.desk.outbox.Outbox`), from which whichever web
  gateway holds the widget's stream pushes it; the widget shows ``custom.volunteer`` as the label.
- ``telegram``: through a :data:`TelegramSender` that the newcomer bridge provides, since only it
  can turn a sender id (a keyed hash) back into a chat: it remembers the chats it has seen. When
  it does not know the chat (it restarted since the newcomer last wrote), the message waits in
  the outbox under the sender id and the bridge sends it with :meth:`Delivery.flush` as soon as
  the newcomer writes again. So a reply is never lost to a restart.

Every message is a Rasa-style bot message (``{"text": ..., "custom": {...}}``), the form both
channels already handle. Logs name the ticket, never the text.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import Translator, translator
from vraagbaak.assistant.offer import person_offer
from vraagbaak.assistant.replies import done_button, feedback_buttons
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import Ticket
from vraagbaak.knowledge.model import Municipality

log = logging.getLogger("vraagbaak.desk")

#: ``await sender(sender_id, text, buttons)``: send ``text`` (plain text with the articles' light
#: Markdown, as Rasa's answers) with Rasa-style ``buttons`` (title, payload) to the Telegram chat
#: behind ``sender_id``. True when sent; False when this process does not know that chat. Raises
#: when Telegram refused (the bot was blocked).
TelegramSender = Callable[[str, str, list[dict[str, str]]], Awaitable[bool]]

#: ``custom.vraagbaak`` of a volunteer's reply, of the note that a volunteer closed the ticket,
#: and of the note that nobody answered in time.
KIND_VOLUNTEER = "volunteer"
KIND_CLOSED = "desk_closed"
KIND_WAITING = "desk_waiting"



class Delivered(enum.Enum):
    SENT = "sent"  # in the newcomer's chat, or in the outbox for their widget
    QUEUED = "queued"  # Telegram: waits until the newcomer writes again
    FAILED = "failed"


def volunteer_message(ticket: Ticket, name: str, text: str, t: Translator) -> dict[str, Any]:
    """A volunteer's reply, with the button that ends the conversation under it."""
    return {"text": text, "buttons": [done_button(t).as_dict()],
            "custom": {"vraagbaak": KIND_VOLUNTEER, "volunteer": name, "ticket": ticket.id, "lang": ticket.lang}}


def closed_message(ticket: Ticket, t: Translator) -> dict[str, Any]:
    """The volunteer ended it: the assistant is back and asks whether the volunteer helped."""
    return {"text": t(texts.DESK_TICKET_CLOSED),
            "buttons": [button.as_dict() for button in feedback_buttons(t)],
            "custom": {"vraagbaak": KIND_CLOSED, "ticket": ticket.id, "lang": ticket.lang}}


def waiting_message(ticket: Ticket, t: Translator, place: Municipality | None) -> dict[str, Any]:
    """Nobody answered in time: said honestly, with the municipality's number, and that the
    answer will still come here."""
    return {"text": f"{t(texts.DESK_NO_ANSWER_YET)}\n\n{person_offer(t, place)}",
            "buttons": [done_button(t).as_dict()],
            "custom": {"vraagbaak": KIND_WAITING, "ticket": ticket.id, "lang": ticket.lang,
                       "municipality": ticket.municipality, "phone": place.phone if place else None}}


def telegram_text(message: dict[str, Any], t: Translator) -> str:
    """A message as one Telegram text: a volunteer's reply under its label in bold ("Semhar
    (volunteer):", or "Volunteer:" when they chose no name)."""
    custom = message.get("custom") or {}
    if custom.get("vraagbaak") == KIND_VOLUNTEER:
        name = custom.get("volunteer")
        label = (t(texts.DESK_VOLUNTEER_SAYS, name=name) if name and name != t(texts.DESK_DEFAULT_NAME)
                 else t(texts.DESK_VOLUNTEER_SAYS_UNNAMED))
        return f"**{label}**\n{message['text']}"
    return str(message["text"])


class Delivery:
    def __init__(self, outbox: Outbox, translations_dir: Path, telegram: TelegramSender | None = None) -> None:
        self.outbox = outbox
        self.translations_dir = translations_dir
        #: Set by the newcomer bridge; without it a Telegram newcomer's messages wait in the outbox.
        self.telegram = telegram

    def t(self, lang: str | None) -> Translator:
        return translator(self.translations_dir, lang or "")

    async def reply(self, ticket: Ticket, name: str, text: str) -> Delivered:
        """A volunteer's reply, labelled with the name they chose."""
        return await self._deliver(ticket, volunteer_message(ticket, name, text, self.t(ticket.lang)))

    async def waiting(self, ticket: Ticket, place: Municipality | None) -> Delivered:
        """Tell the newcomer that nobody answered in time (:func:`waiting_message`)."""
        return await self._deliver(ticket, waiting_message(ticket, self.t(ticket.lang), place))

    async def closed(self, ticket: Ticket) -> Delivered:
        """Tell the newcomer, in their language, that the volunteer ended the conversation."""
        return await self._deliver(ticket, closed_message(ticket, self.t(ticket.lang)))

    async def flush(self, sender: str) -> int:
        """For the newcomer bridge, when ``sender`` writes: send what waited for their chat; how
        many were sent. A message is deleted from the outbox only once sent."""
        waiting = await asyncio.to_thread(self.outbox.after, sender, 0)
        sent = 0
        for message_id, message in waiting:
            lang = (message.get("custom") or {}).get("lang")
            if self.telegram is None or not await self._to_telegram(sender, message, lang):
                break
            await asyncio.to_thread(self.outbox.remove, sender, message_id)
            sent += 1
        if sent:
            log.info("desk messages sent after waiting", extra={"messages": sent})
        return sent

    async def _to_telegram(self, sender: str, message: dict[str, Any], lang: str | None) -> bool:
        assert self.telegram is not None
        return await self.telegram(sender, telegram_text(message, self.t(lang)), list(message.get("buttons") or []))

    async def _deliver(self, ticket: Ticket, message: dict[str, Any]) -> Delivered:
        kind = message["custom"]["vraagbaak"]
        try:
            if ticket.channel == "telegram" and self.telegram is not None:
                if await self._to_telegram(ticket.sender, message, ticket.lang):
                    result = Delivered.SENT
                else:
                    await asyncio.to_thread(self.outbox.put, ticket.sender, message)
                    result = Delivered.QUEUED
            else:
                await asyncio.to_thread(self.outbox.put, ticket.sender, message)
                result = Delivered.QUEUED if ticket.channel == "telegram" else Delivered.SENT
        except Exception as exc:  # noqa: BLE001 - the volunteer is told; the bridge carries on
            log.warning("desk message not delivered", extra={"ticket": ticket.id, "channel": ticket.channel,
                                                              "kind": kind, "error": type(exc).__name__})
            return Delivered.FAILED
        log.info("desk message delivered", extra={"ticket": ticket.id, "channel": ticket.channel, "kind": kind,
                                                  "result": result.value})
        return result
