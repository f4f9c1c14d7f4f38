"""The web gateway: serves the chat page and relays messages to Rasa's REST channel.

Browsers talk to this server only (one origin, no Rasa token in the page). When Rasa or the
action server cannot answer, the user gets a polite message in their language with their
municipality's phone number instead of silence.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.i18n.detect import detect_language
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import LANGUAGES
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.web")
MAX_BODY_BYTES = 16_384
MAX_MESSAGE_CHARS = 2_000
STATIC_FILES = {"/": ("index.html", "text/html; charset=utf-8")}


@dataclass
class Gateway:
    """Relays one user message to Rasa and returns the bot's messages (never an empty list)."""

    settings: Settings
    municipalities: dict[str, Municipality]

    def unavailable(self, lang: str, municipality: str | None) -> list[dict[str, Any]]:
        t = translator(self.settings.translations_dir, lang)
        place = self.municipalities.get(municipality or "")
        if place:
            offer = t(texts.HUMAN_WITH_PHONE, municipality=place.name, phone=place.phone, website=place.website)
        else:
            offer = t(texts.HUMAN_GENERAL)
        return [{"text": f"{t(texts.UNAVAILABLE)}\n\n{offer}",
                 "custom": {"vraagbaak": "unavailable", "lang": lang, "municipality": municipality,
                            "phone": place.phone if place else None}}]

    def relay(self, sender: str, message: str, lang: str | None, municipality: str | None) -> list[dict[str, Any]]:
        if lang not in LANGUAGES:
            lang = detect_language(message).lang
        payload = json.dumps({"sender": sender, "message": message,
                              "metadata": {"lang": lang, "municipality": municipality}}).encode()
        request = urllib.request.Request(f"{self.settings.rasa_url}/webhooks/rest/webhook", data=payload,
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.settings.rasa_timeout) as response:
                messages = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError, OSError) as exc:
            log.warning("rasa unreachable: %s", type(exc).__name__)
            return self.unavailable(lang, municipality)
        if not isinstance(messages, list) or not messages:
            # Rasa answers with nothing when an action fails (e.g. the action server is down).
            log.warning("rasa returned no messages")
            return self.unavailable(lang, municipality)
        return merge_custom(messages)


def merge_custom(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa sends an action's metadata as a separate ``custom`` message right after its text;
    join the two so that each answer carries its own metadata."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if set(message) <= {"recipient_id", "custom"} and merged and "custom" not in merged[-1]:
            merged[-1] = {**merged[-1], "custom": message.get("custom")}
        else:
            merged.append(dict(message))
    return merged


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "vraagbaak"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            log.debug("http %s", self.path.split("?")[0])  # never the body: it holds user text

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, data: Any) -> None:
            self._send(status, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?")[0]
            if path == "/health":
                return self._json(HTTPStatus.OK, {"ok": True})
            if path in STATIC_FILES:
                name, content_type = STATIC_FILES[path]
                body = resources.files("vraagbaak.channels").joinpath("static", name).read_bytes()
                return self._send(HTTPStatus.OK, body, content_type)
            self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            if self.path.split("?")[0] != "/api/messages":
                return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY_BYTES:
                return self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "message too long"})
            try:
                data = json.loads(self.rfile.read(length).decode("utf-8"))
                sender = str(data["sender"])[:128]
                message = str(data["message"])[:MAX_MESSAGE_CHARS]
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                return self._json(HTTPStatus.BAD_REQUEST, {"error": "expected JSON with sender and message"})
            lang = data.get("lang") if isinstance(data.get("lang"), str) else None
            municipality = data.get("municipality") if isinstance(data.get("municipality"), str) else None
            self._json(HTTPStatus.OK, gateway.relay(sender, message, lang, municipality))

    return Handler


def create_server(settings: Settings) -> ThreadingHTTPServer:
    problems: list = []
    gateway = Gateway(settings, load_municipalities(settings.knowledge_dir, problems))
    server = ThreadingHTTPServer((settings.host, settings.web_port), make_handler(gateway))
    server.daemon_threads = True
    return server
