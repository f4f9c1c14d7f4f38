"""The web gateway's limits against abuse, through a real uvicorn on loopback: per sender, per
client address (from X-Forwarded-For only behind a trusted proxy), message length, request size
and open push streams; each refusal is polite, in the user's language, and never reaches Rasa."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from e2e_helpers import free_port
from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.settings import Settings

WEB_SENDER = "web-" + "a" * 32


@contextmanager
def gateway(tmp_path: Path, **changes: object) -> Iterator[httpx.Client]:
    """A gateway whose Rasa is down (nothing listens): an allowed message gets the apology at
    once, so what these tests see is the limits, not Rasa."""
    settings = replace(Settings(), var_dir=tmp_path, web_port=free_port(),
                       rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2, **changes)
    server = BackgroundServer(settings)
    try:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client
    finally:
        server.shutdown()


def say(client: httpx.Client, sender: str, text: str = "Wanneer komt de vuilniswagen?", **headers: str) -> httpx.Response:
    return client.post("/api/messages", json={"sender": sender, "message": text, "municipality": "haarlem"},
                       headers=headers)


def kind(response: httpx.Response) -> str:
    return response.json()[0]["custom"]["vraagbaak"]


def t(lang: str, text: str) -> str:
    return translator(Settings().translations_dir, lang)(text)


def test_one_sender_flooding_is_told_politely_and_others_go_on(tmp_path: Path) -> None:
    with gateway(tmp_path, web_sender_burst=3, web_sender_per_minute=1) as client:
        kinds = [kind(say(client, "flooder")) for _ in range(3)]
        assert kinds == ["unavailable"] * 3  # relayed (Rasa is down here)
        refused = say(client, "flooder", "هل طبيب الأسنان مجاني؟")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) == 60
        (reply,) = refused.json()
        assert reply["custom"] == {"vraagbaak": "too_many", "lang": "ar"}
        assert reply["text"] == f'{t("ar", texts.TOO_MANY)}\n\n{t("ar", texts.IN_DANGER_CALL_112)}' and "112" in reply["text"]
        assert kind(say(client, "someone-else")) == "unavailable"


@pytest.mark.parametrize("emergency", ["Help, mijn buurman is bewusteloos!", "ساعدوني، يوجد حريق في البيت",
                                       "Someone is hitting me, please help"])
def test_a_message_that_may_be_an_emergency_is_never_held_back_by_a_limit(tmp_path: Path, emergency: str) -> None:
    """Over the limits, a message matching the safety layer's danger patterns still goes to Rasa
    (here Rasa is down: the relay's apology, not the limit's refusal); so does a long one."""
    with gateway(tmp_path, web_sender_burst=1, web_sender_per_minute=1, max_message_chars=60) as client:
        assert kind(say(client, "in-danger", "Hoe vraag ik zorgtoeslag aan?")) == "unavailable"
        assert kind(say(client, "in-danger", "Nog een vraag over de huurtoeslag")) == "too_many"
        assert kind(say(client, "in-danger", emergency)) == "unavailable"
        assert kind(say(client, "other", emergency + " " + "x" * 80)) == "unavailable"


def test_one_address_flooding_with_many_senders_is_limited(tmp_path: Path) -> None:
    with gateway(tmp_path, web_ip_burst=4, web_ip_per_minute=1) as client:
        statuses = [say(client, f"sender-{n}").status_code for n in range(6)]
        assert statuses == [200] * 4 + [429] * 2


def test_behind_a_trusted_proxy_each_client_address_counts_apart(tmp_path: Path) -> None:
    with gateway(tmp_path, web_ip_burst=2, web_ip_per_minute=1, forwarded_allow_ips="127.0.0.1") as client:
        first = [say(client, f"a{n}", **{"X-Forwarded-For": "203.0.113.5"}).status_code for n in range(3)]
        second = [say(client, f"b{n}", **{"X-Forwarded-For": "198.51.100.7"}).status_code for n in range(2)]
        assert first == [200, 200, 429] and second == [200, 200]


def test_an_untrusted_client_cannot_choose_its_address(tmp_path: Path) -> None:
    """Without VRAAGBAAK_FORWARDED_ALLOW_IPS a made-up X-Forwarded-For changes nothing."""
    with gateway(tmp_path, web_ip_burst=2, web_ip_per_minute=1) as client:
        statuses = [say(client, f"s{n}", **{"X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(3)]
        assert statuses == [200, 200, 429]


def test_a_too_long_message_is_refused_in_its_language_without_retry(tmp_path: Path) -> None:
    with gateway(tmp_path, max_message_chars=40) as client:
        refused = say(client, "s", "ሰላም፡ ናይ ጥዕና ኢንሹራንስ ክንደይ እዩ ዋግኡ? ኣብ ሆላንድ ሓዲሽ እየ፡ ክሕግዘኒ ትኽእል ዶ?")
        assert refused.status_code == 413
        assert refused.json() == [{"text": f'{t("ti", texts.MESSAGE_TOO_LONG)}\n\n{t("ti", texts.IN_DANGER_CALL_112)}',
                                   "custom": {"vraagbaak": "too_long", "lang": "ti"}}]
        assert say(client, "s", "kort").status_code == 200


def test_a_too_large_body_is_refused_in_the_browsers_language(tmp_path: Path) -> None:
    with gateway(tmp_path, max_body_bytes=1024) as client:
        body = b'{"sender": "s", "message": "' + b"a" * 2000 + b'"}'
        refused = client.post("/api/messages", content=body, headers={"Content-Type": "application/json",
                                                                     "Accept-Language": "ar-SA,ar;q=0.9,en;q=0.5"})
        assert refused.status_code == 413 and refused.json()[0]["text"].startswith(t("ar", texts.MESSAGE_TOO_LONG))

        def chunks() -> Iterator[bytes]:  # no Content-Length: the server must stop reading itself
            yield body[:600]
            yield body[600:]

        chunked = client.post("/api/messages", content=chunks(), headers={"Content-Type": "application/json"})
        assert chunked.status_code == 413 and chunked.json()[0]["custom"]["vraagbaak"] == "too_long"


def test_push_streams_per_client_are_limited(tmp_path: Path) -> None:
    with gateway(tmp_path, web_streams_per_client=1) as client:
        with client.stream("GET", "/api/events", params={"sender": WEB_SENDER}) as stream:
            assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
            lines = stream.iter_lines()  # kept: a dropped iterator closes the stream
            assert next(lines) == "retry: 3000"
            second = client.get("/api/events", params={"sender": WEB_SENDER})
            assert second.status_code == 429 and kind(second) == "too_many"
            polled = client.get("/api/messages", params={"sender": WEB_SENDER})
            assert polled.status_code == 429
        # The first stream closed: its place is free again once the server has seen it go.
        deadline = time.monotonic() + 5
        while client.get("/api/messages", params={"sender": WEB_SENDER}).status_code != 200:
            assert time.monotonic() < deadline, "a closed stream still holds its place"
            time.sleep(0.1)


@pytest.mark.parametrize("sender", ["", "tg-123", "web-xyz", "web-" + "A" * 32])
def test_push_routes_take_only_the_widgets_own_sender_ids(tmp_path: Path, sender: str) -> None:
    with gateway(tmp_path) as client:
        assert client.get("/api/messages", params={"sender": sender}).status_code == 400
        assert client.get("/api/events", params={"sender": sender}).status_code == 400
