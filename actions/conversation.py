"""Actions for the conversation around the questions: welcome, choices, small talk, emergency."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import (LANGUAGE, LAST_ARTICLE, LAST_QUESTION, MUNICIPALITY, assistant, context_of,
                            language_events, send, slot)
from vraagbaak.assistant import texts
from vraagbaak.assistant.replies import OTHER_MUNICIPALITY, Context, Reply
from vraagbaak.languages import LANGUAGES

Events = list[dict[str, Any]]


def _entity(tracker: Tracker, name: str) -> str | None:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value).strip().lower() if value else None


class ReplyAction(Action, metaclass=ABCMeta):
    """Says what the assistant replies in the user's language and remembers that language.
    Abstract, so rasa-sdk registers only its subclasses.

    With ``search_first``, a message that the search can answer confidently is answered from
    the knowledge base instead: the NLU is sometimes sure that a real question ("Can I study
    in the Netherlands?") is a greeting."""

    action_name = ""
    search_first = False

    def name(self) -> str:
        return self.action_name

    @abstractmethod
    def replies(self, tracker: Tracker, context: Context) -> list[Reply]: ...

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> Events:
        context = context_of(tracker)
        text = tracker.latest_message.get("text") or ""
        outcome = assistant().answer_if_confident(text, context) if self.search_first else None
        if outcome is not None:
            send(dispatcher, outcome.replies)
            return [slot(LAST_ARTICLE, outcome.article_id), slot(LAST_QUESTION, text[:1000]),
                    *language_events(tracker, context)]
        send(dispatcher, self.replies(tracker, context))
        return language_events(tracker, context)


class ActionWelcome(ReplyAction):
    action_name = "action_welcome"
    search_first = True

    def replies(self, tracker: Tracker, context: Context) -> list[Reply]:
        return assistant().welcome(context)


class ActionHelp(ReplyAction):
    action_name = "action_help"
    search_first = True

    def replies(self, tracker: Tracker, context: Context) -> list[Reply]:
        return assistant().help(context)


class ActionOutOfScope(ReplyAction):
    action_name = "action_out_of_scope"
    search_first = True

    def replies(self, tracker: Tracker, context: Context) -> list[Reply]:
        return assistant().out_of_scope(context)


class ActionEmergency(ReplyAction):
    action_name = "action_emergency"

    def replies(self, tracker: Tracker, context: Context) -> list[Reply]:
        return assistant().emergency(context)


class FixedReply(ReplyAction, metaclass=ABCMeta):
    """One fixed sentence."""

    @property
    @abstractmethod
    def message(self) -> str: ...

    def replies(self, tracker: Tracker, context: Context) -> list[Reply]:
        return assistant().simple(self.message, context)


class ActionGoodbye(FixedReply):
    action_name, message, search_first = "action_goodbye", texts.GOODBYE, True


class ActionThanks(FixedReply):
    action_name, message, search_first = "action_thanks", texts.YOU_ARE_WELCOME, True


class ActionBotChallenge(FixedReply):
    action_name, message = "action_bot_challenge", texts.BOT_CHALLENGE


class ActionDefaultFallback(FixedReply):
    action_name, message = "action_default_fallback", texts.SOMETHING_WRONG


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
        context = context_of(tracker)
        if chosen not in assistant().municipalities and chosen != OTHER_MUNICIPALITY:
            send(dispatcher, assistant().ask_municipality(context))
            return language_events(tracker, context)
        context = Context(lang=context.lang, municipality=chosen)
        send(dispatcher, assistant().municipality_set(context))
        return [slot(MUNICIPALITY, chosen), *language_events(tracker, context)]
