"""The desk's database layer on both engines: VRAAGBAAK_DATABASE_URL, statements written once,
migrations (twice, by two processes at once, on a file made before migrations existed), the
locks that make that safe, writers in several processes, and a dropped PostgreSQL connection."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from desk_helpers import (ENGINES, WAIT_S, database, desk_settings, open_and_report, run_together,  # noqa: F401
                          settings_on, write_handoffs)
from postgres_helpers import PASSWORD, Postgres, postgres  # noqa: F401
from vraagbaak.desk import migrations
from vraagbaak.desk.database import Database, DatabaseError, for_engine, lock_key, open_database
from vraagbaak.desk.records import Records
from vraagbaak.settings import Settings

SECRET = "n0t-in-any-message"
#: The schema records.py created before migrations existed, verbatim.
OLD_SCHEMA = """
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
DESK_TABLES = {"tickets", "ticket_messages", "outbox", "volunteer_names", "topics_to_delete"}


def versions(database: Database) -> list[int]:
    return [row["version"] for row in database.query("SELECT version FROM schema_version ORDER BY version").rows]


def table_names(database: Database) -> set[str]:
    statement = ("SELECT name FROM sqlite_master WHERE type = 'table'" if database.engine == "sqlite"
                 else "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")
    return {row["name"] for row in database.query(statement).rows}


# --- the setting ---------------------------------------------------------------------------------
def test_an_empty_database_url_means_the_sqlite_file_in_var(tmp_path: Path) -> None:
    settings = Settings.from_env({"VRAAGBAAK_VAR_DIR": str(tmp_path)})
    assert settings.database_url == "" and settings.database_shown == str(tmp_path / "vraagbaak.sqlite3")
    database = open_database(settings)
    try:
        assert database.engine == "sqlite" and (tmp_path / "vraagbaak.sqlite3").is_file()
    finally:
        database.close()


@pytest.mark.parametrize("url", [f"postgresql://vraagbaak:{SECRET}@db:5432/vraagbaak",
                                 f"postgres://vraagbaak:{SECRET}@db.example.nl/vraagbaak?sslmode=require",
                                 f"postgresql://vraagbaak@db/vraagbaak?password={SECRET}"])
def test_a_postgresql_url_is_taken_and_its_password_never_shown(url: str) -> None:
    settings = Settings.from_env({"VRAAGBAAK_DATABASE_URL": url})
    assert settings.database_url == url
    assert SECRET not in settings.database_shown and SECRET not in repr(settings)
    assert settings.database_shown.startswith(url.split(":")[0] + "://vraagbaak")


@pytest.mark.parametrize(("url", "complaint"), [
    (f"mysql://u:{SECRET}@db/vraagbaak", "mysql:// scheme is not supported"),
    (f"/var/lib/vraagbaak-{SECRET}.sqlite3", "must be empty (a SQLite file in var/) or postgresql://"),
    (f"postgresql://u:{SECRET}@db:port/vraagbaak", "not a valid URL"),
    (f"postgresql://u:{SECRET}@db:5432", "must name a user, a host and a database"),
    (f"postgresql://:{SECRET}@db/vraagbaak", "must name a user, a host and a database"),
    ("postgresql://u:pass/word@db:5432/vraagbaak", "must be percent-encoded"),
])
def test_a_bad_database_url_is_refused_naming_the_variable_but_not_the_password(url: str, complaint: str) -> None:
    with pytest.raises(ValueError) as info:
        Settings.from_env({"VRAAGBAAK_DATABASE_URL": url})
    message = str(info.value)
    assert message.startswith("VRAAGBAAK_DATABASE_URL") and complaint in message
    assert SECRET not in message and "pass/word" not in message


def test_the_tracker_url_keeps_its_own_messages() -> None:
    with pytest.raises(ValueError, match="^VRAAGBAAK_TRACKER_DB must be a SQLite file path or postgresql://"):
        Settings.from_env({"VRAAGBAAK_TRACKER_DB": "mysql://u:p@db/rasa"})


# --- statements written once ----------------------------------------------------------------------
def test_marks_become_psycopgs_and_a_percent_stays_a_percent() -> None:
    statement = "SELECT * FROM t WHERE a = ? AND b LIKE '10%' AND c = ?"
    assert for_engine(statement, "sqlite") == statement
    assert for_engine(statement, "postgresql") == "SELECT * FROM t WHERE a = %s AND b LIKE '10%%' AND c = %s"


def test_one_statement_text_serves_both_engines(database: Database) -> None:
    database.write("INSERT INTO handoff (created_at, lang, question) VALUES (?, ?, ?)",
                   ("2026-01-01T00:00:00+00:00", "nl", "100% zeker? ja'; DROP TABLE handoff; --"))
    row = database.query("SELECT lang, question FROM handoff WHERE question LIKE '100%' AND lang = ?", ("nl",)).first()
    assert row == {"lang": "nl", "question": "100% zeker? ja'; DROP TABLE handoff; --"}
    assert database.query("SELECT count(*) AS n FROM handoff").value() == 1


def test_a_failed_transaction_leaves_nothing_and_the_database_goes_on(database: Database) -> None:
    with pytest.raises(RuntimeError):
        with database.transaction() as session:
            session.execute("INSERT INTO handoff (created_at, lang) VALUES (?, ?)", ("2026-01-01T00:00:00+00:00", "ar"))
            raise RuntimeError("the caller changed its mind")
    with pytest.raises(DatabaseError):
        database.write("INSERT INTO tickets (sender, channel, created_at) VALUES (?, ?, ?)",
                       ("s", "fax", "2026-01-01T00:00:00+00:00"))  # not a channel: the CHECK refuses it
    assert database.query("SELECT count(*) AS n FROM handoff").value() == 0
    database.write("INSERT INTO handoff (created_at, lang) VALUES (?, ?)", ("2026-01-01T00:00:00+00:00", "ti"))
    assert [row["lang"] for row in database.query("SELECT lang FROM handoff").rows] == ["ti"]


# --- migrations -----------------------------------------------------------------------------------
def test_migrations_run_on_open_and_a_second_open_changes_nothing(desk_settings: Settings) -> None:
    first = open_database(desk_settings)
    Records(first).handoff("nl", None, "Ik wil iemand spreken")
    applied = first.query("SELECT * FROM schema_version ORDER BY version").rows
    assert [row["version"] for row in applied] == [m.version for m in migrations.MIGRATIONS] == [1, 2, 3, 4]
    assert {"feedback", "handoff", "unanswered", "schema_version"} | DESK_TABLES <= table_names(first)
    first.close()

    again = open_database(desk_settings)
    try:
        assert again.query("SELECT * FROM schema_version ORDER BY version").rows == applied
        assert migrations.migrate(again) == migrations.LATEST
        assert [row["question"] for row in Records(again).rows("handoff")] == ["Ik wil iemand spreken"]
        assert migrations.current_version(again) == migrations.LATEST
    finally:
        again.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_two_processes_opening_a_new_database_at_once_both_succeed(engine: str, request: pytest.FixtureRequest,
                                                                   tmp_path: Path) -> None:
    settings = settings_on(engine, request, tmp_path / "var")
    assert run_together(open_and_report, [(settings,), (settings,)]) == ["ok", "ok"]
    database = open_database(settings)
    try:
        assert versions(database) == [1, 2, 3, 4]  # each migration applied once
    finally:
        database.close()


@pytest.mark.parametrize("engine", ENGINES)
def test_a_migration_waits_for_another_process_migrating(engine: str, request: pytest.FixtureRequest,
                                                         tmp_path: Path) -> None:
    """Someone else holds the migrations' lock (PostgreSQL's advisory lock; SQLite's write lock):
    opening waits until it is released, and only then migrates."""
    settings = settings_on(engine, request, tmp_path / "var")
    if engine == "sqlite":
        settings.var_dir.mkdir(parents=True)
        holder = sqlite3.connect(settings.database_path, isolation_level=None, check_same_thread=False)
        holder.execute("PRAGMA journal_mode=WAL")
        holder.execute("BEGIN IMMEDIATE")
        looker = sqlite3.connect(settings.database_path)
        exists = "SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'"
    else:
        holder = psycopg.connect(settings.database_url)  # a transaction until commit()
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(migrations.LOCK),))
        looker = psycopg.connect(settings.database_url, autocommit=True)
        exists = "SELECT count(*) FROM pg_tables WHERE tablename = 'schema_version'"

    def migrated() -> bool:
        return looker.execute(exists).fetchone()[0] == 1
    opened: list[Database] = []
    opener = threading.Thread(target=lambda: opened.append(open_database(settings)))
    opener.start()
    try:
        time.sleep(1.5)
        assert opener.is_alive() and not migrated()
    finally:
        if engine == "sqlite":
            holder.execute("COMMIT")
        else:
            holder.commit()
        opener.join(WAIT_S)
    assert not opener.is_alive() and migrated()
    opened[0].close()
    holder.close()
    looker.close()


def test_a_transaction_holds_its_lock_from_the_start(database: Database, desk_settings: Settings) -> None:
    with database.transaction(lock="some work"):
        if database.engine == "sqlite":
            other = sqlite3.connect(desk_settings.database_path, timeout=0.2, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        else:
            other = psycopg.connect(desk_settings.database_url, autocommit=True)
            free = other.execute("SELECT pg_try_advisory_lock(%s)", (lock_key("some work"),)).fetchone()[0]
            assert free is False
            assert other.execute("SELECT pg_try_advisory_lock(%s)", (lock_key("other work"),)).fetchone()[0]
        other.close()


def test_an_old_records_file_opens_with_its_rows_and_gains_the_desk(tmp_path: Path) -> None:
    """var/vraagbaak.sqlite3 as made before migrations existed, with rows in every table."""
    path = tmp_path / "vraagbaak.sqlite3"
    old = sqlite3.connect(path)
    old.execute("PRAGMA journal_mode=WAL")
    old.executescript(OLD_SCHEMA)
    with old:
        old.execute("INSERT INTO feedback (created_at, article_id, lang, municipality, helpful, question) "
                    "VALUES ('2026-01-02T10:00:00+00:00', 'werk/cv', 'nl', 'haarlem', 0, 'cv maken')")
        old.execute("INSERT INTO handoff (created_at, lang, municipality, question) "
                    "VALUES ('2026-01-03T10:00:00+00:00', 'ar', 'den-haag', 'شخص')")
        old.execute("INSERT INTO unanswered (created_at, lang, question, reason, nearest_article, confidence) "
                    "VALUES ('2026-01-04T10:00:00+00:00', 'en', 'bulky waste?', 'low_confidence', NULL, 0.25)")
    before = {table: old.execute(f"SELECT * FROM {table}").fetchall() for table in ("feedback", "handoff",
                                                                                   "unanswered")}
    old.close()

    records = Records.open(replace(Settings(), var_dir=tmp_path, database_url=""))
    try:
        assert versions(records.database) == [1, 2, 3, 4] and DESK_TABLES <= table_names(records.database)
        assert records.rows("feedback") == [{"id": 1, "created_at": "2026-01-02T10:00:00+00:00",
                                             "article_id": "werk/cv", "lang": "nl", "municipality": "haarlem",
                                             "helpful": 0, "question": "cv maken"}]
        assert records.rows("unanswered")[0]["confidence"] == 0.25
        records.handoff("ti", None, "ሓገዝ")
        assert [row["id"] for row in records.rows("handoff")] == [1, 2]
    finally:
        records.database.close()
    with sqlite3.connect(path) as again:
        for table, rows in before.items():
            assert again.execute(f"SELECT * FROM {table} WHERE id = 1").fetchall() == rows


# --- several writers ------------------------------------------------------------------------------
@pytest.mark.parametrize("engine", ENGINES)
def test_records_written_by_two_processes_at_once_are_all_there(engine: str, request: pytest.FixtureRequest,
                                                                tmp_path: Path) -> None:
    settings = settings_on(engine, request, tmp_path / "var")
    open_database(settings).close()  # migrated first: this test is about the writes
    assert run_together(write_handoffs, [(settings, "a", 40), (settings, "b", 40)]) == ["ok", "ok"]
    records = Records.open(settings)
    try:
        questions = [row["question"] for row in records.rows("handoff")]
    finally:
        records.database.close()
    assert sorted(questions) == sorted([f"a {n}" for n in range(40)] + [f"b {n}" for n in range(40)])


def test_threads_each_use_a_connection_of_their_own(tmp_path: Path) -> None:
    database = open_database(replace(Settings(), var_dir=tmp_path, database_url=""))
    errors: list[BaseException] = []

    def write(tag: str) -> None:
        try:
            for number in range(25):
                database.write("INSERT INTO handoff (created_at, lang, question) VALUES (?, ?, ?)",
                               ("2026-01-01T00:00:00+00:00", tag, str(number)))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(tag,)) for tag in ("nl", "ar", "ti", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    try:
        assert errors == []
        assert database.query("SELECT count(*) AS n FROM handoff").value() == 100
    finally:
        database.close()
    with pytest.raises(DatabaseError, match="closed"):
        database.query("SELECT 1")


# --- PostgreSQL's connection ----------------------------------------------------------------------
@pytest.mark.slow
def test_a_dropped_postgresql_connection_is_made_again_once(postgres: Postgres, tmp_path: Path) -> None:
    settings = replace(Settings(), var_dir=tmp_path, database_url=postgres.fresh_database("drop"))
    database = open_database(settings)
    records = Records(database)

    def drop_the_connection() -> int:
        """As a server restart or an idle timeout would; the backend's pid."""
        pid = database.query("SELECT pg_backend_pid() AS pid").value()
        with postgres.admin() as admin:
            assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0] is True
        time.sleep(0.2)
        return pid

    try:
        dropped = drop_the_connection()
        assert database.query("SELECT 41 + 1 AS answer").value() == 42  # a read: retried
        assert database.query("SELECT pg_backend_pid() AS pid").value() != dropped
        dropped = drop_the_connection()
        records.handoff("nl", None, "na de herstart")  # a write: its BEGIN failed, so it is retried
        assert [row["question"] for row in records.rows("handoff")] == ["na de herstart"]  # written once
    finally:
        database.close()


@pytest.mark.slow
def test_a_wrong_password_fails_without_showing_it(postgres: Postgres, tmp_path: Path) -> None:
    wrong = "Wrong-pass/word@1"
    settings = replace(Settings(), var_dir=tmp_path, database_url=postgres.url(password=wrong))
    with pytest.raises(DatabaseError) as info:
        open_database(settings)
    message = str(info.value)
    assert "password authentication failed" in message
    assert wrong not in message and "Wrong-pass" not in message and PASSWORD not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


@pytest.mark.slow
def test_a_threads_connection_is_closed_when_the_thread_ends(postgres: Postgres, tmp_path: Path) -> None:
    """Worker pools (anyio's, the gateway's) start and end threads: their connections must not pile up."""
    import gc

    url = postgres.fresh_database("threads")
    database = open_database(replace(Settings(), var_dir=tmp_path, database_url=url))
    name = url.rsplit("/", 1)[1]

    def backends() -> int:
        with postgres.admin() as admin:
            return admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", (name,)).fetchone()[0]

    try:
        assert backends() == 1  # this thread's, which migrated
        threads = [threading.Thread(target=database.query, args=("SELECT 1",)) for _ in range(5)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(WAIT_S)
        del threads, thread
        gc.collect()
        deadline = time.monotonic() + 5
        while backends() > 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert backends() == 1
    finally:
        database.close()
    deadline = time.monotonic() + 5
    while backends() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert backends() == 0
