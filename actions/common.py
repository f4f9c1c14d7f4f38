"""What every action needs: the shared assistant, the conversation context, sending replies."""

from __future__ import annotations

import logging
import threading
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from vraagbaak.assistant.replies import Assistant, Context, Reply, create_assistant, language_of_message
from vraagbaak.desk.handoff import Handoff
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.actions")
_lock = threading.Lock()
_assistant: Assistant | None = None
_handoff: Handoff | None = None

# Slot names, as in bot/domain.yml.
LANGUAGE = "language"  # an explicit choice; sticks until changed
DETECTED = "detected_language"  # the language of the last message with a clear signal
MUNICIPALITY = "municipality"
LAST_ARTICLE = "last_article_id"
LAST_QUESTION = "last_question"
DESK_TICKET = "desk_ticket"


def handoff() -> Handoff:
    """The newcomer's side of the volunteers' desk, over the assistant's database. (Two threads
    may both make one at first: both use the same database, so either will do.)"""
    global _handoff
    if _handoff is None:
        _handoff = Handoff.of(assistant())
    return _handoff


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
        buttons = [b.as_dict() for b in reply.buttons]
        dispatcher.utter_message(text=reply.text, buttons=buttons or None, json_message=reply.custom)


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value, "timestamp": None}


def channel_of(tracker: Tracker) -> str | None:
    """The channel the gateway named in the message's metadata: ``web`` or ``telegram``."""
    metadata = tracker.latest_message.get("metadata") or {}
    return metadata.get("channel") if isinstance(metadata, dict) else None


def recent_history(tracker: Tracker) -> list[tuple[str, str]]:
    """The conversation's typed messages and the assistant's answers, oldest first, for the
    volunteers (``("newcomer" | "assistant", text)``); button presses are left out."""
    history: list[tuple[str, str]] = []
    for event in tracker.events:
        text = event.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        if event.get("event") == "user" and not text.startswith("/"):
            history.append(("newcomer", text))
        elif event.get("event") == "bot" and not _about_the_desk(event):
            history.append(("assistant", text))
    return history


def _about_the_desk(event: dict[str, Any]) -> bool:
    """The consent question and other desk notes: nothing the volunteers need to read."""
    custom = (event.get("data") or {}).get("custom") or {}
    return isinstance(custom, dict) and str(custom.get("vraagbaak") or "").startswith("desk_")


def typed_text(tracker: Tracker) -> str | None:
    """The latest message as the user wrote it. ``latest_message`` holds the text our NLU
    component normalised (bot/components/normalizer.py: "።" becomes ".", Arabic vowel marks go);
    volunteers must read the newcomer's own words, which the event keeps."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            text = event.get("text")
            return text if isinstance(text, str) else None
    return None
