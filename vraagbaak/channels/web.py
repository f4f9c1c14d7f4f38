"""The web server: serves the chat page and relays browser messages to Rasa (see
:mod:`vraagbaak.channels.rasa_relay`).

Browsers talk to this server only (one origin, no Rasa token in the page).
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from vraagbaak.channels.rasa_relay import Gateway
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.web")
MAX_BODY_BYTES = 16_384
MAX_MESSAGE_CHARS = 2_000
STATIC_FILES = {"/": ("index.html", "text/html; charset=utf-8")}


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
