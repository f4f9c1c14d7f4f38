"""The volunteers' desk in the conversation: the action that hands it to volunteers (and so
pauses the assistant) and the one that takes it back. What they say and store is decided in
:mod:`vraagbaak.desk.handoff`; while a ticket is open, action_respond passes messages on."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (DESK_TICKET, assistant, channel_of, context_of, handoff, language_events, recent_history,
                            send, slot)
from actions.respond import ActionRespond
from vraagbaak.assistant import texts
from vraagbaak.assistant.replies import Context, Response
from vraagbaak.desk.database import DatabaseError

log = logging.getLogger("vraagbaak.actions.desk")


def _unavailable(dispatcher: CollectingDispatcher, tracker: Tracker, error: Exception) -> list[dict[str, Any]]:
    """The desk's database is down: say so, with the municipality's phone number."""
    log.error("the desk is unavailable", extra={"error": type(error).__name__})
    context = context_of(tracker)
    t = assistant().t(context.lang)
    dispatcher.utter_message(text=f"{t(texts.SOMETHING_WRONG)}\n\n{assistant().human_offer(context)}",
                             json_message={"vraagbaak": "unavailable", "lang": context.lang})
    return language_events(tracker, context)


def _typed(tracker: Tracker) -> bool:
    """Typed words, not a button: the NLU's guess that they mean "yes" or "done" is not enough to
    hand a conversation over or take it back; they are read as any message (action_respond)."""
    return not (tracker.latest_message.get("text") or "").startswith("/")


async def _run(step: Callable[[Tracker, Context], Response], dispatcher: CollectingDispatcher, tracker: Tracker,
               domain: dict) -> list[dict[str, Any]]:
    """One desk step for a button press; typed words go to action_respond (:func:`_typed`)."""
    if _typed(tracker):
        return await ActionRespond().run(dispatcher, tracker, domain)
    context = context_of(tracker)
    try:
        response = step(tracker, context)
    except DatabaseError as exc:
        return _unavailable(dispatcher, tracker, exc)
    send(dispatcher, response.replies)
    log.info("desk", extra={"kind": response.kind, "lang": context.lang})
    return [*(slot(name, value) for name, value in response.remember.items()), *language_events(tracker, context)]


class ActionDeskOpen(Action):
    """Yes to a volunteer: a ticket with the conversation so far; the assistant pauses."""

    def name(self) -> str:
        return "action_desk_open"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        return await _run(lambda tracker, context: handoff().open(
            tracker.sender_id, channel_of(tracker), context, recent_history(tracker)), dispatcher, tracker, domain)


class ActionDeskClose(Action):
    """Done: the ticket closed, the assistant back, and whether the volunteer helped."""

    def name(self) -> str:
        return "action_desk_close"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        return await _run(lambda tracker, context: handoff().close(
            tracker.sender_id, tracker.get_slot(DESK_TICKET), context), dispatcher, tracker, domain)
