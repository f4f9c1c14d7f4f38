"""/vergeet against docker compose's tracker store for real: a PostgreSQL server of its own
(Debian's postgresql package) holding what Rasa's own SQLTrackerStore wrote, run with Rasa's
interpreter; our deletion runs in this process against the same URL, and Rasa reads back."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from postgres_helpers import DATABASE, EMPTY_DATABASE, PASSWORD, USER, Postgres, postgres  # noqa: F401
from telegram_helpers import FakeRasa, json_log
from tracker_helpers import rasa_tracker_store
from vraagbaak.channels.telegram.tracker import CONVERSATION_EVENTS, RasaTracker
from vraagbaak.privacy.tracker_db import delete_sender_events
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.slow]

#: Sender A's id tries SQL injection: it must be a parameter, never part of the SQL.
SENDER_A, SENDER_B = "tg-a'; DROP TABLE events; --", "tg-b"


@pytest.fixture(scope="module")
def rasa_store(postgres: Postgres) -> Callable[..., dict[str, list[dict[str, Any]] | None]]:
    """``rasa_store("save" | "dump", *senders)``: Rasa's SQLTrackerStore in Rasa's own venv
    (``"save", "--days-ago", "100", *senders``: conversations of 100 days ago)."""
    database = {"PG_HOST": postgres.host, "PG_PORT": str(postgres.port), "PG_DB": DATABASE, "PG_USER": USER,
                "PG_PASSWORD": PASSWORD}
    return lambda command, *args: rasa_tracker_store(database, command, *args)


@pytest.fixture
def rasa_api() -> Iterator[FakeRasa]:
    """Rasa's HTTP API, which forget() asks afterwards; the store itself is the real one."""
    rasa = FakeRasa()
    yield rasa
    rasa.stop()


def settings_for(url: str, rasa: FakeRasa) -> Settings:
    return dataclasses.replace(Settings(), tracker_db=url, rasa_url=rasa.url, rasa_token="t", rasa_timeout=5)


def conversation(events: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [e for e in events or [] if e["event"] in CONVERSATION_EVENTS]


def test_forget_deletes_one_conversation_that_rasas_own_store_wrote_and_leaves_the_other(
        postgres: Postgres, rasa_store: Callable[..., Any], rasa_api: FakeRasa) -> None:
    saved = rasa_store("save", SENDER_A, SENDER_B)
    assert {e["event"] for e in conversation(saved[SENDER_A])} == {"user", "bot", "slot"}
    assert conversation(saved[SENDER_B])

    settings = settings_for(postgres.url(), rasa_api)
    assert settings.validate() is None  # the URL form the operator writes is accepted
    with json_log("vraagbaak") as lines:
        assert RasaTracker(settings).forget(SENDER_A)
    assert [m for m, _, _ in rasa_api.requests] == ["PUT", "GET"]

    after = rasa_store("dump", SENDER_A, SENDER_B)
    assert after[SENDER_A] is None or not conversation(after[SENDER_A])
    assert after[SENDER_B] == saved[SENDER_B]  # every event, untouched
    assert delete_sender_events(settings, SENDER_A) == 0  # nothing left to delete; the table stands
    assert PASSWORD not in lines.getvalue()


def test_a_database_where_rasa_never_stored_anything_has_nothing_to_delete(
        postgres: Postgres, rasa_api: FakeRasa) -> None:
    settings = settings_for(postgres.url(database=EMPTY_DATABASE), rasa_api)
    assert delete_sender_events(settings, SENDER_A) is None
    assert RasaTracker(settings).forget(SENDER_A)  # and Rasa's API confirms it holds nothing


def test_a_wrong_password_fails_the_forgetting_and_appears_in_no_log(postgres: Postgres,
                                                                     rasa_api: FakeRasa) -> None:
    wrong = "Wrong-pass/word@1"
    settings = settings_for(postgres.url(password=wrong), rasa_api)
    with json_log("vraagbaak") as lines:
        assert not RasaTracker(settings).forget(SENDER_B)
    log = lines.getvalue()
    assert "password authentication failed" in log and f"rasa:***@127.0.0.1:{postgres.port}" in log
    assert all(secret not in log and secret not in repr(settings) for secret in settings.tracker_db_secrets)
    assert wrong not in log
