"""The README's promise that a conversation the widget forgets is deleted on the server too, in
Debian's chromium (Playwright): *New conversation*, the 24 hours unused noticed at the next load,
the 24 hours running out with the page open, and a deletion the server could not do asked again
at the next load.

The browser, the widget and our web server are real, and so is the tracker store's database: a
SQLite file with the table Rasa's own SQLTrackerStore made, holding the widget's conversation as
Rasa stores one (rows copied from a conversation Rasa wrote, under the widget's sender id). Rasa
itself is not running: the browser answers ``/api/messages`` (``canned``), so the test knows the
sender id before it deletes anything.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from e2e_helpers import free_port
from test_widget_browser import Widget, browser, canned, expect, new_page, simple_bot  # noqa: F401 - fixtures
from test_widget_promises import chat_once, last_used
from tracker_helpers import rasa_tracker_store, sqlite_events
from vraagbaak.channels.forget import WIDGET_SENDER
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: A conversation Rasa's store wrote, whose rows stand in for the widget's conversation.
TEMPLATE = "template-conversation"
#: Someone else's conversation, which must stay.
OTHER = "web-" + "0f" * 16


@pytest.fixture(scope="module")
def tracker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("rasa") / "rasa-tracker.db"
    rasa_tracker_store({"TRACKER_SQLITE": str(db)}, "save", TEMPLATE, OTHER)
    return db


@pytest.fixture(scope="module")
def server(tracker: Path) -> Iterator[str]:
    """Our web server, Rasa down, deleting from ``tracker``."""
    settings = replace(Settings(), web_port=free_port(), rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2,
                       tracker_db=str(tracker))
    web = BackgroundServer(settings)
    yield f"http://127.0.0.1:{settings.web_port}"
    web.shutdown()


def stored(tracker: Path, sender: str) -> list[tuple[Any, ...]]:
    return [row for row in sqlite_events(tracker) if row[1] == sender]


def rasa_stored(tracker: Path, sender: str) -> None:
    """The widget's conversation in the tracker store, as Rasa would have stored it."""
    with sqlite3.connect(tracker) as db:
        db.execute("INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                   "SELECT ?, type_name, timestamp, intent_name, action_name, data FROM events "
                   "WHERE sender_id = ? ORDER BY id", (sender, TEMPLATE))
    assert stored(tracker, sender)


def gone(tracker: Path, sender: str, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while stored(tracker, sender):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def chatted(page: Any, server: str, tracker: Path) -> tuple[Widget, str]:
    """A conversation in the widget, stored in the tracker store under its sender id."""
    canned(page, simple_bot)
    page.goto(server + "/?municipality=den-haag")
    widget = Widget(page)
    chat_once(page, widget)
    sender = widget.storage(server)["sender"]
    assert WIDGET_SENDER.fullmatch(sender), "the route takes exactly the ids the widget makes"
    rasa_stored(tracker, sender)
    return widget, sender


def test_new_conversation_deletes_the_old_one_on_the_server(server: str, tracker: Path, new_page: Any) -> None:
    page = new_page()
    widget, sender = chatted(page, server, tracker)
    others = stored(tracker, OTHER)
    with page.expect_response("**/api/forget") as answer:
        widget(".new").click()
    assert answer.value.request.post_data_json == {"sender": sender}
    assert answer.value.status == 200  # the body is test_forget_route.py's (Playwright may hang reading it)
    assert gone(tracker, sender)
    assert stored(tracker, OTHER) == others
    widget.bot_messages(2)  # the new conversation's welcome
    assert widget.storage(server)["sender"] != sender


def test_a_conversation_unused_for_25_hours_is_deleted_on_the_server_at_the_next_load(
        server: str, tracker: Path, new_page: Any) -> None:
    page = new_page()
    widget, sender = chatted(page, server, tracker)
    last_used(page, server, 25)
    with page.expect_response("**/api/forget") as answer:
        page.reload()
    assert answer.value.request.post_data_json == {"sender": sender} and answer.value.ok
    assert gone(tracker, sender)
    expect(widget(".msg")).to_have_count(0)


def test_a_conversation_whose_24_hours_run_out_with_the_page_open_is_deleted_there_and_then(
        server: str, tracker: Path, new_page: Any) -> None:
    """A shared phone left on the open chat: no reload, the page's clock moves on a day."""
    page = new_page()
    page.clock.install(time=datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc))
    widget, sender = chatted(page, server, tracker)
    page.clock.fast_forward("23:00:00")
    expect(widget(".msg.user .bubble")).to_have_text(["Mijn vraag van gisteren"])  # still there
    assert stored(tracker, sender)
    with page.expect_response("**/api/forget") as answer:
        page.clock.fast_forward("01:01:00")
    assert answer.value.request.post_data_json == {"sender": sender} and answer.value.ok
    assert gone(tracker, sender)
    expect(widget(".panel")).to_be_hidden()  # as after a reload: closed, empty, a new sender
    expect(widget(".launcher")).to_be_visible()
    expect(widget(".msg")).to_have_count(0)
    stored_state = page.evaluate(f"localStorage.getItem('vraagbaak:v1:{server}:session')")
    assert stored_state is None or (sender not in stored_state and "Mijn vraag" not in stored_state)


def test_a_deletion_the_server_could_not_do_is_asked_again_at_the_next_load(
        server: str, tracker: Path, new_page: Any) -> None:
    page = new_page()
    widget, sender = chatted(page, server, tracker)
    refused: list[dict[str, Any]] = []

    def unavailable(route: Any) -> None:
        refused.append(route.request.post_data_json)
        route.fulfill(status=503, content_type="application/json", body='{"forgotten": false}')

    page.route("**/api/forget", unavailable)
    widget(".new").click()
    widget.bot_messages(2)
    deadline = time.monotonic() + 10
    while not refused and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert refused == [{"sender": sender}]
    assert stored(tracker, sender)  # not deleted: the server said it could not

    page.unroute("**/api/forget")
    with page.expect_response("**/api/forget") as answer:
        page.reload()
    assert answer.value.request.post_data_json == {"sender": sender} and answer.value.ok
    assert gone(tracker, sender)
    # confirmed, so no longer owed: not asked again at the next load
    page.wait_for_function(f"() => localStorage.getItem('vraagbaak:v1:{server}:forget') === '[]'")
