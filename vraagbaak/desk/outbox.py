"""Messages waiting to be pushed to a web widget: a volunteer's answer written by one process
(the Telegram bridge, another gateway) and delivered by whichever gateway holds the widget's
stream (:mod:`vraagbaak.channels.web.push`).

Readers remember the last id they delivered and ask for what came after it, so ids must grow
in the order rows become visible: on PostgreSQL two writers could otherwise commit ids 11 and
then 10, and a reader that saw 11 would never see 10. Every :meth:`Outbox.put` therefore takes
one lock until it commits (SQLite has only one writer at a time anyway), and ids are never
reused. A message is a Rasa-style bot message (``{"text": ..., "custom": {...}}``) as JSON.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from vraagbaak.desk.database import Database
from vraagbaak.desk.times import days_before, now, stamp

#: The lock every writer of the outbox takes (PostgreSQL).
LOCK = "vraagbaak.desk.outbox"
#: Rows deleted per transaction by :meth:`Outbox.purge_older`.
PURGE_BATCH = 2000


class Outbox:
    def __init__(self, database: Database) -> None:
        self.database = database

    def put(self, sender: str, message: dict[str, Any]) -> int:
        """Queue ``message`` for ``sender``'s widget; its id."""
        text = json.dumps(message, ensure_ascii=False)
        with self.database.transaction(lock=LOCK) as session:
            return int(session.execute("INSERT INTO outbox (sender, created_at, message) VALUES (?, ?, ?) RETURNING id",
                                       (sender, stamp(now()), text)).value())

    def after(self, sender: str, after_id: int, limit: int = 50) -> list[tuple[int, dict[str, Any]]]:
        """The sender's messages with an id above ``after_id``, oldest first, at most ``limit``."""
        rows = self.database.query("SELECT id, message FROM outbox WHERE sender = ? AND id > ? ORDER BY id LIMIT ?",
                                   (sender, after_id, limit)).rows
        return [(int(row["id"]), json.loads(row["message"])) for row in rows]

    def latest_id(self) -> int:
        """The newest id (0 when empty): where a reader that just started begins."""
        return int(self.database.query("SELECT max(id) AS id FROM outbox").value() or 0)

    def senders_with_messages_after(self, after_id: int) -> dict[str, int]:
        """Each sender with messages above ``after_id``, and their newest id: one cheap query a
        push hub repeats every half second."""
        rows = self.database.query("SELECT sender, max(id) AS newest FROM outbox WHERE id > ? GROUP BY sender",
                                   (after_id,)).rows
        return {row["sender"]: int(row["newest"]) for row in rows}

    def remove(self, sender: str, message_id: int) -> None:
        """One message delivered some other way (a Telegram chat reached after all)."""
        self.database.write("DELETE FROM outbox WHERE sender = ? AND id = ?", (sender, message_id))

    def forget(self, sender: str) -> int:
        """Delete the sender's messages (/vergeet); how many."""
        return self.database.write("DELETE FROM outbox WHERE sender = ?", (sender,)).rowcount

    def purge_older(self, older_than_days: int, *, dry_run: bool = False, at: datetime | None = None) -> int:
        """Delete messages queued more than ``older_than_days`` days before ``at`` (default now),
        a batch per transaction; how many (in a dry run: how many would go)."""
        cutoff = days_before(older_than_days, at)
        if dry_run:
            return int(self.database.query("SELECT count(*) AS n FROM outbox WHERE created_at < ?", (cutoff,)).value())
        purged = 0
        while True:
            batch = self.database.write("DELETE FROM outbox WHERE id IN "
                                        "(SELECT id FROM outbox WHERE created_at < ? LIMIT ?)",
                                        (cutoff, PURGE_BATCH)).rowcount
            purged += batch
            if batch < PURGE_BATCH:
                return purged
