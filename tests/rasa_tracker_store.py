"""Rasa's own SQLTrackerStore on PostgreSQL, run with Rasa's interpreter (.venv-rasa/bin/python)
by tests/test_tracker_postgres.py: the tables and rows are exactly those Rasa writes and reads.

    python rasa_tracker_store.py save SENDER...   a short conversation per sender
    python rasa_tracker_store.py dump SENDER...   what Rasa reads back (all sessions)

Prints {sender: [event as Rasa's dict, ...] or null} as JSON. The database comes from PG_HOST,
PG_PORT, PG_DB, PG_USER and PG_PASSWORD (not argv: that is visible to every process).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def store() -> SQLTrackerStore:
    """Creates the tables when they are missing, as the Rasa server does at its start."""
    return SQLTrackerStore(dialect="postgresql", host=os.environ["PG_HOST"], port=int(os.environ["PG_PORT"]),
                           db=os.environ["PG_DB"], username=os.environ["PG_USER"],
                           password=os.environ["PG_PASSWORD"])


def conversation(sender: str) -> list[Event]:
    now = time.time()
    return [
        ActionExecuted("action_session_start", timestamp=now),
        SessionStarted(timestamp=now + 0.001),
        ActionExecuted("action_listen", timestamp=now + 0.002),
        SlotSet("municipality", "haarlem", timestamp=now + 0.003),
        UserUttered(f"Waar vraag ik toeslag aan? ({sender})", intent={"name": "ask", "confidence": 0.9},
                    timestamp=now + 0.004),
        BotUttered("Bij de Belastingdienst.", timestamp=now + 0.005),
        SlotSet("detected_language", "nl", timestamp=now + 0.006),
    ]


async def main(command: str, senders: list[str]) -> dict[str, list[dict] | None]:
    tracker_store = store()
    result: dict[str, list[dict] | None] = {}
    for sender in senders:
        if command == "save":
            await tracker_store.save(DialogueStateTracker.from_events(sender, conversation(sender)))
        tracker = await tracker_store.retrieve_full_tracker(sender)
        result[sender] = None if tracker is None else [event.as_dict() for event in tracker.events]
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2:]))))
