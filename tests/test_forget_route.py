"""``POST /api/forget``, the widget's "new conversation" on the server, without a browser: it
deletes one web conversation from a SQLite tracker store that Rasa's own SQLTrackerStore wrote,
nothing else; takes only the widget's own sender ids; answers the same whether the conversation
existed or not; and says so when it could not make sure the conversation is gone."""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from e2e_helpers import free_port
from telegram_helpers import json_log
from tracker_helpers import rasa_tracker_store, sqlite_events
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.desk.database import open_database
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.tickets import TicketStore
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.slow]

WEB_A, WEB_B = "web-" + "a1" * 16, "web-" + "0f" * 16
#: A Telegram conversation (its sender is a keyed hash): never reachable through the web route.
TELEGRAM = "tg-" + "a1" * 16
UNKNOWN = "web-" + "5e" * 16
SITE = "https://www.gemeente.example"


@pytest.fixture(scope="module")
def rasa_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three conversations written by Rasa's own store, once; each test gets a copy."""
    db = tmp_path_factory.mktemp("rasa") / "rasa-tracker.db"
    rasa_tracker_store({"TRACKER_SQLITE": str(db)}, "save", WEB_A, WEB_B, TELEGRAM)
    return db


@contextmanager
def serve(tracker_db: Path, **changes: Any) -> Iterator[str]:
    settings = replace(Settings(), var_dir=tracker_db.parent, web_port=free_port(),
                       rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2, tracker_db=str(tracker_db), **changes)
    server = BackgroundServer(settings)
    try:
        yield f"http://127.0.0.1:{settings.web_port}"
    finally:
        server.shutdown()


@pytest.fixture()
def tracker(rasa_db: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "rasa-tracker.db"
    shutil.copy(rasa_db, copy)
    return copy


@pytest.fixture()
def web(tracker: Path) -> Iterator[str]:
    with serve(tracker) as base:
        yield base


def forget(base: str, body: Any, **headers: str) -> tuple[int, Any, Any]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(base + "/api/forget", data=data, method="POST",
                                     headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def rows_of(db: Path, sender: str) -> list[tuple[Any, ...]]:
    return [row for row in sqlite_events(db) if row[1] == sender]


def test_it_deletes_that_conversation_and_no_other(web: str, tracker: Path) -> None:
    others = [row for row in sqlite_events(tracker) if row[1] != WEB_A]
    assert rows_of(tracker, WEB_A) and rows_of(tracker, WEB_B) and rows_of(tracker, TELEGRAM)
    status, _, body = forget(web, {"sender": WEB_A})
    assert (status, body) == (200, {"forgotten": True})
    assert rows_of(tracker, WEB_A) == []
    assert sqlite_events(tracker) == others  # every row of the other conversations, untouched


def test_it_deletes_the_desks_tickets_and_pushed_messages_too(tracker: Path) -> None:
    settings = replace(Settings(), var_dir=tracker.parent)
    database = open_database(settings)
    try:
        tickets, outbox = TicketStore(database), Outbox(database)
        ticket = tickets.open(WEB_A, "web", "ti", "enschede", "zorgtoeslag")
        tickets.add_message(ticket.id, "newcomer", "ሰላም")
        outbox.put(WEB_A, {"text": "answer from a volunteer"})
        outbox.put(WEB_B, {"text": "for the other conversation"})
        with serve(tracker) as base:
            assert forget(base, {"sender": WEB_A})[0] == 200
        assert tickets.open_for(WEB_A) is None and tickets.messages(ticket.id) == []
        assert outbox.after(WEB_A, 0) == [] and len(outbox.after(WEB_B, 0)) == 1
    finally:
        database.close()


def test_the_answer_does_not_tell_whether_there_was_a_conversation(web: str, tracker: Path) -> None:
    """Nobody learns from the route whether a sender id ever talked: the same status, headers and
    body for a conversation, for one already forgotten and for one that never was."""
    answers = []
    for sender in (WEB_A, WEB_A, UNKNOWN):
        status, headers, body = forget(web, {"sender": sender})
        answers.append((status, {k.lower(): v for k, v in headers.items() if k.lower() != "date"}, body))
    assert answers[0] == answers[1] == answers[2] and answers[0][0] == 200
    assert rows_of(tracker, WEB_A) == []


@pytest.mark.parametrize("body", [
    {"sender": TELEGRAM}, {"sender": "web-" + "A1" * 16}, {"sender": WEB_A[:-1]}, {"sender": WEB_A + "0"},
    {"sender": WEB_A + "\n"}, {"sender": " " + WEB_A}, {"sender": WEB_A + "' OR '1'='1"}, {"sender": "%"},
    {"sender": 12}, {"sender": [WEB_A]}, {"sender": None}, {}, [WEB_A], WEB_A,
])
def test_only_the_widgets_own_sender_ids_are_taken(web: str, tracker: Path, body: Any) -> None:
    events = sqlite_events(tracker)
    status, _, answer = forget(web, body)
    assert status == 400 and "sender" in answer["error"]
    assert sqlite_events(tracker) == events  # nothing deleted: not Telegram's, not anyone's


@pytest.mark.parametrize(("body", "status"), [(b"not json", 400), (b"", 400), (b"{" + b" " * 20_000 + b"}", 413)])
def test_a_broken_request_gets_a_clear_error(web: str, tracker: Path, body: bytes, status: int) -> None:
    events = sqlite_events(tracker)
    assert forget(web, body)[0] == status
    assert sqlite_events(tracker) == events


def test_a_site_that_may_not_embed_the_widget_cannot_forget_either(tracker: Path) -> None:
    with serve(tracker, allowed_origins="https://www.denhaag.nl") as base:
        preflight = urllib.request.Request(base + "/api/forget", method="OPTIONS",
                                           headers={"Origin": "https://www.denhaag.nl",
                                                    "Access-Control-Request-Method": "POST"})
        with urllib.request.urlopen(preflight, timeout=5) as response:
            assert response.status == 200
            assert response.headers["Access-Control-Allow-Origin"] == "https://www.denhaag.nl"
        assert forget(base, {"sender": WEB_A}, Origin=SITE)[0] == 403
        assert rows_of(tracker, WEB_A)
        status, headers, _ = forget(base, {"sender": WEB_A}, Origin="https://www.denhaag.nl")
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "https://www.denhaag.nl"
        assert rows_of(tracker, WEB_A) == []


def test_it_does_not_claim_a_conversation_is_gone_when_it_cannot_know(tmp_path: Path) -> None:
    """No tracker database where the setting points (this server looks elsewhere than Rasa
    stores), or a file that is no database: 503, nothing claimed, and the log says why."""
    broken = tmp_path / "not-a-database.db"
    broken.write_bytes(b"this is not a SQLite database, but it is in the way " * 100)
    for tracker_db, complaint in ((tmp_path / "missing.db", "no tracker store database"),
                                  (broken, "could not delete a web conversation")):
        with serve(tracker_db) as base:
            with json_log("vraagbaak") as lines:
                status, _, body = forget(base, {"sender": WEB_A})
            assert (status, body) == (503, {"forgotten": False})
            assert complaint in lines.getvalue() and WEB_A not in lines.getvalue()
    assert not (tmp_path / "missing.db").exists()  # looked for, never created


def test_it_waits_for_rasa_writing_to_the_database_meanwhile(web: str, tracker: Path) -> None:
    """Rasa holds the write lock for a moment now and then: the deletion waits for it."""
    writer = sqlite3.connect(tracker, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(1.0, lambda: (writer.execute("COMMIT"), writer.close()))
    timer.start()
    try:
        status, _, body = forget(web, {"sender": WEB_A})
    finally:
        timer.join()
    assert (status, body) == (200, {"forgotten": True}) and rows_of(tracker, WEB_A) == []
