"""The records, the volunteers' tickets and the outbox, each test on SQLite and on PostgreSQL;
and `vraagbaak privacy purge` over them."""

from __future__ import annotations

import re
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from desk_helpers import WAIT_S, database, desk_settings  # noqa: F401
from postgres_helpers import Postgres, postgres  # noqa: F401
from vraagbaak.cli import main
from vraagbaak.desk import outbox as outbox_module
from vraagbaak.desk.database import Database, DatabaseError, lock_key, open_database
from vraagbaak.desk.forget import forget_sender
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.records import MAX_STORED_CHARS, TABLES, Records, stamp
from vraagbaak.desk.tickets import LanguageStats, Ticket, TicketStore
from vraagbaak.settings import Settings

NOW = datetime.now(timezone.utc)


def age(database: Database, table: str, row_id: int, column: str, days: float) -> None:
    """Set a row's time ``days`` ago, as if it had been written then."""
    database.write(f"UPDATE {table} SET {column} = ? WHERE id = ?", (stamp(NOW - timedelta(days=days)), row_id))


def count(database: Database, table: str) -> int:
    return int(database.query(f"SELECT count(*) AS n FROM {table}").value())


# --- records ---------------------------------------------------------------------------------------
def test_records_keep_what_was_said_and_nothing_about_who(database: Database) -> None:
    records = Records(database)
    records.feedback(False, "werk/cv", "nl", "haarlem", "Hoe maak ik een cv?")
    records.handoff("ar", "den-haag", "أريد التحدث مع شخص")
    records.unanswered("ti", None, "x" * (MAX_STORED_CHARS + 50), "low_confidence", "werk/cv", 0.125)
    (feedback,) = records.rows("feedback")
    assert {k: v for k, v in feedback.items() if k not in ("id", "created_at")} == {
        "article_id": "werk/cv", "lang": "nl", "municipality": "haarlem", "helpful": 0,
        "question": "Hoe maak ik een cv?"}
    assert datetime.fromisoformat(feedback["created_at"]) - datetime.now(timezone.utc) < timedelta(seconds=5)
    assert records.rows("handoff")[0]["question"] == "أريد التحدث مع شخص"
    (unanswered,) = records.rows("unanswered")
    assert len(unanswered["question"]) == MAX_STORED_CHARS and unanswered["confidence"] == 0.125
    columns = set().union(*(set(records.rows(table)[0]) for table in TABLES))
    assert not columns & {"sender", "sender_id", "chat_id", "name", "user"}
    with pytest.raises(ValueError):
        records.rows("tickets")  # only the three tables of records


# --- tickets ---------------------------------------------------------------------------------------
def test_one_open_ticket_per_sender(database: Database) -> None:
    tickets = TicketStore(database)
    first = tickets.open("web-a", "web", "ar", "den-haag", "toeslagen/zorgtoeslag")
    assert isinstance(first, Ticket) and first.is_open and first.topic == "toeslagen/zorgtoeslag"
    assert tickets.open("web-a", "telegram", "nl", None, None) == first  # the open one, unchanged
    other = tickets.open("web-b", "web", "nl", None, None)
    assert other.id != first.id
    assert tickets.open_for("web-a") == first and tickets.open_for("nobody") is None
    with pytest.raises(AttributeError):
        first.status = "closed"  # type: ignore[misc] - frozen

    assert tickets.close(first.id) and not tickets.close(first.id)
    closed = tickets.get(first.id)
    assert closed is not None and closed.status == "closed" and closed.closed_at is not None
    assert tickets.open_for("web-a") is None
    again = tickets.open("web-a", "web", "ar", None, None)
    # a new ticket; asking again for an open one used up no number
    assert [first.id, other.id, again.id] == [first.id, first.id + 1, first.id + 2]


def test_senders_opening_at_the_same_moment_get_one_ticket(database: Database) -> None:
    """Several servers (here threads, each its own connection) open a ticket for one sender at once."""
    tickets = TicketStore(database)
    start, found, errors = threading.Barrier(6), [], []

    def open_one() -> None:
        try:
            start.wait(WAIT_S)
            found.append(tickets.open("tg-same", "telegram", "ti", None, None).id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    assert errors == [] and len(found) == 6 and len(set(found)) == 1
    assert database.query("SELECT count(*) AS n FROM tickets WHERE sender = ?", ("tg-same",)).value() == 1


def test_the_database_refuses_a_second_open_ticket_whoever_writes_it(database: Database) -> None:
    TicketStore(database).open("web-a", "web", "nl", None, None)
    with pytest.raises(DatabaseError):
        database.write("INSERT INTO tickets (sender, channel, status, created_at) VALUES (?, 'web', 'open', ?)",
                       ("web-a", stamp(NOW)))


def test_a_ticket_knows_its_volunteers_thread_and_first_reply(database: Database) -> None:
    tickets = TicketStore(database)
    ticket = tickets.open("tg-a", "telegram", "ar", None, "werk/cv")
    chat = -1001234567890123  # Telegram supergroup ids need 64 bits
    assert tickets.by_thread(chat, 77) is None
    tickets.set_thread(ticket.id, chat, 77)
    found = tickets.by_thread(chat, 77)
    assert found is not None and found.id == ticket.id
    assert (found.volunteer_chat_id, found.volunteer_thread_id) == (chat, 77)
    assert tickets.by_thread(chat, 78) is None and tickets.get(ticket.id + 100) is None
    assert found.first_reply_at is None
    assert tickets.mark_first_reply(ticket.id) and not tickets.mark_first_reply(ticket.id)
    replied = tickets.get(ticket.id)
    assert replied is not None and replied.first_reply_at is not None


def test_messages_are_kept_in_order_with_identifiers_masked(database: Database) -> None:
    tickets = TicketStore(database)
    ticket = tickets.open("web-a", "web", "nl", None, None)
    tickets.add_message(ticket.id, "newcomer", "Mijn BSN is 1234.56.789 en paspoort NW1234567")
    tickets.add_message(ticket.id, "assistant", "Een vrijwilliger komt zo.")
    stored = tickets.add_message(ticket.id, "volunteer", "Hallo! Bel 14 070.", volunteer_name="Samira")
    assert stored.author == "volunteer" and stored.volunteer_name == "Samira"
    messages = tickets.messages(ticket.id)
    assert [(m.author, m.text) for m in messages] == [
        ("newcomer", "Mijn BSN is ****.**.*** en paspoort *********"),
        ("assistant", "Een vrijwilliger komt zo."),
        ("volunteer", "Hallo! Bel 14 070.")]
    assert messages[-1] == stored and [m.volunteer_name for m in messages] == [None, None, "Samira"]
    assert "123" not in str(database.query("SELECT text FROM ticket_messages").rows)
    with pytest.raises(ValueError):
        tickets.add_message(ticket.id, "bot", "?")
    with pytest.raises(ValueError):
        tickets.open("x", "fax", None, None, None)
    with pytest.raises(DatabaseError):
        tickets.add_message(ticket.id + 100, "system", "no such ticket")


def test_stats_per_language(database: Database) -> None:
    tickets = TicketStore(database)
    waiting = tickets.open("s1", "web", "ar", None, None)
    age(database, "tickets", waiting.id, "created_at", 1 / 24)  # an hour ago, nobody answered yet
    answered_open = tickets.open("s2", "web", "ar", None, None)
    age(database, "tickets", answered_open.id, "created_at", 2)  # long ago, but answered: not waiting
    tickets.mark_first_reply(answered_open.id)
    for sender, reply in (("s3", True), ("s4", False)):
        done = tickets.open(sender, "telegram", "nl", None, None)
        if reply:
            tickets.mark_first_reply(done.id)
        tickets.close(done.id)
    tickets.open("s5", "web", None, None, None)
    stats = tickets.stats(at=NOW)
    assert list(stats) == ["?", "ar", "nl"]
    assert stats["ar"].open_tickets == 2 and stats["ar"].answered_share == 0.5
    assert abs(stats["ar"].oldest_wait_s - 3600) <= 5
    assert stats["nl"] == LanguageStats(open_tickets=0, oldest_wait_s=0, answered_share=0.5)
    assert stats["?"].open_tickets == 1 and stats["?"].answered_share == 0.0


def test_forgetting_a_sender_deletes_their_tickets_messages_and_outbox_only(database: Database) -> None:
    tickets, outbox = TicketStore(database), Outbox(database)
    for sender in ("web-forget", "web-keep"):
        first = tickets.open(sender, "web", "nl", None, None)
        tickets.add_message(first.id, "newcomer", f"hallo van {sender}")
        tickets.close(first.id)
        second = tickets.open(sender, "web", "nl", None, None)
        tickets.add_message(second.id, "volunteer", "ok", volunteer_name="Jan")
        outbox.put(sender, {"text": "ok"})
    kept_before = (tickets.open_for("web-keep"), outbox.after("web-keep", 0))

    assert tickets.forget_sender("web-forget") == 2 + 2 + 1  # tickets, their messages, the outbox
    assert database.query("SELECT count(*) AS n FROM tickets WHERE sender = ?", ("web-forget",)).value() == 0
    assert database.query("SELECT count(*) AS n FROM outbox WHERE sender = ?", ("web-forget",)).value() == 0
    assert count(database, "ticket_messages") == 2
    assert "web-forget" not in str(database.query("SELECT * FROM ticket_messages").rows)
    assert (tickets.open_for("web-keep"), outbox.after("web-keep", 0)) == kept_before
    assert tickets.forget_sender("web-forget") == 0 and outbox.forget("web-forget") == 0


def test_forget_sender_for_the_settings(desk_settings: Settings) -> None:
    database = open_database(desk_settings)
    try:
        ticket = TicketStore(database).open("tg-x", "telegram", "ti", None, None)
        TicketStore(database).add_message(ticket.id, "newcomer", "ሰላም")
        Outbox(database).put("tg-x", {"text": "x"})
        Outbox(database).put("tg-y", {"text": "y"})
    finally:
        database.close()
    assert forget_sender(desk_settings, "tg-x") == 3
    database = open_database(desk_settings)
    try:
        assert count(database, "tickets") == count(database, "ticket_messages") == 0
        assert [row["sender"] for row in database.query("SELECT sender FROM outbox").rows] == ["tg-y"]
    finally:
        database.close()


def test_closed_tickets_go_after_the_period_with_their_messages(database: Database) -> None:
    tickets = TicketStore(database)
    made = {}
    for name, opened_days_ago, closed_days_ago in (("old", 40, 31), ("recent", 40, 29), ("abandoned", 40, None),
                                                   ("open", 10, None)):
        ticket = tickets.open(name, "web", "nl", None, None)
        tickets.add_message(ticket.id, "newcomer", f"bericht {name}")
        age(database, "tickets", ticket.id, "created_at", opened_days_ago)
        if closed_days_ago is not None:
            tickets.close(ticket.id)
            age(database, "tickets", ticket.id, "closed_at", closed_days_ago)
        made[name] = ticket.id
    # Closed 31 days ago, and left open for 40 days (nobody closed it): both go.
    assert tickets.purge_closed(30, dry_run=True) == 2 and count(database, "tickets") == 4
    assert tickets.purge_closed(30) == 2
    assert tickets.get(made["old"]) is None and tickets.messages(made["old"]) == []
    assert tickets.get(made["abandoned"]) is None and tickets.messages(made["abandoned"]) == []
    assert {t.id for t in map(tickets.get, made.values()) if t} == {made["recent"], made["open"]}
    assert [m.text for m in tickets.messages(made["recent"])] == ["bericht recent"]
    assert tickets.purge_closed(30) == 0
    assert tickets.purge_closed(28) == 1  # closed 29 days ago; the open one is 10 days old
    assert [t.sender for t in map(tickets.get, made.values()) if t] == ["open"]
    with pytest.raises(ValueError):
        tickets.purge_closed(0)


def test_purging_goes_in_batches(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from vraagbaak.desk import tickets as tickets_module

    monkeypatch.setattr(tickets_module, "PURGE_BATCH", 2)
    monkeypatch.setattr(outbox_module, "PURGE_BATCH", 2)
    tickets, outbox = TicketStore(database), Outbox(database)
    for number in range(5):
        ticket = tickets.open(f"s{number}", "web", "nl", None, None)
        tickets.close(ticket.id)
        age(database, "tickets", ticket.id, "closed_at", 100)
        age(database, "outbox", outbox.put(f"s{number}", {"text": str(number)}), "created_at", 100)
    assert tickets.purge_closed(30) == 5 and outbox.purge_older(90) == 5
    assert count(database, "tickets") == count(database, "outbox") == 0


# --- the outbox ------------------------------------------------------------------------------------
def test_the_outbox_gives_each_sender_their_messages_in_order(database: Database) -> None:
    outbox = Outbox(database)
    assert outbox.latest_id() == 0 and outbox.after("web-a", 0) == [] and outbox.senders_with_messages_after(0) == {}
    message = {"text": "Een vrijwilliger antwoordt: ጽቡቕ", "custom": {"vraagbaak": "desk", "ticket": 7, "ok": True}}
    ids = [outbox.put("web-a", message), outbox.put("web-b", {"text": "b1"}),
           *(outbox.put("web-a", {"text": f"a{n}"}) for n in range(3))]
    assert ids == sorted(ids) and len(set(ids)) == 5
    assert outbox.after("web-a", 0) == [(ids[0], message), *((ids[2 + n], {"text": f"a{n}"}) for n in range(3))]
    assert [i for i, _ in outbox.after("web-a", ids[2])] == ids[3:]
    assert [i for i, _ in outbox.after("web-a", 0, limit=2)] == [ids[0], ids[2]]
    assert outbox.after("web-b", ids[1]) == [] and outbox.after("web-c", 0) == []
    assert outbox.latest_id() == ids[-1]
    assert outbox.senders_with_messages_after(0) == {"web-a": ids[-1], "web-b": ids[1]}
    assert outbox.senders_with_messages_after(ids[1]) == {"web-a": ids[-1]}
    assert outbox.senders_with_messages_after(ids[-1]) == {}


def test_outbox_ids_are_never_reused(database: Database) -> None:
    outbox = Outbox(database)
    outbox.put("web-a", {"text": "1"})
    newest = outbox.put("web-b", {"text": "2"})
    assert outbox.forget("web-b") == 1 and outbox.latest_id() < newest
    assert outbox.put("web-c", {"text": "3"}) > newest  # a reader that saw `newest` still sees it


def test_old_outbox_messages_go_after_the_period(database: Database) -> None:
    outbox = Outbox(database)
    old, recent = outbox.put("web-a", {"text": "old"}), outbox.put("web-a", {"text": "recent"})
    age(database, "outbox", old, "created_at", 91)
    age(database, "outbox", recent, "created_at", 89)
    assert outbox.purge_older(90, dry_run=True) == 1
    assert outbox.purge_older(90) == 1 and [i for i, _ in outbox.after("web-a", 0)] == [recent]


@pytest.mark.slow
def test_a_put_waits_for_another_writer_so_ids_become_visible_in_order(postgres: Postgres, tmp_path: Path) -> None:
    """On PostgreSQL an id is drawn at INSERT but seen at COMMIT: puts are serialised by a lock,
    so a reader never sees id n+1 before id n."""
    settings = replace(Settings(), var_dir=tmp_path, database_url=postgres.fresh_database("outbox"))
    database = open_database(settings)
    outbox = Outbox(database)
    holder = psycopg.connect(settings.database_url)
    holder.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(outbox_module.LOCK),))
    put: list[int] = []
    writer = threading.Thread(target=lambda: put.append(outbox.put("web-a", {"text": "x"})))
    writer.start()
    try:
        writer.join(1.5)
        assert writer.is_alive() and outbox.latest_id() == 0
    finally:
        holder.commit()
        holder.close()
        writer.join(WAIT_S)
    assert put and outbox.latest_id() == put[0]
    database.close()


# --- vraagbaak privacy purge ---------------------------------------------------------------------------
def test_privacy_purge_purges_records_tickets_and_outbox_in_our_database(
        desk_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    database = open_database(desk_settings)
    records, tickets, outbox = Records(database), TicketStore(database), Outbox(database)
    for days in (100, 1):
        records.handoff("nl", None, f"{days} dagen geleden")
        ticket = tickets.open(f"sender-{days}", "web", "nl", None, None)
        tickets.add_message(ticket.id, "newcomer", "geheim bericht")
        tickets.close(ticket.id)
        age(database, "tickets", ticket.id, "closed_at", days / 2)  # 50 days (past 30) and half a day
        age(database, "outbox", outbox.put(f"sender-{days}", {"text": "geheim"}), "created_at", days)
    age(database, "handoff", 1, "created_at", 100)
    open_ticket = tickets.open("sender-open", "web", "nl", None, None)
    age(database, "tickets", open_ticket.id, "created_at", 100)

    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(desk_settings.var_dir))
    monkeypatch.setenv("VRAAGBAAK_DATABASE_URL", desk_settings.database_url)
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", str(tmp_path / "no-tracker.db"))
    for name in ("RETENTION_DAYS", "DESK_RETENTION_DAYS"):
        monkeypatch.delenv(f"VRAAGBAAK_{name}", raising=False)

    assert main(["privacy", "purge", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert count(database, "tickets") == 3 and count(database, "outbox") == 2
    assert main(["privacy", "purge"]) == 0
    out = capsys.readouterr().out

    def counted(output: str, label: str, verb: str) -> int:
        match = re.search(rf"^  {label}\s+(\d+) rows? {verb}", output, re.MULTILINE)
        assert match, output
        return int(match[1])

    assert counted(dry, "desk tickets", "to delete") == counted(out, "desk tickets", "deleted") == 2
    for label in ("handoff", "outbox"):
        assert counted(dry, label, "to delete") == counted(out, label, "deleted") == 1
    assert "(closed, or left open, more than 30 days ago)" in out
    assert f"[{desk_settings.database_shown}]" in out
    assert [row["question"] for row in records.rows("handoff")] == ["1 dagen geleden"]
    # Left open for 100 days: nobody will answer it any more.
    assert sorted(row["sender"] for row in database.query("SELECT sender FROM tickets").rows) == ["sender-1"]
    assert count(database, "ticket_messages") == 1
    assert [row["sender"] for row in database.query("SELECT sender FROM outbox").rows] == ["sender-1"]
    for secret in ("geheim", "sender-", "dagen"):  # counts only
        assert secret not in out
    if desk_settings.database_url:
        assert "***" in out and desk_settings.database_secrets[0] not in out
    database.close()


def test_a_dry_run_does_not_migrate_an_old_records_file(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    path = tmp_path / "vraagbaak.sqlite3"
    with sqlite3.connect(path) as old:
        old.execute("CREATE TABLE handoff (id INTEGER PRIMARY KEY, created_at TEXT NOT NULL, lang TEXT, "
                    "municipality TEXT, question TEXT)")
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", str(tmp_path / "no-tracker.db"))
    monkeypatch.delenv("VRAAGBAAK_DATABASE_URL", raising=False)
    assert main(["privacy", "purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^  desk tickets\s+nothing stored", out, re.MULTILINE)
    with sqlite3.connect(path) as still:
        assert [row[0] for row in still.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["handoff"]


@pytest.mark.slow
def test_a_wrong_password_fails_the_desk_purge_without_showing_it(postgres: Postgres, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str],
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "Wrong-pass/word@1"
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("VRAAGBAAK_TRACKER_DB", str(tmp_path / "no-tracker.db"))
    monkeypatch.setenv("VRAAGBAAK_DATABASE_URL", postgres.url(password=wrong))
    assert main(["privacy", "purge"]) == 1
    captured = capsys.readouterr()
    for label in ("handoff", "desk tickets", "outbox"):
        assert re.search(rf"^  {label}\s+NOT PURGED", captured.out, re.MULTILINE)
        assert f"could not purge {label}" in captured.err
    assert "password authentication failed" in captured.err
    assert wrong not in captured.out + captured.err and "Wrong-pass" not in captured.out + captured.err


# --- vraagbaak kb todo ---------------------------------------------------------------------------
def test_kb_todo_reads_the_records_from_our_database(desk_settings: Settings, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    records = Records.open(desk_settings)
    records.unanswered("ar", "den-haag", "هل يمكنني فتح حساب بنكي؟", "low_confidence", "werk/uitkering", 0.7)
    records.database.close()
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(desk_settings.var_dir))
    monkeypatch.setenv("VRAAGBAAK_DATABASE_URL", desk_settings.database_url)
    assert main(["kb", "todo"]) == 0
    out = capsys.readouterr().out
    assert "nearest article: werk/uitkering (1)" in out and "هل يمكنني فتح حساب بنكي؟" in out


@pytest.mark.slow
def test_kb_todo_says_when_the_database_fails_without_its_password(postgres: Postgres, tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str],
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    wrong = "Wrong-pass/word@1"
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("VRAAGBAAK_DATABASE_URL", postgres.url(password=wrong))
    assert main(["kb", "todo"]) == 1
    err = capsys.readouterr().err
    assert "could not read the records" in err and "password authentication failed" in err
    assert wrong not in err and "Wrong-pass" not in err
