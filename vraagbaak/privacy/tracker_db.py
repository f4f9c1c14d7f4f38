"""Deleting one sender's rows from the database of Rasa's SQL tracker store.

Rasa 3.6's ``SQLTrackerStore`` keeps every event as a row of its ``events`` table and never
deletes one, not even when the conversation is replaced through the HTTP API, so /vergeet and
the widget's new conversation delete the rows themselves: in the SQLite file of `make run`, or in
docker compose's PostgreSQL database (:attr:`Settings.tracker_db`). The sender is always a query
parameter, never part of the SQL.
"""

from __future__ import annotations

from pathlib import Path

from vraagbaak.privacy.db import open_table
from vraagbaak.settings import Settings

#: The table Rasa's SQLTrackerStore keeps every event in, one row per event with its sender_id
#: (indexed) and its time as a Unix timestamp (``timestamp``, a float).
SQL_EVENTS_TABLE = "events"


def tracker_location(settings: Settings) -> Path | str:
    """The tracker store's database as :func:`~vraagbaak.privacy.db.open_table` takes it."""
    return settings.tracker_db_url or settings.tracker_db_path


def delete_sender_events(settings: Settings, sender: str) -> int | None:
    """Delete ``sender``'s rows, in one transaction; how many, or None when the database has no
    events table (no file, or Rasa never stored anything there). Raises
    :class:`~vraagbaak.privacy.db.DatabaseError`."""
    with open_table(tracker_location(settings), SQL_EVENTS_TABLE, settings.tracker_db_secrets) as events:
        if events is None:
            return None
        return int(events.execute("DELETE FROM {table} WHERE sender_id = ?", sender).rowcount)
