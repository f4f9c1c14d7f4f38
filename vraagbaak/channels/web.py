"""The web server: serves the chat widget, its demo page and font, and relays the widget's
messages to Rasa (see :mod:`vraagbaak.channels.rasa_relay`).

Browsers talk to this server only (no Rasa token in any page). Routes:

=======================  ================================================================
``GET /``                a demo municipality page with the one widget script tag
``GET /widget.js``       the widget (static/widget.js)
``GET /widget/fonts/…``  the Ge'ez font the widget uses for Tigrinya
``GET /api/widget-config``  labels, languages, municipalities (:mod:`.widget`)
``POST /api/messages``   ``{"sender", "message" | "payload", "lang"?, "municipality"?}`` → Rasa's messages
``POST /api/forget``     ``{"sender"}`` → ``{"forgotten": true}``, the conversation deleted (:mod:`.forget`)
``GET /health``          ``{"ok": true}`` (also ``/health/live``: this process answers)
``GET /health/ready``    200 ``{"ready": true, "rasa": true, "actions": true}``, else 503 naming what is down
=======================  ================================================================

The API answers pages on other origins as ``VRAAGBAAK_ALLOWED_ORIGINS`` allows (:mod:`.cors`).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vraagbaak.channels.cors import CorsPolicy
from vraagbaak.channels.forget import forget_widget_conversation, is_widget_sender
from vraagbaak.channels.health import readiness
from vraagbaak.channels.rasa_relay import Gateway
from vraagbaak.channels.widget import FONT_URL, widget_config
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.languages import LANGUAGES
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.web")
MAX_BODY_BYTES = 16_384
MAX_MESSAGE_CHARS = 2_000
API_PATHS = frozenset({"/api/messages", "/api/forget", "/api/widget-config"})
#: What :meth:`Handler._read_json` returns when it has answered the request with an error.
ANSWERED = object()


@dataclass(frozen=True)
class Asset:
    """A file the server sends as it is: from the package's static/ folder, or a path."""

    source: str | Path
    content_type: str
    cache_control: str = "no-cache"  # revalidate with the ETag: a changed widget reaches users at once
    compressible: bool = True
    cors: bool = False  # fonts are fetched in CORS mode by pages on other origins

    def read(self) -> bytes:
        if isinstance(self.source, Path):
            return self.source.read_bytes()
        return resources.files("vraagbaak.channels").joinpath("static", self.source).read_bytes()


def static_assets(settings: Settings) -> dict[str, Asset]:
    return {
        "/": Asset("index.html", "text/html; charset=utf-8"),
        "/widget.js": Asset("widget.js", "text/javascript; charset=utf-8"),
        FONT_URL: Asset(Path(settings.widget_font), "font/woff2", "public, max-age=604800",
                        compressible=False, cors=True),
    }


def demo_page(body: bytes, query: str, municipalities: dict[str, Any]) -> bytes:
    """The demo page with the script tag's attributes from ``?municipality=haarlem&lang=ar``,
    to try variants; only known values are used, so nothing from the URL reaches the page."""
    params = parse_qs(query, keep_blank_values=True)
    municipality = (params.get("municipality") or ["den-haag"])[0]
    lang = (params.get("lang") or ["auto"])[0]
    if municipality not in municipalities and municipality != "":
        municipality = "den-haag"
    if lang not in LANGUAGES:
        lang = "auto"
    return body.replace(b'data-municipality="den-haag" data-lang="auto"',
                        f'data-municipality="{municipality}" data-lang="{lang}"'.encode())


@dataclass
class WebApp:
    """What the request handler needs, built once per server."""

    settings: Settings
    gateway: Gateway
    cors: CorsPolicy
    config_json: bytes
    assets: dict[str, Asset] = field(default_factory=dict)


def make_handler(app: WebApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "vraagbaak"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            log.debug("http %s %s", self.command, urlsplit(self.path).path)  # never the body: it holds user text

        # --- sending ---------------------------------------------------------------------------
        def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Content-Type-Options", "nosniff")
            headers = headers or {}
            if "Cache-Control" not in headers:
                self.send_header("Cache-Control", "no-store")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _json(self, status: int, data: Any, headers: dict[str, str] | None = None) -> None:
            body = json.dumps(data, ensure_ascii=False).encode()
            self._send(status, body, "application/json; charset=utf-8", headers)

        def _cached(self, body: bytes, content_type: str, cache_control: str, compressible: bool,
                    headers: dict[str, str]) -> None:
            """A response browsers may keep: ETag revalidation, gzip when the browser takes it."""
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers = {**headers, "ETag": etag, "Cache-Control": cache_control}
            if compressible:
                headers["Vary"] = ", ".join(filter(None, [headers.get("Vary"), "Accept-Encoding"]))
            if etag in (self.headers.get("If-None-Match") or ""):
                self.send_response(HTTPStatus.NOT_MODIFIED)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                return
            if compressible and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                body = gzip.compress(body, compresslevel=9, mtime=0)
                headers["Content-Encoding"] = "gzip"
            self._send(HTTPStatus.OK, body, content_type, headers)

        # --- CORS ------------------------------------------------------------------------------
        def _origin(self) -> tuple[str | None, str | None]:
            return self.headers.get("Origin"), self.headers.get("Host")

        def _cross_origin_refused(self) -> bool:
            """Answer 403 to an API call from a page that may not embed the widget."""
            if app.cors.allows(*self._origin()):
                return False
            log.info("refused an API call from an origin that is not allowed")
            self._json(HTTPStatus.FORBIDDEN, {"error": "this site may not use the Vraagbaak API "
                                                       "(VRAAGBAAK_ALLOWED_ORIGINS)"})
            return True

        # --- routes ----------------------------------------------------------------------------
        def do_OPTIONS(self) -> None:  # noqa: N802
            if urlsplit(self.path).path not in API_PATHS:
                return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            if self._cross_origin_refused():
                return
            self.send_response(HTTPStatus.NO_CONTENT)
            for name, value in app.cors.preflight_headers(*self._origin()).items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self) -> None:  # noqa: N802
            self.do_GET()

        def do_GET(self) -> None:  # noqa: N802
            url = urlsplit(self.path)
            if url.path in ("/health", "/health/live"):
                return self._json(HTTPStatus.OK, {"ok": True})
            if url.path == "/health/ready":
                checks = readiness(app.settings)
                status = HTTPStatus.OK if all(checks.values()) else HTTPStatus.SERVICE_UNAVAILABLE
                return self._json(status, {"ready": all(checks.values()), **checks})
            if url.path == "/api/widget-config":
                if self._cross_origin_refused():
                    return
                return self._cached(app.config_json, "application/json; charset=utf-8", "no-cache", True,
                                    app.cors.headers(*self._origin()))
            asset = app.assets.get(url.path)
            if asset is None:
                return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            try:
                body = asset.read()
            except OSError:
                log.warning("static file missing for %s (run `make install`)", url.path)
                return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            if url.path == "/":
                body = demo_page(body, url.query, app.gateway.municipalities)
            headers = {"Access-Control-Allow-Origin": "*"} if asset.cors else {}
            self._cached(body, asset.content_type, asset.cache_control, asset.compressible, headers)

        def do_POST(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            if path not in ("/api/messages", "/api/forget"):
                return self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})
            if self._cross_origin_refused():
                return
            cors = app.cors.headers(*self._origin())
            if path == "/api/forget":
                return self._forget(cors)
            expected = "expected JSON with sender and message (or payload)"
            data = self._read_json(cors, expected)
            if data is ANSWERED:
                return
            try:
                sender = str(data["sender"])[:128]
                # A button press sends its payload; typed text is a message (never a command).
                is_payload = "payload" in data
                message = str(data["payload"] if is_payload else data["message"])[:MAX_MESSAGE_CHARS]
            except (KeyError, TypeError):
                return self._json(HTTPStatus.BAD_REQUEST, {"error": expected}, cors)
            lang = data.get("lang") if isinstance(data.get("lang"), str) else None
            municipality = data.get("municipality") if isinstance(data.get("municipality"), str) else None
            self._json(HTTPStatus.OK, app.gateway.relay(sender, message, lang, municipality, is_payload), cors)

        def _forget(self, cors: dict[str, str]) -> None:
            """The same answer whether the conversation existed or not: 200 when it is gone, 503
            when that could not be made sure of (the widget asks again at its next start)."""
            expected = "expected JSON with the widget's sender id"
            data = self._read_json(cors, expected)
            if data is ANSWERED:
                return
            sender = data.get("sender") if isinstance(data, dict) else None
            if not is_widget_sender(sender):
                return self._json(HTTPStatus.BAD_REQUEST, {"error": expected}, cors)
            gone = forget_widget_conversation(app.settings, sender)
            self._json(HTTPStatus.OK if gone else HTTPStatus.SERVICE_UNAVAILABLE, {"forgotten": gone}, cors)

        def _read_json(self, cors: dict[str, str], expected: str) -> Any:
            """The request's JSON body, or :data:`ANSWERED` after answering 413 (empty or too
            long) or 400 (not JSON; ``expected`` says what is)."""
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length <= 0 or length > MAX_BODY_BYTES:
                self._json(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "message too long"}, cors)
                return ANSWERED
            try:
                return json.loads(self.rfile.read(length).decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self._json(HTTPStatus.BAD_REQUEST, {"error": expected}, cors)
                return ANSWERED

    return Handler


def create_server(settings: Settings) -> ThreadingHTTPServer:
    problems: list = []
    municipalities = load_municipalities(settings.knowledge_dir, problems)
    gateway = Gateway(settings, municipalities)
    config = json.dumps(widget_config(settings, municipalities), ensure_ascii=False).encode()
    app = WebApp(settings, gateway, CorsPolicy(settings.origins), config, static_assets(settings))
    server = ThreadingHTTPServer((settings.host, settings.web_port), make_handler(app))
    server.daemon_threads = True
    return server
