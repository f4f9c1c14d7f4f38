"""Deleting one sender's rows from the database of Rasa's SQL tracker store.

Rasa 3.6's ``SQLTrackerStore`` keeps every event as a row of its ``events`` table and never
deletes one, not even when the conversation is replaced through the HTTP API, so /vergeet deletes
the rows itself: in the SQLite file of `make run`, or in docker compose's PostgreSQL database
(:attr:`Settings.tracker_db`). The sender is always a query parameter, never part of the SQL.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
from psycopg import sql

from vraagbaak.settings import HIDDEN_PASSWORD, Settings

#: The table Rasa's SQLTrackerStore keeps every event in, one row per event with its sender_id.
SQL_EVENTS_TABLE = "events"
#: Seconds to wait for the database (connecting, or a lock Rasa holds); the chat waits meanwhile.
DB_TIMEOUT_S = 10


class TrackerDbError(Exception):
    """The tracker store's database could not be reached or refused the deletion. The message
    never holds the database's password."""


def delete_sender_events(settings: Settings, sender: str) -> int | None:
    """Delete ``sender``'s rows; how many, or None when the database has no events table (no
    file, or Rasa never stored anything there)."""
    url = settings.tracker_db_url
    if url is None:
        return _delete_sqlite(settings.tracker_db_path, sender)
    return _delete_postgres(url, sender, settings.tracker_db_secrets)


def _delete_sqlite(path: Path, sender: str) -> int | None:
    if not path.is_file():
        return None
    try:
        with sqlite3.connect(path, timeout=DB_TIMEOUT_S) as db:
            exists = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                                (SQL_EVENTS_TABLE,)).fetchone()
            if not exists:
                return None
            return db.execute(f"DELETE FROM {SQL_EVENTS_TABLE} WHERE sender_id = ?", (sender,)).rowcount
    except sqlite3.Error as exc:
        raise TrackerDbError(f"SQLite: {type(exc).__name__}: {exc}") from None


def _delete_postgres(url: str, sender: str, secrets: tuple[str, ...]) -> int | None:
    """In one transaction; the table is looked up on the connection's search_path, as Rasa's is."""
    try:
        with psycopg.connect(url, connect_timeout=DB_TIMEOUT_S) as db:
            db.execute("SELECT set_config('statement_timeout', %s, true)", (f"{DB_TIMEOUT_S}s",))
            (table,) = db.execute("SELECT to_regclass(%s)", (SQL_EVENTS_TABLE,)).fetchone()
            if table is None:
                return None
            delete = sql.SQL("DELETE FROM {} WHERE sender_id = %s").format(
                sql.Identifier(SQL_EVENTS_TABLE))
            return db.execute(delete, (sender,)).rowcount
    except psycopg.Error as exc:
        # libpq's messages name host, port and user, and can quote parts of the URL it could not
        # parse: whatever they say, the password goes. `from None`: no traceback keeps the URL.
        message = str(exc).strip()
        for secret in sorted(secrets, key=len, reverse=True):
            message = message.replace(secret, HIDDEN_PASSWORD)
        raise TrackerDbError(f"PostgreSQL: {type(exc).__name__}: {message}") from None
