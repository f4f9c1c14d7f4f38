"""/vergeet for the desk: one newcomer's tickets, their messages and their outbox, deleted.

The records (feedback, hand-offs, unanswered questions) hold nothing that identifies anyone,
so there is nothing of theirs to delete.
"""

from __future__ import annotations

from vraagbaak.desk.database import open_database
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import TicketStore
from vraagbaak.settings import Settings


def forget_sender(settings: Settings, sender: str) -> int:
    """Delete everything the desk keeps about ``sender``; how many rows went. Raises
    :class:`~vraagbaak.desk.database.DatabaseError` (no password in it) when the database fails."""
    database = open_database(settings)
    try:
        # TicketStore.forget_sender empties the outbox in the same transaction; Outbox.forget
        # is the outbox's own way, kept for callers that hold only an Outbox.
        return TicketStore(database).forget_sender(sender) + Outbox(database).forget(sender)
    finally:
        database.close()
