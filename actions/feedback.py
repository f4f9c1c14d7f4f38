"""Actions that record what the user thinks of an answer, and requests for a person."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import LAST_ARTICLE, LAST_QUESTION, assistant, context_of, language_events, send


class ActionRecordFeedback(Action):
    def name(self) -> str:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        helpful = tracker.latest_message.get("intent", {}).get("name") == "feedback_helpful"
        context = context_of(tracker)
        send(dispatcher, assistant().feedback(helpful, context, tracker.get_slot(LAST_ARTICLE),
                                              tracker.get_slot(LAST_QUESTION)))
        return language_events(tracker, context)


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        context = context_of(tracker)
        send(dispatcher, assistant().handoff(context, tracker.get_slot(LAST_QUESTION)))
        return language_events(tracker, context)
