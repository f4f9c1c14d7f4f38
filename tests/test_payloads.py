"""Typed text is text: only payloads the assistant offers reach Rasa as commands
(vraagbaak/assistant/payloads.py and the relay every channel uses)."""

from __future__ import annotations

import asyncio

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from e2e_helpers import free_port
from vraagbaak.assistant import payloads
from vraagbaak.channels.rasa_relay import Gateway
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.settings import Settings

MUNICIPALITIES = ("den-haag", "enschede", "haarlem")


@pytest.mark.parametrize("payload", ["/greet", "/feedback_helpful", "/feedback_not_helpful", "/request_human",
                                     "/choose_language", '/choose_language{"language":"ti"}',
                                     '/choose_municipality{"municipality":"haarlem"}',
                                     '/choose_municipality{"municipality":"other"}'])
def test_the_assistants_own_payloads_are_allowed(payload: str) -> None:
    assert payloads.is_allowed(payload, MUNICIPALITIES)


@pytest.mark.parametrize("payload", ["/restart", "/session_start", "/emergency", "/greet{}", "/out_of_scope",
                                     '/choose_language{"language":"xx"}', '/choose_language{"slot": "admin"}',
                                     '/choose_language{"language":"ti","municipality":"haarlem"}',
                                     '/choose_municipality{"municipality":"amsterdam"}', "/choose_language{not json}",
                                     "hello", ""])
def test_anything_else_is_refused(payload: str) -> None:
    assert not payloads.is_allowed(payload, MUNICIPALITIES)


@pytest.mark.parametrize(("typed", "sent"), [("/restart", "restart"), ("//session_start now", "session_start now"),
                                             ("  /greet", "greet"), ("/", "\uff0f"), ("hoi /restart", "hoi /restart")])
def test_typed_text_never_starts_with_a_slash(typed: str, sent: str) -> None:
    assert payloads.as_typed_text(typed) == sent


class RecordingFakeRasa(BaseHTTPRequestHandler):
    """A fake Rasa REST channel that records what it was sent and answers one message."""

    received: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append(body)
        reply = json.dumps([{"recipient_id": body["sender"], "text": "ok"}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def gateway() -> Iterator[Gateway]:
    RecordingFakeRasa.received = []
    port = free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), RecordingFakeRasa)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = replace(Settings(), rasa_url=f"http://127.0.0.1:{port}", rasa_timeout=5)
    yield Gateway(settings, load_municipalities(settings.knowledge_dir, []))
    server.shutdown()


def test_the_relay_sends_typed_commands_as_words_and_offered_payloads_as_commands(gateway: Gateway) -> None:
    async def exchange() -> None:
        await gateway.relay("s", "/restart", None, None)
        await gateway.relay("s", '/choose_language{"language":"ar"}', None, None)  # typed, not pressed
        await gateway.relay("s", '/choose_language{"language":"ar"}', None, None, is_payload=True)
        await gateway.relay("s", "/restart", None, None, is_payload=True)  # not a button the assistant offers
        await gateway.aclose()

    asyncio.run(exchange())
    sent = [m["message"] for m in RecordingFakeRasa.received]
    assert sent == ["restart", 'choose_language{"language":"ar"}', '/choose_language{"language":"ar"}', "restart"]
