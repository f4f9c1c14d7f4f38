"""Durable records of what users told us: feedback, hand-off requests, unanswered questions.

Nothing here stores who the user is: no sender id, chat id or name is ever written, so a
question text can never be traced back to a person from these tables. (The desk's tickets,
which must know whom to answer, are :mod:`vraagbaak.desk.tickets`, deleted on request.)
"""

from __future__ import annotations

from typing import Any

from vraagbaak.desk.database import Database, open_database
from vraagbaak.desk.times import now, stamp
from vraagbaak.settings import Settings

__all__ = ["MAX_STORED_CHARS", "TABLES", "TIME_COLUMN", "Records", "stamp"]

#: The tables of the records, each with its time column ``created_at`` (:func:`stamp`), which
#: `vraagbaak privacy purge` deletes from.
TABLES = ("feedback", "handoff", "unanswered")
TIME_COLUMN = "created_at"
#: Question texts are cut to this length before they are stored.
MAX_STORED_CHARS = 1000


class Records:
    """Feedback, hand-offs and unanswered questions in the database (SQLite or PostgreSQL)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    @classmethod
    def open(cls, settings: Settings) -> Records:
        """The records in the database the settings name, migrated to the newest schema."""
        return cls(open_database(settings))

    def _insert(self, table: str, **values: Any) -> None:
        if "question" in values and values["question"] is not None:
            values["question"] = str(values["question"])[:MAX_STORED_CHARS]
        columns = ", ".join([TIME_COLUMN, *values])
        marks = ", ".join("?" * (len(values) + 1))
        self.database.write(f"INSERT INTO {table} ({columns}) VALUES ({marks})", (stamp(now()), *values.values()))

    def feedback(self, helpful: bool, article_id: str | None, lang: str | None, municipality: str | None,
                 question: str | None) -> None:
        self._insert("feedback", article_id=article_id, lang=lang, municipality=municipality,
                     helpful=int(helpful), question=question)

    def handoff(self, lang: str | None, municipality: str | None, question: str | None) -> None:
        self._insert("handoff", lang=lang, municipality=municipality, question=question)

    def unanswered(self, lang: str | None, municipality: str | None, question: str, reason: str,
                   nearest_article: str | None, confidence: float) -> None:
        self._insert("unanswered", lang=lang, municipality=municipality, question=question, reason=reason,
                     nearest_article=nearest_article, confidence=float(confidence))

    def rows(self, table: str) -> list[dict[str, Any]]:
        if table not in TABLES:
            raise ValueError(table)
        return self.database.query(f"SELECT * FROM {table} ORDER BY id").rows
