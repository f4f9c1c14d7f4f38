"""Messages pushed to an open widget (a volunteer's later answer), through a real uvicorn and the
real outbox on SQLite: server-sent events within 2 seconds, resumed with Last-Event-ID, long
polling as the fallback, and what came while the page was closed shown when it opens again."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from e2e_helpers import free_port
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.desk.database import open_database
from vraagbaak.desk.outbox import Outbox
from vraagbaak.settings import Settings

SENDER = "web-" + "1" * 32
OTHER = "web-" + "2" * 32
#: The desk's promise: a volunteer's answer reaches an open widget within 2 seconds.
PUSH_WITHIN_S = 2.0


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[tuple[httpx.Client, Outbox]]:
    settings = replace(Settings(), var_dir=tmp_path, web_port=free_port(),
                       rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2)
    server = BackgroundServer(settings)
    database = open_database(settings)  # the desk's own connection, as another process would hold
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client, Outbox(database)
    finally:
        server.shutdown()
        database.close()


def volunteer_answer(text: str) -> dict[str, object]:
    return {"text": text, "custom": {"vraagbaak": "volunteer", "volunteer": "Semhar"}}


def events(lines: Iterator[str]) -> Iterator[tuple[int, dict[str, object]]]:
    """(id, message) of each event on a server-sent events stream; comments are skipped."""
    number = None
    for line in lines:
        if line.startswith("id: "):
            number = int(line[4:])
        elif line.startswith("data: "):
            yield int(number or 0), json.loads(line[6:])


def test_an_open_widget_gets_a_pushed_message_within_two_seconds(site: tuple[httpx.Client, Outbox]) -> None:
    client, outbox = site
    with client.stream("GET", "/api/events", params={"sender": SENDER}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        assert stream.headers["cache-control"] == "no-store"
        received = events(stream.iter_lines())
        time.sleep(0.3)  # the stream is waiting now
        sent_at = time.monotonic()
        threading.Thread(target=outbox.put, args=(OTHER, volunteer_answer("not yours"))).start()
        number = outbox.put(SENDER, volunteer_answer("U kunt de huurtoeslag aanvragen bij Dienst Toeslagen."))
        got_number, message = next(received)
        assert time.monotonic() - sent_at <= PUSH_WITHIN_S
        assert got_number == number and message == volunteer_answer("U kunt de huurtoeslag aanvragen bij Dienst Toeslagen.")


def test_a_reconnecting_stream_resumes_after_its_last_event(site: tuple[httpx.Client, Outbox]) -> None:
    client, outbox = site
    first = outbox.put(SENDER, volunteer_answer("een"))
    second = outbox.put(SENDER, volunteer_answer("twee"))
    with client.stream("GET", "/api/events", params={"sender": SENDER},
                       headers={"Last-Event-ID": str(first)}) as stream:
        number, message = next(events(stream.iter_lines()))
        assert (number, message["text"]) == (second, "twee")


def test_what_came_while_the_page_was_closed_is_there_when_it_opens(site: tuple[httpx.Client, Outbox]) -> None:
    client, outbox = site
    numbers = [outbox.put(SENDER, volunteer_answer(f"antwoord {n}")) for n in range(3)]
    outbox.put(OTHER, volunteer_answer("for someone else"))
    found = client.get("/api/messages", params={"sender": SENDER, "after": 0}).json()["messages"]
    assert [m["id"] for m in found] == numbers
    assert [m["message"]["text"] for m in found] == ["antwoord 0", "antwoord 1", "antwoord 2"]
    assert client.get("/api/messages", params={"sender": SENDER, "after": numbers[-1]}).json() == {"messages": []}


def test_long_polling_waits_for_the_next_message(site: tuple[httpx.Client, Outbox]) -> None:
    client, outbox = site
    after = outbox.put(SENDER, volunteer_answer("oud"))
    timer = threading.Timer(0.8, outbox.put, args=(SENDER, volunteer_answer("nieuw")))
    started = time.monotonic()
    timer.start()
    found = client.get("/api/messages", params={"sender": SENDER, "after": after, "wait": 20}).json()["messages"]
    waited = time.monotonic() - started
    assert [m["message"]["text"] for m in found] == ["nieuw"]
    assert 0.7 <= waited <= 0.8 + PUSH_WITHIN_S


def test_long_polling_gives_up_empty_after_its_wait(site: tuple[httpx.Client, Outbox]) -> None:
    client, _ = site
    started = time.monotonic()
    assert client.get("/api/messages", params={"sender": SENDER, "wait": 1}).json() == {"messages": []}
    assert 0.9 <= time.monotonic() - started <= 3.0
