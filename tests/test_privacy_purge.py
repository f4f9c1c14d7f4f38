"""`vraagbaak privacy purge`, run as an operator runs it, on the databases it purges for real:
Rasa's tracker store as Rasa's own SQLTrackerStore writes and reads it (a SQLite file as under
`make run`; PostgreSQL as under docker compose, on test_tracker_postgres.py's server of its own)
and our records file (:class:`vraagbaak.desk.records.Records`).

Every store holds conversations of 100 days ago (past the 90-day retention period), of 89 days
ago and of now, and one conversation with a session of each age: what is past the period goes,
row by row, and Rasa reads back exactly the rest.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import psycopg
import pytest

from postgres_helpers import DATABASE, EMPTY_DATABASE, PASSWORD, Postgres, postgres  # noqa: F401
from test_tracker_postgres import rasa_store  # noqa: F401
from tracker_helpers import rasa_tracker_store, sqlite_events
from vraagbaak.cli import main
from vraagbaak.desk import records
from vraagbaak.desk.records import Records
from vraagbaak.privacy import purge as purge_module
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.slow]

DAY_S = 86400
#: Senders and the ages of their conversations in days (one conversation per age).
CONVERSATIONS = {"sender-old": "100", "sender-inside": "89", "sender-fresh": "0", "sender-both": "100,0"}
#: What a purge of each table prints: its label, then the count.
COUNT_LINE = r"^  {label}\s+(\d+) rows? {verb}  \["


# --- the databases ---------------------------------------------------------------------------------------
def save_conversations(store: Callable[..., dict[str, Any]], prefix: str = "") -> None:
    """Each sender's conversations, written by Rasa's own store (one call per age list)."""
    for sender, ages in CONVERSATIONS.items():
        store("save", "--days-ago", ages, prefix + sender)


def fill_records(var: Path, now: datetime) -> None:
    """In each table of our records: one row of 100 days ago, one of 89 days ago, one of now."""
    kept = Records.open(replace(Settings(), var_dir=var))
    for _ in range(3):
        kept.feedback(True, "zorg/toeslag", "nl", "haarlem", "Waar vraag ik toeslag aan?")
        kept.handoff("ar", "den-haag", "Ik wil een mens spreken")
        kept.unanswered("en", None, "When is the bulky waste collected?", "low_confidence", None, 0.2)
    kept.database.close()
    with sqlite3.connect(var / "vraagbaak.sqlite3") as db:
        for table in records.TABLES:
            for row_id, age in ((1, 100), (2, 89)):
                db.execute(f"UPDATE {table} SET created_at = ? WHERE id = ?",
                           (records.stamp(now - timedelta(days=age)), row_id))


def record_rows(var: Path) -> dict[str, list[tuple[Any, ...]]]:
    with sqlite3.connect(var / "vraagbaak.sqlite3") as db:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in records.TABLES}


def recent_records(before: dict[str, list[tuple[Any, ...]]], cutoff: datetime) -> dict[str, list[tuple[Any, ...]]]:
    return {table: [row for row in rows if row[1] >= records.stamp(cutoff)] for table, rows in before.items()}


@pytest.fixture(autouse=True)
def records_in_var(monkeypatch: pytest.MonkeyPatch) -> None:
    """Our database is the SQLite file in VRAAGBAAK_VAR_DIR here, whatever the environment says."""
    monkeypatch.delenv("VRAAGBAAK_DATABASE_URL", raising=False)


@pytest.fixture(scope="module")
def rasa_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite tracker store with every conversation, written once: each test purges a copy."""
    db = tmp_path_factory.mktemp("rasa") / "rasa-tracker.db"
    save_conversations(lambda *args: rasa_tracker_store({"TRACKER_SQLITE": str(db)}, *args))
    return db


@pytest.fixture()
def stores(rasa_sqlite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """(the tracker store's file, var/ with the records), configured as the command reads them."""
    var, tracker = tmp_path / "var", tmp_path / "rasa-tracker.db"
    shutil.copy(rasa_sqlite, tracker)
    fill_records(var, datetime.now(timezone.utc))
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(var))
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", str(tracker))
    monkeypatch.delenv("VRAAGBAAK_RETENTION_DAYS", raising=False)
    return tracker, var


def purge(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`vraagbaak privacy purge ARGS`: exit code, output, errors."""
    code = main(["privacy", "purge", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def counts(output: str, dry_run: bool = False) -> dict[str, int]:
    """The count the command printed for each table."""
    verb = "to delete" if dry_run else "deleted"
    found = {}
    for label in ("tracker events", *records.TABLES):
        match = re.search(COUNT_LINE.format(label=label, verb=verb), output, re.MULTILINE)
        assert match, f"no count for {label} in:\n{output}"
        found[label] = int(match[1])
    return found


def cutoff_of(output: str) -> datetime:
    """The cutoff the command printed (to the minute: a row within a minute of it is not asked about)."""
    stamp = re.search(r"older than (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", output)
    assert stamp, output
    return datetime.strptime(stamp[1], "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)


def rasa_reads(db: Path, *senders: str) -> dict[str, list[dict[str, Any]] | None]:
    return rasa_tracker_store({"TRACKER_SQLITE": str(db)}, "dump", *senders)


# --- SQLite, as under `make run` ----------------------------------------------------------------------------
@pytest.mark.parametrize("batch", [purge_module.BATCH_ROWS, 3])
def test_purge_deletes_what_is_past_the_retention_period_and_keeps_the_rest(
        stores: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        batch: int) -> None:
    """Also in batches of 3 rows: every batch is its own transaction, and all of them run."""
    monkeypatch.setattr(purge_module, "BATCH_ROWS", batch)
    tracker, var = stores
    events, kept_records = sqlite_events(tracker), record_rows(var)
    read_before = rasa_reads(tracker, *CONVERSATIONS)

    code, out, err = purge(capsys)
    assert (code, err) == (0, "")
    cutoff = cutoff_of(out)
    recent_events = [row for row in events if row[3] >= cutoff.timestamp()]  # column 3: timestamp
    assert 0 < len(recent_events) < len(events)
    assert sqlite_events(tracker) == recent_events  # every later row as it was, none earlier
    assert record_rows(var) == recent_records(kept_records, cutoff)
    assert counts(out) == {"tracker events": len(events) - len(recent_events), "feedback": 1, "handoff": 1,
                           "unanswered": 1}

    read_after = rasa_reads(tracker, *CONVERSATIONS)
    assert read_after["sender-old"] is None
    for kept in ("sender-inside", "sender-fresh"):
        assert read_after[kept] == read_before[kept]
    both = read_before["sender-both"]
    assert both is not None and read_after["sender-both"] == both[len(both) // 2:]  # the session of now, whole
    for word in ("toeslag", "Belastingdienst", "sender-", "bulky"):  # counts only, never content or senders
        assert word not in out


def test_a_dry_run_counts_what_a_purge_deletes_and_deletes_nothing(
        stores: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tracker, var = stores
    events, kept_records = sqlite_events(tracker), record_rows(var)
    code, out, _ = purge(capsys, "--dry-run")
    assert code == 0 and "dry run (nothing deleted)" in out
    assert sqlite_events(tracker) == events and record_rows(var) == kept_records
    would = counts(out, dry_run=True)
    assert would["tracker events"] > 0
    code, out, _ = purge(capsys)
    assert code == 0 and counts(out) == would


def test_a_second_purge_deletes_nothing_more(stores: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tracker, var = stores
    assert purge(capsys)[0] == 0
    events, kept_records = sqlite_events(tracker), record_rows(var)
    code, out, _ = purge(capsys)
    assert code == 0 and set(counts(out).values()) == {0}
    assert sqlite_events(tracker) == events and record_rows(var) == kept_records


@pytest.mark.parametrize(("args", "retention", "days"), [(["--days", "200"], None, 200), ([], "50", 50),
                                                         (["--days", "95"], "50", 95)])
def test_the_period_is_the_setting_or_the_days_given(stores: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch, args: list[str],
                                                     retention: str | None, days: int) -> None:
    if retention:
        monkeypatch.setenv("VRAAGBAAK_RETENTION_DAYS", retention)
    tracker, var = stores
    events, kept_records = sqlite_events(tracker), record_rows(var)
    code, out, _ = purge(capsys, *args)
    assert code == 0 and out.startswith(f"Retention period {days} days:")
    cutoff = cutoff_of(out)
    assert abs(cutoff - (datetime.now(timezone.utc) - timedelta(days=days))) < timedelta(minutes=2)
    assert sqlite_events(tracker) == [row for row in events if row[3] >= cutoff.timestamp()]
    assert record_rows(var) == recent_records(kept_records, cutoff)
    assert counts(out)["feedback"] == {200: 0, 50: 2, 95: 1}[days]


@pytest.mark.parametrize(("args", "variable"), [(["--days", "0"], None), (["--days", "-3"], None),
                                                (["--days", "ten"], None), ([], "0")])
def test_a_period_under_one_day_is_refused(stores: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch, args: list[str],
                                           variable: str | None) -> None:
    if variable:
        monkeypatch.setenv("VRAAGBAAK_RETENTION_DAYS", variable)
    tracker, _ = stores
    events = sqlite_events(tracker)
    with pytest.raises(SystemExit) as stopped:
        purge(capsys, *args)
    assert stopped.value.code not in (0, None)
    # argparse prints its complaint; a bad setting is the exit message (printed when it ends the process)
    said = capsys.readouterr().err + str(stopped.value.code)
    assert ("VRAAGBAAK_RETENTION_DAYS must be at least 1, got 0" if variable else "argument --days") in said
    assert sqlite_events(tracker) == events


def test_missing_databases_are_nothing_to_purge(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", str(tmp_path / "rasa-tracker.db"))
    code, out, err = purge(capsys)
    assert (code, err) == (0, "")
    # the tracker store, the three tables of records, closed tickets and the outbox
    assert out.count("nothing stored (no database or table)") == 6
    assert not (tmp_path / "var").exists() and not (tmp_path / "rasa-tracker.db").exists()  # none created


def test_it_waits_for_the_servers_writing_meanwhile(stores: tuple[Path, Path],
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Rasa and the action server hold a database's write lock for a moment now and then: the purge
    waits for it (SQLite's busy timeout) instead of failing, and what they wrote stays."""
    tracker, var = stores
    holders = []
    for path in (tracker, var / "vraagbaak.sqlite3"):
        writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        writer.execute("BEGIN IMMEDIATE")  # the write lock, as a server in the middle of a write
        holders.append(writer)
    holders[0].execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES ('new', 'user', ?, '{}')",
                       (time.time(),))
    holders[1].execute("INSERT INTO handoff (created_at, lang) VALUES (?, 'nl')",
                       (records.stamp(datetime.now(timezone.utc)),))

    def finish_writing() -> None:
        time.sleep(1.5)
        for writer in holders:
            writer.execute("COMMIT")
            writer.close()

    releaser = threading.Thread(target=finish_writing)
    releaser.start()
    started = time.monotonic()
    try:
        code, out, err = purge(capsys)
    finally:
        releaser.join()
    assert (code, err) == (0, "") and time.monotonic() - started >= 1.0
    assert counts(out)["handoff"] == 1 and counts(out)["tracker events"] > 0
    assert [row[1] for row in sqlite_events(tracker)].count("new") == 1
    assert len(record_rows(var)["handoff"]) == 3  # 89 days, now, and the one written meanwhile


# --- PostgreSQL, as under docker compose ------------------------------------------------------------------
def pg_events(url: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as db:
        return db.execute("SELECT * FROM events ORDER BY id").fetchall()


def test_purge_on_postgresql_deletes_what_is_past_the_period_and_rasa_reads_the_rest(
        postgres: Postgres, rasa_store: Callable[..., Any], tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    save_conversations(rasa_store, "pg-")
    senders = [f"pg-{sender}" for sender in CONVERSATIONS]
    read_before = rasa_store("dump", *senders)
    var = tmp_path / "var"
    fill_records(var, datetime.now(timezone.utc))
    kept_records = record_rows(var)
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(var))
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", postgres.url())
    monkeypatch.delenv("VRAAGBAAK_RETENTION_DAYS", raising=False)
    events = pg_events(postgres.url())

    code, out, err = purge(capsys, "--dry-run")
    assert (code, err) == (0, "") and pg_events(postgres.url()) == events
    would = counts(out, dry_run=True)

    code, out, err = purge(capsys)
    assert (code, err) == (0, "") and counts(out) == would
    cutoff = cutoff_of(out)
    recent = [row for row in events if row[3] >= cutoff.timestamp()]
    assert 0 < len(recent) < len(events) and would["tracker events"] == len(events) - len(recent)
    assert pg_events(postgres.url()) == recent
    assert record_rows(var) == recent_records(kept_records, cutoff)
    assert f"[postgresql://rasa:***@127.0.0.1:{postgres.port}/{DATABASE}]" in out
    assert PASSWORD not in out

    read_after = rasa_store("dump", *senders)
    assert read_after["pg-sender-old"] is None
    for kept in ("pg-sender-inside", "pg-sender-fresh"):
        assert read_after[kept] == read_before[kept]
    both = read_before["pg-sender-both"]
    assert both is not None and read_after["pg-sender-both"] == both[len(both) // 2:]
    code, out, _ = purge(capsys)
    assert code == 0 and set(counts(out).values()) == {0}


def test_a_postgresql_database_without_rasas_table_has_nothing_to_purge(
        postgres: Postgres, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", postgres.url(database=EMPTY_DATABASE))
    code, out, err = purge(capsys)
    assert (code, err) == (0, "")
    assert re.search(r"^  tracker events\s+nothing stored", out, re.MULTILINE)


def test_a_wrong_password_fails_the_tracker_purge_without_showing_it_and_the_records_are_purged_still(
        postgres: Postgres, stores: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, var = stores
    wrong = "Wrong-pass/word@1"
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", postgres.url(password=wrong))
    code, out, err = purge(capsys)
    assert code == 1
    assert "could not purge tracker events" in err and "password authentication failed" in err
    assert f"rasa:***@127.0.0.1:{postgres.port}" in err
    assert wrong not in out + err and "Wrong-pass" not in out + err
    assert re.search(r"^  tracker events\s+NOT PURGED", out, re.MULTILINE)
    assert counts_of_records(out) == {"feedback": 1, "handoff": 1, "unanswered": 1}
    assert all(len(rows) == 2 for rows in record_rows(var).values())


def counts_of_records(output: str) -> dict[str, int]:
    return {table: int(re.search(COUNT_LINE.format(label=table, verb="deleted"), output, re.MULTILINE)[1])
            for table in records.TABLES}
