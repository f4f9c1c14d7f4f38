"""The web gateway's apology when Rasa accepts the connection but does not answer in time
(VRAAGBAAK_RASA_TIMEOUT): the user gets a polite message in their language with their
municipality's phone number, after the timeout and not much later. test_web_gateway.py covers a
refused connection; a hung Rasa (busy, stuck in an action) is the other way it fails.

The "Rasa" here is a real HTTP server on loopback that reads the request and then says nothing
for longer than the timeout: a stand-in named as one (:class:`FakeSilentRasa`)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.channels.rasa_relay import Gateway
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.settings import Settings

#: VRAAGBAAK_RASA_TIMEOUT in these tests, seconds.
TIMEOUT_S = 1
#: How long the silent Rasa holds a request: far beyond the timeout, so only the timeout ends it.
SILENCE_S = 15.0
#: The apology must come within this long: the timeout, plus room for a loaded two-core machine.
BOUND_S = TIMEOUT_S + 3.0


class FakeSilentRasa:
    """A fake Rasa REST channel: accepts, reads the request, then stays silent for SILENCE_S
    (or until stopped). With ``headers_first`` it sends the status line and headers, then stalls
    in the body. Records every request it read, so a test knows the connection was accepted."""

    def __init__(self, headers_first: bool = False) -> None:
        self.received: list[bytes] = []
        self.released = threading.Event()
        silent = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                silent.received.append(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
                if headers_first:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", "1000")
                    self.end_headers()
                    self.wfile.write(b'[{"text": "')
                    self.wfile.flush()
                silent.released.wait(SILENCE_S)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="silent-rasa", daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(params=[False, True], ids=["silent-after-accept", "stalls-after-headers"])
def silent_rasa(request: pytest.FixtureRequest) -> Iterator[FakeSilentRasa]:
    server = FakeSilentRasa(headers_first=request.param)
    yield server
    server.stop()


def gateway_for(rasa: FakeSilentRasa) -> Gateway:
    settings = Settings.from_env({"VRAAGBAAK_RASA_URL": rasa.url, "VRAAGBAAK_RASA_TIMEOUT": str(TIMEOUT_S)})
    return Gateway(settings, load_municipalities(settings.knowledge_dir, []))


@pytest.mark.parametrize(("message", "lang", "municipality"), [
    ("Wanneer wordt het grofvuil opgehaald?", "nl", "den-haag"),
    ("How do I apply for the healthcare allowance?", "en", "enschede"),
    ("هل طبيب الأسنان مجاني؟", "ar", "haarlem"),
    ("zorgtoeslag ብኸመይ ይሕተት?", "ti", "haarlem"),
])
def test_a_rasa_that_does_not_answer_in_time_gets_the_apology_in_the_users_language(
        silent_rasa: FakeSilentRasa, message: str, lang: str, municipality: str) -> None:
    gateway = gateway_for(silent_rasa)
    place = gateway.municipalities[municipality]
    started = time.monotonic()
    replies = asyncio.run(gateway.relay("timeout-test", message, None, municipality))  # the language from the message
    elapsed = time.monotonic() - started

    assert silent_rasa.received, "the request reached Rasa: this is the timeout, not a refused connection"
    assert TIMEOUT_S * 0.9 <= elapsed <= BOUND_S, f"apologised after {elapsed:.1f} s"
    (reply,) = replies
    t = translator(gateway.settings.translations_dir, lang)
    assert reply["text"] == f"{t(texts.UNAVAILABLE)}\n\n" + t(
        texts.HUMAN_WITH_PHONE, municipality=place.name, phone=place.phone, website=place.website)
    assert place.phone in reply["text"]
    assert reply["custom"] == {"vraagbaak": "unavailable", "lang": lang, "municipality": municipality,
                               "phone": place.phone}


def test_the_apology_follows_the_language_the_channel_gives(silent_rasa: FakeSilentRasa) -> None:
    """A page with data-lang="ar" (or a Telegram chat in Arabic): its language wins over the
    message's, which may be a Dutch word or a button's title."""
    gateway = gateway_for(silent_rasa)
    started = time.monotonic()
    (reply,) = asyncio.run(gateway.relay("timeout-test", "Wanneer wordt het grofvuil opgehaald?", "ar", "den-haag"))
    assert time.monotonic() - started <= BOUND_S
    assert reply["custom"]["lang"] == "ar" and reply["custom"]["phone"] == "14 070"
    assert reply["text"].startswith(translator(gateway.settings.translations_dir, "ar")(texts.UNAVAILABLE))
