"""What every action needs: the shared assistant, the conversation context, sending replies."""

from __future__ import annotations

import logging
import threading
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from vraagbaak.assistant.replies import Assistant, Context, Reply, create_assistant, language_of_message
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.actions")
_lock = threading.Lock()
_assistant: Assistant | None = None

# Slot names, as in bot/domain.yml.
LANGUAGE = "language"  # an explicit choice; sticks until changed
DETECTED = "detected_language"  # the language of the last message with a clear signal
MUNICIPALITY = "municipality"
LAST_ARTICLE = "last_article_id"
LAST_QUESTION = "last_question"


def assistant() -> Assistant:
    """Created once per process: at the start of the action server's worker (actions/__init__.py),
    else on first use."""
    global _assistant
    with _lock:
        if _assistant is None:
            _assistant = create_assistant(Settings.from_env())
        return _assistant


def context_of(tracker: Tracker) -> Context:
    """Language and municipality for this turn. The slots come first (a choice sticks); the
    channel's metadata (the widget's page, the Telegram chat) fills in what the conversation
    has not said yet, so a first message or a button press is answered in the right language
    and for the right municipality."""
    text = tracker.latest_message.get("text")
    metadata = tracker.latest_message.get("metadata") or {}
    hint = metadata.get("lang") if isinstance(metadata, dict) else None
    lang = language_of_message(text, tracker.get_slot(LANGUAGE), tracker.get_slot(DETECTED) or hint)
    municipality = tracker.get_slot(MUNICIPALITY)
    if municipality is None and isinstance(metadata, dict) and metadata.get("municipality") in assistant().municipalities:
        municipality = metadata["municipality"]
    return Context(lang=lang, municipality=municipality, last_question=tracker.get_slot(LAST_QUESTION),
                   last_article_id=tracker.get_slot(LAST_ARTICLE))


def language_events(tracker: Tracker, context: Context) -> list[dict[str, Any]]:
    """Remember the detected language, so that a button press is answered in it too."""
    if tracker.get_slot(DETECTED) == context.lang:
        return []
    return [{"event": "slot", "name": DETECTED, "value": context.lang, "timestamp": None}]


def send(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    for reply in replies:
        buttons = [{"title": b.title, "payload": b.payload} for b in reply.buttons]
        dispatcher.utter_message(text=reply.text, buttons=buttons or None, json_message=reply.custom)


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value, "timestamp": None}
