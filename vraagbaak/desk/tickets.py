"""The volunteers' desk: a ticket per newcomer who asked for a person, and what was said in it.

A ticket knows the newcomer's Rasa sender id, because the answer must reach them; volunteers see
only the ticket number. So these rows identify a person: they are deleted when the newcomer asks
(/vergeet, :meth:`TicketStore.forget_sender`) and some days after the ticket closed
(:meth:`TicketStore.purge_closed`, `vraagbaak privacy purge`). Message texts are stored with
BSN-like numbers and passport-like codes masked (:mod:`vraagbaak.desk.masking`). Logs name
ticket numbers, never a sender together with a text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from vraagbaak.desk.database import Database, Row
from vraagbaak.desk.masking import mask_identifiers
from vraagbaak.desk.times import days_before, now, parse, stamp

log = logging.getLogger("vraagbaak.desk")

CHANNELS = ("web", "telegram")
AUTHORS = ("newcomer", "volunteer", "assistant", "system")
OPEN, CLOSED = "open", "closed"
#: Longest message text stored: Telegram's own limit, so nothing a volunteer sent is cut.
MAX_TEXT_CHARS = 4096
#: Longest topic stored (an article id, a few words).
MAX_TOPIC_CHARS = 200
#: Tickets deleted per transaction by :meth:`TicketStore.purge_closed`.
PURGE_BATCH = 500


@dataclass(frozen=True)
class Ticket:
    id: int  # the ticket number volunteers see
    sender: str  # Rasa's sender id: never shown to volunteers
    channel: str
    lang: str | None
    municipality: str | None
    topic: str | None
    status: str
    created_at: datetime
    closed_at: datetime | None
    first_reply_at: datetime | None
    volunteer_chat_id: int | None
    volunteer_thread_id: int | None
    #: The topic is closed in Telegram (after /klaar, or by the bridge after the newcomer's "done").
    topic_closed: bool = False
    #: The newcomer was told that nobody answered in time (:meth:`TicketStore.waiting_too_long`).
    told_waiting: bool = False

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    @classmethod
    def from_row(cls, row: Row) -> Ticket:
        return cls(id=int(row["id"]), sender=row["sender"], channel=row["channel"], lang=row["lang"],
                   municipality=row["municipality"], topic=row["topic"], status=row["status"],
                   created_at=parse(row["created_at"]),  # type: ignore[arg-type] - NOT NULL
                   closed_at=parse(row["closed_at"]), first_reply_at=parse(row["first_reply_at"]),
                   volunteer_chat_id=row["volunteer_chat_id"], volunteer_thread_id=row["volunteer_thread_id"],
                   topic_closed=bool(row["topic_closed"]), told_waiting=bool(row["told_waiting"]))


@dataclass(frozen=True)
class TicketMessage:
    id: int
    ticket_id: int
    created_at: datetime
    author: str
    volunteer_name: str | None  # the name the volunteer chose to show
    text: str

    @classmethod
    def from_row(cls, row: Row) -> TicketMessage:
        return cls(id=int(row["id"]), ticket_id=int(row["ticket_id"]),
                   created_at=parse(row["created_at"]),  # type: ignore[arg-type] - NOT NULL
                   author=row["author"], volunteer_name=row["volunteer_name"], text=row["text"])


@dataclass(frozen=True)
class LanguageStats:
    """One language's desk, for `vraagbaak desk status`."""

    open_tickets: int
    #: Seconds the longest-waiting newcomer of an open ticket has waited for a first reply;
    #: 0 when nobody waits.
    oldest_wait_s: int
    #: Share of the stored tickets (open and closed) that a volunteer answered; None without any.
    answered_share: float | None


#: What volunteers saw of a ticket goes with it: its topic waits here for the bridge to delete it.
_QUEUE_TOPICS = ("INSERT INTO topics_to_delete (chat_id, thread_id) "
                 "SELECT volunteer_chat_id, volunteer_thread_id FROM tickets ")


class TicketStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- one ticket -------------------------------------------------------------------------------
    def open(self, sender: str, channel: str, lang: str | None, municipality: str | None,
             topic: str | None) -> Ticket:
        """A new open ticket for ``sender``, or the one already open: never two at once, not even
        when two servers open one at the same moment (a unique index on open tickets)."""
        if channel not in CHANNELS:
            raise ValueError(f"channel must be one of {CHANNELS}, got {channel!r}")
        topic = topic[:MAX_TOPIC_CHARS] if topic else topic
        find = "SELECT * FROM tickets WHERE sender = ? AND status = 'open'"
        created = None
        with self.database.transaction() as session:
            row = session.execute(find, (sender,)).first()
            if row is None:  # looked up first: a conflicting insert would use up a ticket number
                created = session.execute(
                    "INSERT INTO tickets (sender, channel, lang, municipality, topic, status, created_at) "
                    "VALUES (?, ?, ?, ?, ?, 'open', ?) ON CONFLICT (sender) WHERE status = 'open' DO NOTHING "
                    "RETURNING *", (sender, channel, lang, municipality, topic, stamp(now()))).first()
                # Another server opened one since the lookup (PostgreSQL): that one it is.
                row = created or session.execute(find, (sender,)).first()
        if row is None:  # cannot happen: the conflict was an open ticket, and it is still there
            raise RuntimeError("no open ticket after opening one")
        ticket = Ticket.from_row(row)
        if created:
            log.info("ticket opened", extra={"ticket": ticket.id, "lang": lang, "channel": channel})
        return ticket

    def open_for(self, sender: str) -> Ticket | None:
        """The sender's open ticket, if any."""
        return self._one("SELECT * FROM tickets WHERE sender = ? AND status = 'open'", (sender,))

    def get(self, ticket_id: int) -> Ticket | None:
        return self._one("SELECT * FROM tickets WHERE id = ?", (ticket_id,))

    def by_thread(self, chat_id: int, thread_id: int) -> Ticket | None:
        """The ticket whose volunteers' forum topic this is (the newest, should a topic be reused)."""
        return self._one("SELECT * FROM tickets WHERE volunteer_chat_id = ? AND volunteer_thread_id = ? "
                         "ORDER BY id DESC LIMIT 1", (chat_id, thread_id))

    def set_thread(self, ticket_id: int, chat_id: int, thread_id: int) -> None:
        """Where the volunteers talk about this ticket: a Telegram group and its forum topic."""
        self.database.write("UPDATE tickets SET volunteer_chat_id = ?, volunteer_thread_id = ? WHERE id = ?",
                            (chat_id, thread_id, ticket_id))

    def mark_first_reply(self, ticket_id: int) -> bool:
        """Note the time of the first volunteer reply; True only the first time."""
        return self.database.write("UPDATE tickets SET first_reply_at = ? WHERE id = ? AND first_reply_at IS NULL",
                                   (stamp(now()), ticket_id)).rowcount == 1

    def set_reply_to(self, sender: str, sealed: str) -> None:
        """Where the bridge sends the answers for ``sender``'s open ticket: their chat, sealed
        (:func:`vraagbaak.channels.telegram.identity.seal_chat`), useless without the bridge's key."""
        self.database.write("UPDATE tickets SET reply_to = ? WHERE sender = ? AND status = 'open'", (sealed, sender))

    def reply_to(self, sender: str) -> str | None:
        """The sealed chat of ``sender``'s newest ticket that has one (closed too: the note that a
        volunteer closed it comes after the closing)."""
        return self.database.query("SELECT reply_to FROM tickets WHERE sender = ? AND reply_to IS NOT NULL "
                                   "ORDER BY id DESC LIMIT 1", (sender,)).value()

    def set_topic_closed(self, ticket_id: int) -> None:
        self.database.write("UPDATE tickets SET topic_closed = 1 WHERE id = ?", (ticket_id,))

    def mark_told_waiting(self, ticket_id: int) -> bool:
        """Note that the newcomer was told nobody answered yet; True only the first time."""
        return self.database.write("UPDATE tickets SET told_waiting = 1 WHERE id = ? AND told_waiting = 0",
                                   (ticket_id,)).rowcount == 1

    def close(self, ticket_id: int) -> bool:
        """Close an open ticket (its sender may then open a new one); False if it was not open."""
        closed = self.database.write("UPDATE tickets SET status = 'closed', closed_at = ? "
                                     "WHERE id = ? AND status = 'open'", (stamp(now()), ticket_id)).rowcount == 1
        if closed:
            log.info("ticket closed", extra={"ticket": ticket_id})
        return closed

    # --- messages ---------------------------------------------------------------------------------
    def add_message(self, ticket_id: int, author: str, text: str, volunteer_name: str | None = None,
                    posted: bool | None = None) -> TicketMessage:
        """Store one message of the ticket, with identifying numbers masked (:mod:`.masking`).
        ``posted``: already in the volunteers' topic (default: only a volunteer's own words); the
        others wait for the bridge (:meth:`unposted`)."""
        if author not in AUTHORS:
            raise ValueError(f"author must be one of {AUTHORS}, got {author!r}")
        posted = author == "volunteer" if posted is None else posted
        row = self.database.write(
            "INSERT INTO ticket_messages (ticket_id, created_at, author, volunteer_name, text, posted) "
            "VALUES (?, ?, ?, ?, ?, ?) RETURNING *",
            (ticket_id, stamp(now()), author, volunteer_name, mask_identifiers(text)[:MAX_TEXT_CHARS],
             int(posted))).first()
        assert row is not None  # RETURNING gives the row inserted
        return TicketMessage.from_row(row)

    def messages(self, ticket_id: int) -> list[TicketMessage]:
        """The ticket's messages, oldest first."""
        rows = self.database.query("SELECT * FROM ticket_messages WHERE ticket_id = ? ORDER BY id", (ticket_id,)).rows
        return [TicketMessage.from_row(row) for row in rows]

    # --- what the bridge still has to do (vraagbaak.desk.volunteers.VolunteerDesk.tick) -----------
    def without_topic(self, limit: int = 20) -> list[Ticket]:
        """Open tickets that have no volunteers' topic yet, oldest first."""
        return self._many("SELECT * FROM tickets WHERE status = 'open' AND volunteer_thread_id IS NULL "
                          "ORDER BY id LIMIT ?", (limit,))

    def unposted(self, limit: int = 100) -> list[TicketMessage]:
        """Messages not yet posted in their ticket's topic (of tickets that have one), oldest first."""
        rows = self.database.query(
            "SELECT m.* FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id "
            "WHERE m.posted = 0 AND t.volunteer_thread_id IS NOT NULL ORDER BY m.id LIMIT ?", (limit,)).rows
        return [TicketMessage.from_row(row) for row in rows]

    def mark_posted(self, message_ids: list[int]) -> None:
        if message_ids:
            marks = ", ".join("?" * len(message_ids))
            self.database.write(f"UPDATE ticket_messages SET posted = 1 WHERE id IN ({marks})", message_ids)

    def closed_with_open_topic(self, limit: int = 20) -> list[Ticket]:
        """Tickets the newcomer closed whose topic is still open in Telegram."""
        return self._many("SELECT * FROM tickets WHERE status = 'closed' AND topic_closed = 0 "
                          "AND volunteer_thread_id IS NOT NULL ORDER BY id LIMIT ?", (limit,))

    def waiting_too_long(self, waited: timedelta, at: datetime | None = None, limit: int = 20) -> list[Ticket]:
        """Open tickets without a volunteer's reply for longer than ``waited``, not yet told so."""
        cutoff = stamp((at or now()) - waited)
        return self._many("SELECT * FROM tickets WHERE status = 'open' AND first_reply_at IS NULL "
                          "AND told_waiting = 0 AND created_at < ? ORDER BY id LIMIT ?", (cutoff, limit))

    def topics_to_delete(self, limit: int = 20) -> list[tuple[int, int, int]]:
        """(row id, chat id, thread id) of topics whose tickets were forgotten or purged."""
        rows = self.database.query("SELECT id, chat_id, thread_id FROM topics_to_delete ORDER BY id LIMIT ?",
                                   (limit,)).rows
        return [(int(row["id"]), int(row["chat_id"]), int(row["thread_id"])) for row in rows]

    def topic_deleted(self, row_id: int) -> None:
        self.database.write("DELETE FROM topics_to_delete WHERE id = ?", (row_id,))

    # --- deleting ---------------------------------------------------------------------------------
    def forget_sender(self, sender: str) -> int:
        """Delete the sender's tickets, their messages and the sender's outbox, in one
        transaction (/vergeet); how many rows went in all. Their topics wait in
        ``topics_to_delete`` until the bridge deletes them in Telegram."""
        with self.database.transaction() as session:
            session.execute(_QUEUE_TOPICS + "WHERE sender = ? AND volunteer_thread_id IS NOT NULL", (sender,))
            deleted = session.execute("DELETE FROM ticket_messages WHERE ticket_id IN "
                                      "(SELECT id FROM tickets WHERE sender = ?)", (sender,)).rowcount
            tickets = session.execute("DELETE FROM tickets WHERE sender = ?", (sender,)).rowcount
            outbox = session.execute("DELETE FROM outbox WHERE sender = ?", (sender,)).rowcount
        log.info("desk forgot a sender", extra={"tickets": tickets, "messages": deleted, "outbox": outbox})
        return deleted + tickets + outbox

    def purge_closed(self, older_than_days: int, *, dry_run: bool = False, at: datetime | None = None) -> int:
        """Delete the tickets closed more than ``older_than_days`` days ago (before ``at``,
        default now), and those left open that long since they were opened (nobody closed
        them), with their messages, a batch per transaction; how many tickets (in a dry run: how
        many would go). Their topics wait in ``topics_to_delete`` for the bridge."""
        cutoff = days_before(older_than_days, at)
        where = "((status = 'closed' AND closed_at < ?) OR (status = 'open' AND created_at < ?))"
        if dry_run:
            return int(self.database.query(f"SELECT count(*) AS n FROM tickets WHERE {where}",
                                           (cutoff, cutoff)).value())
        purged = 0
        while True:
            with self.database.transaction() as session:
                ids = [row["id"] for row in session.execute(
                    f"SELECT id FROM tickets WHERE {where} ORDER BY id LIMIT ?", (cutoff, cutoff, PURGE_BATCH)).rows]
                if ids:
                    marks = ", ".join("?" * len(ids))
                    session.execute(_QUEUE_TOPICS + f"WHERE id IN ({marks}) AND volunteer_thread_id IS NOT NULL", ids)
                    session.execute(f"DELETE FROM ticket_messages WHERE ticket_id IN ({marks})", ids)
                    session.execute(f"DELETE FROM tickets WHERE id IN ({marks})", ids)
            purged += len(ids)
            if len(ids) < PURGE_BATCH:
                return purged

    # --- the whole desk ---------------------------------------------------------------------------
    def stats(self, at: datetime | None = None) -> dict[str, LanguageStats]:
        """Per language (``?`` for none): open tickets, the oldest wait, the answered share."""
        rows = self.database.query(
            "SELECT lang, count(*) AS tickets, "
            "sum(CASE WHEN status = 'open' THEN 1 ELSE 0 END) AS open_tickets, "
            "sum(CASE WHEN first_reply_at IS NOT NULL THEN 1 ELSE 0 END) AS answered, "
            "min(CASE WHEN status = 'open' AND first_reply_at IS NULL THEN created_at END) AS waiting_since "
            "FROM tickets GROUP BY lang").rows
        moment = at or now()
        found: dict[str, LanguageStats] = {}
        for row in rows:
            since = parse(row["waiting_since"])
            wait = max(0, int((moment - since).total_seconds())) if since else 0
            total = int(row["tickets"])
            found[row["lang"] or "?"] = LanguageStats(int(row["open_tickets"]), wait,
                                                      int(row["answered"]) / total if total else None)
        return dict(sorted(found.items()))

    def _many(self, statement: str, params: tuple[Any, ...]) -> list[Ticket]:
        return [Ticket.from_row(row) for row in self.database.query(statement, params).rows]

    def _one(self, statement: str, params: tuple[Any, ...]) -> Ticket | None:
        row = self.database.query(statement, params).first()
        return Ticket.from_row(row) if row else None
