"""Opening the databases that hold what users said: a SQLite file or a PostgreSQL URL, the same
way for every caller.

Every caller runs while the servers write to the same database (Rasa to its tracker store, the
action server to the records), so each connection waits a bounded time for a lock instead of
failing at once, and each statement is its own short transaction unless the caller asks for one
around a block. Errors become :class:`DatabaseError`, whose message never holds the password.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from vraagbaak.settings import HIDDEN_PASSWORD

#: Seconds to wait for the database (connecting, or a lock another process holds).
DB_TIMEOUT_S = 10


class DatabaseError(Exception):
    """The database could not be reached or refused a statement. The message never holds the
    database's password."""


@dataclass(frozen=True)
class Table:
    """One table on an open connection. Statements name it ``{table}`` and mark values with
    ``?``, so that one text serves SQLite and PostgreSQL; values are always parameters, never part
    of the SQL (the statements hold no other ``?`` or ``%``)."""

    connection: sqlite3.Connection | psycopg.Connection[Any]
    name: str

    def execute(self, statement: str, *values: object) -> Any:
        """The cursor, for ``fetchone()`` or ``rowcount``."""
        text = statement.format(table=f'"{self.name}"')
        if isinstance(self.connection, psycopg.Connection):
            text = text.replace("?", "%s")
        return self.connection.execute(text, values)


@contextmanager
def open_table(location: Path | str, name: str, secrets: tuple[str, ...] = (),
               autocommit: bool = False) -> Iterator[Table | None]:
    """``name`` in a SQLite file (a path) or a PostgreSQL database (a URL); None when the file
    or the table does not exist, which is never created here. ``autocommit``: every statement is
    its own transaction; else the block is one, committed when it ends without an error.
    ``secrets``: the URL's password, as written and decoded, kept out of error messages."""
    if not re.fullmatch(r"\w+", name):
        raise ValueError(f"not a table name: {name!r}")
    if isinstance(location, Path):
        with _sqlite_table(location, name, autocommit) as table:
            yield table
    else:
        with _postgres_table(location, name, secrets, autocommit) as table:
            yield table


@contextmanager
def _sqlite_table(path: Path, name: str, autocommit: bool) -> Iterator[Table | None]:
    if not path.is_file():
        yield None
        return
    try:
        # timeout: SQLite's busy timeout, how long a statement waits for another writer's lock.
        db = sqlite3.connect(path, timeout=DB_TIMEOUT_S, isolation_level=None if autocommit else "DEFERRED")
        try:
            found = db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
            with db:  # commits the block (a no-op in autocommit mode), rolls back on an error
                yield Table(db, name) if found else None
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise DatabaseError(f"SQLite: {type(exc).__name__}: {exc}") from None


@contextmanager
def _postgres_table(url: str, name: str, secrets: tuple[str, ...], autocommit: bool) -> Iterator[Table | None]:
    """The table is looked up on the connection's search_path, as Rasa's is."""
    try:
        with psycopg.connect(url, connect_timeout=DB_TIMEOUT_S, autocommit=autocommit) as db:
            # For the whole session: a lock held by Rasa makes a statement wait, not hang.
            db.execute("SELECT set_config('statement_timeout', %s, false)", (f"{DB_TIMEOUT_S}s",))
            (found,) = db.execute("SELECT to_regclass(%s)", (name,)).fetchone()  # type: ignore[misc]
            yield Table(db, name) if found is not None else None
    except psycopg.Error as exc:
        # libpq's messages name host, port and user, and can quote parts of the URL it could not
        # parse: whatever they say, the password goes. `from None`: no traceback keeps the URL.
        message = str(exc).strip()
        for secret in sorted(secrets, key=len, reverse=True):
            message = message.replace(secret, HIDDEN_PASSWORD)
        raise DatabaseError(f"PostgreSQL: {type(exc).__name__}: {message}") from None
