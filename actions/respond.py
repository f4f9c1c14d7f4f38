"""The one action that answers every user message: Rasa hands over what its NLU understood,
:meth:`vraagbaak.assistant.replies.Assistant.respond` decides what to say (safety first, then
the search, then small talk), and the conversation remembers what it returns."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (DESK_TICKET, LAST_ARTICLE, assistant, context_of, handoff, language_events, send, slot,
                            typed_text)
from vraagbaak.assistant import texts
from vraagbaak.assistant.replies import Context, Turn
from vraagbaak.desk.database import DatabaseError

log = logging.getLogger("vraagbaak.actions.respond")


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value).strip().lower() if value else None


def turn_of(tracker: Tracker) -> Turn:
    """The latest message as the assistant needs it. Text that starts with "/" reached Rasa as a
    payload: the channels send typed text without leading slashes (see assistant/payloads.py)."""
    message = tracker.latest_message or {}
    text = message.get("text") or ""
    intent = message.get("intent") or {}
    return Turn(text=text, intent=intent.get("name"), intent_confidence=float(intent.get("confidence") or 0.0),
                language=_entity(tracker, "language"), municipality=_entity(tracker, "municipality"),
                article=_entity(tracker, "article"), is_payload=text.startswith("/"))


class ActionRespond(Action):
    def name(self) -> str:
        return "action_respond"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        context = context_of(tracker)
        turn = turn_of(tracker)
        events: list[dict[str, Any]] = []
        response = None
        if tracker.get_slot(DESK_TICKET):  # a volunteer has the conversation, or had it
            try:
                ticket = handoff().open_ticket(tracker.get_slot(DESK_TICKET), tracker.sender_id)
                if ticket is None:  # the volunteers closed it: the assistant is back, and feedback
                    events += [slot(DESK_TICKET, None), slot(LAST_ARTICLE, None)]  # is about their help
                    context = replace(context, last_article_id=None, last_question=None)
                else:  # the newcomer's own words for the volunteers (and the safety check)
                    response = handoff().during(ticket, replace(turn, text=typed_text(tracker) or turn.text), context)
            except DatabaseError as exc:  # the volunteers cannot be reached: the assistant answers
                log.error("the desk is unavailable", extra={"error": type(exc).__name__})
        response = response or assistant().respond(turn, context)
        send(dispatcher, response.replies)
        result = response.result
        # Logged without the message text, so a log line never joins text and sender.
        log.info("responded", extra={
            "kind": response.kind, "lang": context.lang, "municipality": context.municipality,
            "article_id": response.remember.get("last_article_id"),
            "need": result.danger.need if result and result.danger else None,
            "confidence": round(result.confidence, 4) if result else None})
        language = response.remember.get("language", context.lang)
        return [*events, *(slot(name, value) for name, value in response.remember.items()),
                *language_events(tracker, Context(lang=language))]


class ActionDefaultFallback(Action):
    """Rasa's fallback when no rule applies (it would otherwise need an utter_default response)."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        context = context_of(tracker)
        send(dispatcher, assistant().simple(texts.SOMETHING_WRONG, context))
        return language_events(tracker, context)
