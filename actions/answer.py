"""The action that answers a real question from the knowledge base (or says it does not know)."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import LAST_ARTICLE, LAST_QUESTION, assistant, context_of, language_events, send, slot

log = logging.getLogger("vraagbaak.actions.answer")


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        question = tracker.latest_message.get("text") or ""
        context = context_of(tracker)
        outcome = assistant().answer(question, context)
        send(dispatcher, outcome.replies)
        # Logged without the question text, so a log line never joins text and sender.
        log.info("answered", extra={"article_id": outcome.article_id, "lang": context.lang,
                                    "municipality": context.municipality, "abstained": outcome.result.abstained,
                                    "confidence": round(outcome.result.confidence, 4)})
        return [slot(LAST_ARTICLE, outcome.article_id), slot(LAST_QUESTION, question[:1000]),
                *language_events(tracker, context)]
