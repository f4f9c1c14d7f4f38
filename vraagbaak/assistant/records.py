"""Durable records of what users told us: feedback, hand-off requests, unanswered questions.

Nothing here stores who the user is: no sender id, chat id or name is ever written, so a
question text can never be traced back to a person from this database.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, article_id TEXT, lang TEXT,
    municipality TEXT, helpful INTEGER NOT NULL, question TEXT
);
CREATE TABLE IF NOT EXISTS handoff (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, lang TEXT, municipality TEXT, question TEXT
);
CREATE TABLE IF NOT EXISTS unanswered (
    id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, lang TEXT, municipality TEXT, question TEXT,
    reason TEXT, nearest_article TEXT, confidence REAL
);
"""
#: The tables above, each with its time column ``created_at`` (:func:`stamp`), which
#: `vraagbaak privacy purge` deletes from.
TABLES = ("feedback", "handoff", "unanswered")
TIME_COLUMN = "created_at"
#: Question texts are cut to this length before they are stored.
MAX_STORED_CHARS = 1000


def stamp(moment: datetime) -> str:
    """A time as stored in ``created_at``: UTC, to the second, so that stamps sort as text."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def _now() -> str:
    return stamp(datetime.now(timezone.utc))


class Records:
    """A small SQLite store; one connection per thread, WAL so readers never block writers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=10)
            connection.row_factory = sqlite3.Row
            self._local.connection = connection
        return connection

    def _insert(self, table: str, **values: Any) -> None:
        if "question" in values and values["question"] is not None:
            values["question"] = str(values["question"])[:MAX_STORED_CHARS]
        columns = ", ".join(["created_at", *values])
        marks = ", ".join("?" * (len(values) + 1))
        with self._connect() as db:
            db.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", (_now(), *values.values()))

    def feedback(self, helpful: bool, article_id: str | None, lang: str | None, municipality: str | None,
                 question: str | None) -> None:
        self._insert("feedback", article_id=article_id, lang=lang, municipality=municipality,
                     helpful=int(helpful), question=question)

    def handoff(self, lang: str | None, municipality: str | None, question: str | None) -> None:
        self._insert("handoff", lang=lang, municipality=municipality, question=question)

    def unanswered(self, lang: str | None, municipality: str | None, question: str, reason: str,
                   nearest_article: str | None, confidence: float) -> None:
        self._insert("unanswered", lang=lang, municipality=municipality, question=question, reason=reason,
                     nearest_article=nearest_article, confidence=confidence)

    def rows(self, table: str) -> list[dict[str, Any]]:
        if table not in TABLES:
            raise ValueError(table)
        with self._connect() as db:
            return [dict(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY id")]
