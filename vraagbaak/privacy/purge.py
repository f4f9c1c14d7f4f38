"""`vraagbaak privacy purge`: delete what users told us once it is older than the retention
period (:attr:`Settings.retention_days`; AVG: kept no longer than needed).

Two databases hold it: Rasa's tracker store (table ``events``, every message, reply and slot of
every conversation; ``timestamp`` is a Unix time) and ours (:mod:`vraagbaak.desk`, a SQLite file or
:attr:`Settings.database_url`): the records (feedback, hand-offs, unanswered questions;
``created_at``), the outbox of messages for web widgets (after the same period) and the volunteers'
desk, whose tickets and their messages go :attr:`Settings.desk_retention_days` after closing. The
purge runs while the servers write to both, so rows go in batches, each its own short transaction:
Rasa or the action server waits for one batch at most, and each batch waits for their locks (the
busy timeout of :mod:`vraagbaak.privacy.db` and :mod:`vraagbaak.desk.database`). Running it again
deletes nothing more; a database or table that does not exist has nothing to purge. Only counts
are reported, never a row's content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from vraagbaak.desk import migrations, records
from vraagbaak.desk.database import Database, open_database
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import TicketStore
from vraagbaak.privacy.db import DatabaseError, open_table
from vraagbaak.privacy.tracker_db import SQL_EVENTS_TABLE, tracker_location
from vraagbaak.settings import Settings

#: Rows deleted per transaction: small enough that a writer waiting for the lock never notices.
BATCH_ROWS = 2000
#: Rasa's column with an event's time (a Unix timestamp, float).
EVENTS_TIME_COLUMN = "timestamp"
#: What the desk's lines are called in the report.
TICKETS_LABEL, OUTBOX_LABEL = "desk tickets", "outbox"


@dataclass(frozen=True)
class Target:
    """One table to purge: where it is and how its rows tell their age."""

    label: str
    location: Path | str  # a SQLite file or a PostgreSQL URL
    shown: str  # the location fit for output: no password
    table: str
    time_column: str
    before: float | str  # rows whose time_column is below this go
    secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Purged:
    """Rows of one table older than the cutoff: deleted, or in a dry run counted; None when the
    database or the table does not exist, or when the database failed (``error``, which never
    holds its password)."""

    label: str
    database: str
    rows: int | None
    error: str | None = None
    #: Said after the count: which rows, when not simply those past the report's period.
    note: str = ""


@dataclass
class PurgeReport:
    days: int
    cutoff: datetime
    dry_run: bool
    tables: list[Purged] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        """One line per table that could not be purged."""
        return [f"{p.label} ({p.database}): {p.error}" for p in self.tables if p.error]


def targets(settings: Settings, cutoff: datetime) -> list[Target]:
    """The tracker store's events first, then each table of our records."""
    found = [Target("tracker events", tracker_location(settings), settings.tracker_db_shown, SQL_EVENTS_TABLE,
                    EVENTS_TIME_COLUMN, cutoff.timestamp(), settings.tracker_db_secrets)]
    ours = settings.database_url or settings.database_path
    return found + [Target(table, ours, settings.database_shown, table, records.TIME_COLUMN, records.stamp(cutoff),
                           settings.database_secrets) for table in records.TABLES]


def purge(settings: Settings, days: int | None = None, dry_run: bool = False,
          now: datetime | None = None) -> PurgeReport:
    """Delete (``dry_run``: count) every row older than ``days`` (default: the retention period).
    A table that fails is reported in :attr:`PurgeReport.errors`; the others are purged still."""
    days = settings.retention_days if days is None else days
    if days < 1:
        raise ValueError(f"the retention period must be at least 1 day, got {days}")
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
    report = PurgeReport(days, cutoff, dry_run)
    for target in targets(settings, cutoff):
        try:
            report.tables.append(Purged(target.label, target.shown, purge_table(target, dry_run)))
        except DatabaseError as exc:
            report.tables.append(Purged(target.label, target.shown, None, str(exc)))
    report.tables.extend(purge_desk(settings, days, dry_run, now))
    return report


def purge_desk(settings: Settings, days: int, dry_run: bool, now: datetime | None) -> list[Purged]:
    """Closed tickets past :attr:`Settings.desk_retention_days` (with their messages), and outbox
    rows past ``days``. A SQLite file that does not exist is not created for it."""
    shown = settings.database_shown
    jobs: list[tuple[str, str, Callable[[Database], int]]] = [
        (TICKETS_LABEL, f"closed, or left open, more than {settings.desk_retention_days} days ago",
         lambda database: TicketStore(database).purge_closed(settings.desk_retention_days, dry_run=dry_run, at=now)),
        (OUTBOX_LABEL, "", lambda database: Outbox(database).purge_older(days, dry_run=dry_run, at=now)),
    ]
    if not settings.database_url and not settings.database_path.is_file():
        return [Purged(label, shown, None, note=note) for label, note, _ in jobs]
    try:
        # A dry run changes nothing, not even the schema: without the desk's tables, nothing stored.
        database = open_database(settings, migrate=not dry_run)
    except DatabaseError as exc:
        return [Purged(label, shown, None, str(exc), note) for label, note, _ in jobs]
    try:
        stored = not dry_run or migrations.current_version(database) >= migrations.DESK_VERSION
        found = []
        for label, note, job in jobs:
            try:
                found.append(Purged(label, shown, job(database) if stored else None, note=note))
            except DatabaseError as exc:
                found.append(Purged(label, shown, None, str(exc), note))
        return found
    except DatabaseError as exc:  # the schema's version could not be read
        return [Purged(label, shown, None, str(exc), note) for label, note, _ in jobs]
    finally:
        database.close()


def purge_table(target: Target, dry_run: bool) -> int | None:
    """How many rows went (or would go); None when there is no such database or table."""
    with open_table(target.location, target.table, target.secrets, autocommit=True) as table:
        if table is None:
            return None
        older = f"{target.time_column} < ?"
        if dry_run:
            return int(table.execute(f"SELECT count(*) FROM {{table}} WHERE {older}", target.before).fetchone()[0])
        deleted = 0
        while True:
            batch = table.execute(f"DELETE FROM {{table}} WHERE id IN (SELECT id FROM {{table}} WHERE {older} LIMIT ?)",
                                  target.before, BATCH_ROWS).rowcount
            deleted += batch
            if batch < BATCH_ROWS:
                return deleted


def render_purge(report: PurgeReport) -> str:
    """One line per table: the label, the count, the database (counts only, never content)."""
    when = f"older than {report.cutoff:%Y-%m-%d %H:%M} UTC"
    if report.dry_run:
        verb, head = "to delete", f"Retention period {report.days} days, dry run (nothing deleted): rows {when}."
    else:
        verb, head = "deleted", f"Retention period {report.days} days: deleting rows {when}."
    lines = [head]
    width = max((len(p.label) for p in report.tables), default=0)
    digits = max((len(str(p.rows)) for p in report.tables if p.rows is not None), default=1)
    for purged in report.tables:
        if purged.error:
            what = "NOT PURGED: the database failed (see the error)"
        elif purged.rows is None:
            what = "nothing stored (no database or table)"
        else:
            what = f"{purged.rows:>{digits}} {'row' if purged.rows == 1 else 'rows'} {verb}"
            if purged.note:
                what += f" ({purged.note})"
        lines.append(f"  {purged.label:<{width}}  {what}  [{purged.database}]")
    return "\n".join(lines)
