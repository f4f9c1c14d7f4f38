"""Rasa's own SQLTrackerStore on PostgreSQL or SQLite, run with Rasa's interpreter
(.venv-rasa/bin/python) by tests/test_tracker_postgres.py and tests/test_privacy_purge.py: the
tables and rows are exactly those Rasa writes and reads.

    python rasa_tracker_store.py save SENDER...   a short conversation per sender
    python rasa_tracker_store.py save --days-ago 100,0 SENDER...
                                                  one conversation per age, 100 days ago and now
    python rasa_tracker_store.py dump SENDER...   what Rasa reads back (all sessions)

Prints {sender: [event as Rasa's dict, ...] or null} as JSON. The database is the SQLite file
TRACKER_SQLITE when that is set, else PostgreSQL from PG_HOST, PG_PORT, PG_DB, PG_USER and
PG_PASSWORD (not argv: that is visible to every process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker


def store() -> SQLTrackerStore:
    """Creates the tables when they are missing, as the Rasa server does at its start."""
    if os.environ.get("TRACKER_SQLITE"):
        return SQLTrackerStore(dialect="sqlite", db=os.environ["TRACKER_SQLITE"])
    return SQLTrackerStore(dialect="postgresql", host=os.environ["PG_HOST"], port=int(os.environ["PG_PORT"]),
                           db=os.environ["PG_DB"], username=os.environ["PG_USER"],
                           password=os.environ["PG_PASSWORD"])


def conversation(sender: str, days_ago: float = 0.0) -> list[Event]:
    now = time.time() - days_ago * 86400
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


async def main(command: str, senders: list[str], ages: list[float]) -> dict[str, list[dict] | None]:
    tracker_store = store()
    result: dict[str, list[dict] | None] = {}
    for sender in senders:
        if command == "save":
            events = [event for days_ago in ages for event in conversation(sender, days_ago)]
            await tracker_store.save(DialogueStateTracker.from_events(sender, events))
        tracker = await tracker_store.retrieve_full_tracker(sender)
        result[sender] = None if tracker is None else [event.as_dict() for event in tracker.events]
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=("save", "dump"))
    parser.add_argument("--days-ago", default="0", help="comma-separated ages in days, one conversation each")
    parser.add_argument("senders", nargs="+")
    args = parser.parse_args()
    print(json.dumps(asyncio.run(main(args.command, args.senders, [float(d) for d in args.days_ago.split(",")]))))
