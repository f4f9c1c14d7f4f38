"""The one way to the database of records (feedback, hand-offs, unanswered questions) and of the
volunteers' desk (tickets, the outbox): a SQLite file under `make run`, or PostgreSQL
(:attr:`Settings.database_url`) when several servers on several machines write to it.

Callers write each statement once and mark values with ``?``; for PostgreSQL the layer turns
them into psycopg's ``%s`` (and a literal ``%`` into ``%%``), so a statement must hold no other
``?``: values are always parameters, never part of the SQL. Rows come back as dicts.

Each thread has its own connection (SQLite objects belong to the thread that made them; a
psycopg connection serves one statement at a time), closed when the thread ends. Statements run
in autocommit, so a reader never holds a lock; :meth:`Database.transaction` groups writes. A
PostgreSQL connection that dropped (a server restart, an idle timeout on the way) is made again
once: a read is simply retried, a transaction only when its ``BEGIN`` failed, so nothing is
ever written twice. Errors become :class:`DatabaseError`, whose message never holds the password.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Literal, TypeVar

import psycopg
from psycopg.rows import dict_row

from vraagbaak.desk import migrations
# One error and one wait for every database of ours, the tracker store's included.
from vraagbaak.privacy.db import DB_TIMEOUT_S, DatabaseError
from vraagbaak.settings import HIDDEN_PASSWORD, Settings

log = logging.getLogger("vraagbaak.desk")

Engine = Literal["sqlite", "postgresql"]
Row = dict[str, Any]
T = TypeVar("T")

_ENGINE_ERRORS = (sqlite3.Error, psycopg.Error)


@dataclass(frozen=True)
class Result:
    """A statement's outcome, read whole before the transaction ends."""

    rows: list[Row] = field(default_factory=list)
    rowcount: int = 0

    def first(self) -> Row | None:
        return self.rows[0] if self.rows else None

    def value(self) -> Any:
        """The first column of the first row (None without rows): for ``count(*)``, ``max(id)``."""
        return next(iter(self.rows[0].values())) if self.rows else None


def for_engine(statement: str, engine: Engine) -> str:
    """``statement`` as the engine's driver takes it: ``?`` marks for SQLite, ``%s`` for psycopg."""
    return statement if engine == "sqlite" else statement.replace("%", "%%").replace("?", "%s")


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock``, from a readable name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Session:
    """Statements on one connection inside one transaction (:meth:`Database.transaction`)."""

    def __init__(self, database: Database, connection: Any) -> None:
        self._database = database
        self._connection = connection

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Result:
        try:
            return _run(self._connection, self._database.engine, statement, params)
        except _ENGINE_ERRORS as exc:
            raise self._database.error(exc) from exc

    def lock(self, name: str) -> None:
        """Serialise with every other transaction taking the same lock, until this one ends.
        SQLite's ``BEGIN IMMEDIATE`` already holds the database's one write lock."""
        if self._database.engine == "postgresql":
            self.execute("SELECT pg_advisory_xact_lock(?)", (lock_key(name),))


def _run(connection: Any, engine: Engine, statement: str, params: Sequence[Any]) -> Result:
    cursor = connection.execute(for_engine(statement, engine), tuple(params))
    rows = list(cursor.fetchall()) if cursor.description else []
    return Result(rows, cursor.rowcount)


class Database:
    """A SQLite file or a PostgreSQL database; build one with :func:`open_database`."""

    def __init__(self, engine: Engine, connect: Callable[[], Any], shown: str,
                 secrets: tuple[str, ...] = ()) -> None:
        self.engine: Engine = engine
        #: Where the data is, fit for logs and messages (no password).
        self.shown = shown
        self._connect = connect
        self._secrets = secrets
        self._local = threading.local()
        #: Every thread's connection, for close(); a thread's leaves when the thread ends.
        self._connections: set[Any] = set()
        self._closed = False

    def __repr__(self) -> str:
        return f"Database({self.engine}, {self.shown})"

    # --- statements -----------------------------------------------------------------------------
    def query(self, statement: str, params: Sequence[Any] = ()) -> Result:
        """One statement in autocommit (inside this thread's open transaction, if any); for reads.
        Retried once on a PostgreSQL connection that dropped."""
        session: Session | None = getattr(self._local, "session", None)
        if session is not None:
            return session.execute(statement, params)
        return self._retrying(lambda connection: _run(connection, self.engine, statement, params))

    def write(self, statement: str, params: Sequence[Any] = ()) -> Result:
        """One statement in a transaction of its own: never applied twice."""
        with self.transaction() as session:
            return session.execute(statement, params)

    @contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[Session]:
        """A transaction for the block, committed when it ends without an error. ``lock``: a
        name to serialise on across processes (:meth:`Session.lock`). SQLite begins with
        ``BEGIN IMMEDIATE``: the write lock from the start, so two writers never deadlock. A
        transaction opened inside another on the same thread joins it."""
        outer: Session | None = getattr(self._local, "session", None)
        if outer is not None:
            if lock:
                outer.lock(lock)
            yield outer
            return
        begin = "BEGIN IMMEDIATE" if self.engine == "sqlite" else "BEGIN"

        def start(connection: Any) -> Any:
            connection.execute(begin)
            return connection

        connection = self._retrying(start)
        session = Session(self, connection)
        self._local.session = session
        try:
            if lock:
                session.lock(lock)
            yield session
        except BaseException:
            self._local.session = None
            self._rollback(connection)
            raise
        self._local.session = None
        try:
            connection.execute("COMMIT")
        except _ENGINE_ERRORS as exc:
            self._rollback(connection)
            raise self.error(exc) from exc

    def close(self) -> None:
        """Close every thread's connection; the database is not used afterwards."""
        self._closed = True
        for connection in self._connections.copy():  # atomic, unlike iterating
            _release(self._connections, connection)

    # --- connections ----------------------------------------------------------------------------
    def error(self, exc: BaseException) -> DatabaseError:
        """``exc`` as a :class:`DatabaseError` whose message holds no password."""
        message = str(exc).strip()
        for secret in sorted(self._secrets, key=len, reverse=True):
            message = message.replace(secret, HIDDEN_PASSWORD)
        engine = "SQLite" if self.engine == "sqlite" else "PostgreSQL"
        return DatabaseError(f"{engine}: {type(exc).__name__}: {message}")

    def _connection(self) -> Any:
        if self._closed:
            raise DatabaseError(f"the database {self.shown} was closed")
        held: list[Any] | None = getattr(self._local, "held", None)
        if held is None:
            # This thread's connection, closed when the thread ends: a worker pool's threads come
            # and go. One finalizer per thread, whatever it reconnects.
            held = self._local.held = [None]
            weakref.finalize(threading.current_thread(), _release_held, self._connections, held)
        if held[0] is None:
            try:
                held[0] = self._connect()
            except _ENGINE_ERRORS as exc:
                # `from None`: no chained traceback keeps the URL or the password.
                raise self.error(exc) from None
            self._connections.add(held[0])
        return held[0]

    def _retrying(self, work: Callable[[Any], T]) -> T:
        connection = self._connection()
        try:
            return work(connection)
        except psycopg.OperationalError as exc:
            if not (connection.broken or connection.closed):
                raise self.error(exc) from exc
            log.warning("database connection dropped, connecting again",
                        extra={"engine": self.engine, "error": type(exc).__name__})
            self._drop(connection)
        except _ENGINE_ERRORS as exc:
            raise self.error(exc) from exc
        try:
            return work(self._connection())
        except _ENGINE_ERRORS as exc:
            raise self.error(exc) from exc

    def _rollback(self, connection: Any) -> None:
        try:
            connection.execute("ROLLBACK")
        except _ENGINE_ERRORS:
            self._drop(connection)  # a connection that cannot roll back is not used again

    def _drop(self, connection: Any) -> None:
        held = getattr(self._local, "held", None)
        if held is not None and held[0] is connection:
            held[0] = None
        _release(self._connections, connection)


def _release_held(connections: set[Any], held: list[Any]) -> None:
    if held[0] is not None:
        _release(connections, held[0])


def _release(connections: set[Any], connection: Any) -> None:
    """Close ``connection`` and forget it (set.discard is atomic: any thread may call this)."""
    connections.discard(connection)
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - closing a dead connection has nothing left to say
        pass


def _dict_row(cursor: sqlite3.Cursor, row: tuple[Any, ...]) -> Row:
    return {column[0]: value for column, value in zip(cursor.description, row)}


def _connect_sqlite(path: Path) -> sqlite3.Connection:
    # timeout: SQLite's busy timeout, how long a statement waits for another writer's lock.
    # isolation_level=None: autocommit; transactions are explicit (BEGIN IMMEDIATE).
    # check_same_thread=False only so that close() may close it from another thread.
    connection = sqlite3.connect(path, timeout=DB_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    connection.row_factory = _dict_row
    connection.execute("PRAGMA foreign_keys = ON")
    return connection


def _connect_postgres(url: str) -> psycopg.Connection[Any]:
    connection = psycopg.connect(url, autocommit=True, connect_timeout=DB_TIMEOUT_S, row_factory=dict_row)
    # For the whole session: a lock held elsewhere makes a statement wait, not hang.
    connection.execute("SELECT set_config('statement_timeout', %s, false)", (f"{DB_TIMEOUT_S}s",))
    return connection


def _use_wal(database: Database) -> None:
    """WAL: readers never block the writer; it stays set in the file. Switching needs the file to
    itself and SQLite does not wait for that (no busy timeout), so two servers creating the file
    at once would fail: the loser tries again until the winner has switched it."""
    deadline = time.monotonic() + DB_TIMEOUT_S
    while True:
        try:
            database.query("PRAGMA journal_mode=WAL")
            return
        except DatabaseError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def open_database(settings: Settings, migrate: bool = True) -> Database:
    """The database :attr:`Settings.database_url` names, or the SQLite file
    :attr:`Settings.database_path` when it is empty; migrated to the newest schema."""
    if settings.database_url:
        database = Database("postgresql", partial(_connect_postgres, settings.database_url),
                            settings.database_shown, settings.database_secrets)
    else:
        settings.database_path.parent.mkdir(parents=True, exist_ok=True)
        database = Database("sqlite", partial(_connect_sqlite, settings.database_path), settings.database_shown)
    try:
        if database.engine == "sqlite":
            _use_wal(database)
        if migrate:
            migrations.migrate(database)
    except BaseException:
        database.close()
        raise
    log.info("database opened", extra={"engine": database.engine, "database": database.shown})
    return database
