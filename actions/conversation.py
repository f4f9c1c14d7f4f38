"""Actions for the conversation around the questions: welcome, choices, small talk, emergency."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import LANGUAGE, MUNICIPALITY, assistant, context_of, language_events, send, slot
from vraagbaak.assistant import texts
from vraagbaak.assistant.replies import OTHER_MUNICIPALITY, Context
from vraagbaak.languages import LANGUAGES

Events = list[dict[str, Any]]


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value).strip().lower() if value else None


class ActionWelcome(Action):
    def name(self) -> str:
        return "action_welcome"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        context = context_of(tracker)
        send(dispatcher, assistant().welcome(context))
        return language_events(tracker, context)


class ActionHelp(Action):
    def name(self) -> str:
        return "action_help"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        context = context_of(tracker)
        send(dispatcher, assistant().help(context))
        return language_events(tracker, context)


class ActionSetLanguage(Action):
    def name(self) -> str:
        return "action_set_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        chosen = _entity(tracker, "language")
        if chosen not in LANGUAGES:
            context = context_of(tracker)
            send(dispatcher, assistant().ask_language(context))
            return language_events(tracker, context)
        context = Context(lang=chosen, municipality=tracker.get_slot(MUNICIPALITY))
        send(dispatcher, assistant().language_set(context))
        return [slot(LANGUAGE, chosen)]


class ActionSetMunicipality(Action):
    def name(self) -> str:
        return "action_set_municipality"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        chosen = _entity(tracker, "municipality")
        known = assistant().municipalities
        context = context_of(tracker)
        if chosen not in known and chosen != OTHER_MUNICIPALITY:
            send(dispatcher, assistant().ask_municipality(context))
            return language_events(tracker, context)
        context = Context(lang=context.lang, municipality=chosen)
        send(dispatcher, assistant().municipality_set(context))
        return [slot(MUNICIPALITY, chosen), *language_events(tracker, context)]


class _FixedReply(Action):
    """An action that says one sentence in the user's language."""

    action_name = ""
    message = ""

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        context = context_of(tracker)
        send(dispatcher, assistant().simple(self.message, context))
        return language_events(tracker, context)


class ActionGoodbye(_FixedReply):
    action_name, message = "action_goodbye", texts.GOODBYE


class ActionThanks(_FixedReply):
    action_name, message = "action_thanks", texts.YOU_ARE_WELCOME


class ActionBotChallenge(_FixedReply):
    action_name, message = "action_bot_challenge", texts.BOT_CHALLENGE


class ActionDefaultFallback(_FixedReply):
    action_name, message = "action_default_fallback", texts.SOMETHING_WRONG


class ActionOutOfScope(Action):
    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        context = context_of(tracker)
        send(dispatcher, assistant().out_of_scope(context))
        return language_events(tracker, context)


class ActionEmergency(Action):
    def name(self) -> str:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        context = context_of(tracker)
        send(dispatcher, assistant().emergency(context))
        return language_events(tracker, context)
