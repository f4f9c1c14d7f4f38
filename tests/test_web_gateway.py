"""The web gateway on loopback: the chat page, input checks, and the apology when Rasa is down."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from e2e_helpers import free_port
from vraagbaak.channels.rasa_relay import merge_custom
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.settings import Settings


@pytest.fixture()
def gateway():
    closed = free_port()  # nothing listens here: Rasa is "down"
    settings = replace(Settings(), web_port=free_port(), rasa_url=f"http://127.0.0.1:{closed}", rasa_timeout=2)
    server = BackgroundServer(settings)
    yield f"http://127.0.0.1:{settings.web_port}"
    server.shutdown()


def post(url: str, body: bytes) -> tuple[int, object]:
    request = urllib.request.Request(url + "/api/messages", data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_serves_the_demo_page_with_the_widget(gateway: str) -> None:
    with urllib.request.urlopen(gateway + "/", timeout=5) as response:
        assert response.status == 200 and b'<script src="/widget.js"' in response.read()


def test_rasa_down_gives_a_localized_apology_with_the_phone_number(gateway: str) -> None:
    status, messages = post(gateway, json.dumps({"sender": "s1", "message": "هل طبيب الأسنان مجاني؟",
                                                 "municipality": "haarlem"}).encode())
    assert status == 200
    (message,) = messages
    assert message["custom"]["vraagbaak"] == "unavailable" and message["custom"]["lang"] == "ar"
    assert "14 023" in message["text"] and any("\u0600" <= ch <= "\u06ff" for ch in message["text"])


@pytest.mark.parametrize("body", [b"not json", b'{"message": "no sender"}', b"[1, 2]"])
def test_bad_requests_get_a_clear_error(gateway: str, body: bytes) -> None:
    status, reply = post(gateway, body)
    assert status == 400 and "sender" in reply["error"]


def test_oversized_requests_are_refused(gateway: str) -> None:
    status, _ = post(gateway, json.dumps({"sender": "s", "message": "a" * 20_000}).encode())
    assert status == 413


def test_custom_metadata_is_joined_to_its_text() -> None:
    merged = merge_custom([{"recipient_id": "s", "text": "answer", "buttons": []},
                           {"recipient_id": "s", "custom": {"article_id": "x/y"}},
                           {"recipient_id": "s", "text": "plain"}])
    assert merged[0]["custom"] == {"article_id": "x/y"} and "custom" not in merged[1]


def test_readiness_names_what_is_down(tmp_path: Path) -> None:
    """/health/live answers while this process does; /health/ready only when Rasa and the action
    server answer too, and says which one does not (here: nothing listens on either port)."""
    settings = replace(Settings(), var_dir=tmp_path, web_port=free_port(), action_port=free_port(),
                        rasa_url=f"http://127.0.0.1:{free_port()}")
    server = BackgroundServer(settings)
    try:
        base = f"http://127.0.0.1:{settings.web_port}"
        with urllib.request.urlopen(f"{base}/health/live", timeout=10) as live:
            assert live.status == 200 and json.loads(live.read()) == {"ok": True}
        try:
            urllib.request.urlopen(f"{base}/health/ready", timeout=10)
            raise AssertionError("ready although nothing answers")
        except urllib.error.HTTPError as not_ready:
            assert not_ready.code == 503
            assert json.loads(not_ready.read()) == {"ready": False, "rasa": False, "actions": False}
    finally:
        server.shutdown()
