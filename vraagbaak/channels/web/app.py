"""The web gateway as a Starlette application: the widget's files and API, relayed to Rasa.

Browsers talk to this server only (no Rasa token in any page). What it adds to Starlette's own
parts (static files with ETags, GZip, CORS) is the API's contract and its limits; see
:mod:`vraagbaak.channels.web` for the routes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import anyio.to_thread
from babel import negotiate_locale
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.channels.forget import forget_widget_conversation, is_widget_sender
from vraagbaak.channels.health import readiness
from vraagbaak.channels.rasa_relay import Gateway
from vraagbaak.channels.web.access_log import AccessLog
from vraagbaak.channels.web.headers import SecurityHeaders, page_policy
from vraagbaak.channels.web.limits import Limits
from vraagbaak.channels.web.origins import OriginPolicy
from vraagbaak.channels.web.push import OutboxReader, PushHub
from vraagbaak.channels.widget import FONT_URL, widget_config
from vraagbaak.desk.database import DatabaseError, open_database
from vraagbaak.desk.outbox import Outbox
from vraagbaak.i18n.detect import detect_language
from vraagbaak.knowledge.loader import load_municipalities
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES
from vraagbaak.safety.gate import EmergencyGate, refusal
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.web")

STATIC_DIR = Path(str(resources.files("vraagbaak.channels").joinpath("static")))
#: A push stream sends a comment this often, so proxies and phones keep the connection open.
HEARTBEAT_S = 15.0
#: The longest a long-polling request waits for news.
LONG_POLL_MAX_S = 25.0
EXPECTED_MESSAGE = "expected JSON with sender and message (or payload)"
EXPECTED_SENDER = "expected JSON with the widget's sender id"


class OneFile(StaticFiles):
    """One file through Starlette's static files (ETag and Last-Modified, 304, HEAD, ranges),
    with its own cache policy: the widget revalidates, so a changed widget reaches users at once;
    the font is kept for a week."""

    def __init__(self, path: Path, media_type: str, cache_control: str = "no-cache") -> None:
        super().__init__(directory=path.parent, check_dir=False)
        self.name, self.media_type, self.cache_control = path.name, media_type, cache_control

    def get_path(self, scope: Scope) -> str:
        return self.name

    def file_response(self, full_path: Any, stat_result: Any, scope: Scope, status_code: int = 200) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = self.cache_control
        if response.status_code == 200:
            response.headers["Content-Type"] = self.media_type
        return response


def demo_page(html: str, query: str, municipalities: dict[str, Municipality]) -> str:
    """The demo page with the script tag's attributes from ``?municipality=haarlem&lang=ar``,
    to try variants; only known values are used, so nothing from the URL reaches the page."""
    params = parse_qs(query, keep_blank_values=True)
    municipality = (params.get("municipality") or ["den-haag"])[0]
    lang = (params.get("lang") or ["auto"])[0]
    if municipality not in municipalities and municipality != "":
        municipality = "den-haag"
    if lang not in LANGUAGES:
        lang = "auto"
    return html.replace('data-municipality="den-haag" data-lang="auto"',
                        f'data-municipality="{municipality}" data-lang="{lang}"')


@dataclass
class Web:
    """What the routes share, built once per application."""

    settings: Settings
    municipalities: dict[str, Municipality]
    origins: OriginPolicy
    limits: Limits
    config_body: bytes
    config_etag: str
    page: str
    page_csp: str
    outbox: OutboxReader | None
    emergencies: EmergencyGate
    gateway: Gateway | None = None  # opened by the lifespan
    hub: PushHub | None = None

    def client(self, request: Request) -> str:
        """The client's address (from X-Forwarded-For only behind a trusted proxy)."""
        return request.client.host if request.client else "unknown"

    def refused(self, request: Request) -> Response | None:
        """403 for an API call from a page that may not embed the widget, else None."""
        if self.origins.allows(request.headers.get("origin"), request.headers.get("host")):
            return None
        log.info("refused an API call from an origin that is not allowed")
        return JSONResponse({"error": "this site may not use the Vraagbaak API (VRAAGBAAK_ALLOWED_ORIGINS)"},
                            status_code=403)

    def polite(self, status: int, text: str, kind: str, lang: str, headers: dict[str, str] | None = None) -> Response:
        """A refusal the widget shows as the assistant's message, in the user's language, always
        with 112 under it."""
        reply = {"text": refusal(translator(self.settings.translations_dir, lang), text),
                 "custom": {"vraagbaak": kind, "lang": lang}}
        return JSONResponse([reply], status_code=status, headers=headers)


def web_of(request: Request) -> Web:
    return request.app.state.web


def page_language(request: Request) -> str:
    """The browser's preferred language among ours (for a refusal before the message is read)."""
    preferred = [part.split(";")[0].strip().replace("-", "_")
                 for part in request.headers.get("accept-language", "").split(",") if part.strip()]
    return negotiate_locale(preferred, list(LANGUAGES)) or FALLBACK_LANGUAGE


async def read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is longer than ``limit`` (read no further than that)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    return bytes(body)


async def api_json(request: Request, expected: str) -> tuple[Web, Any] | Response:
    """The checks every posting route makes, then its JSON body: 403 for a page that may not
    embed the widget, 413 (polite) for a body over the limit, 400 naming what is ``expected``."""
    web = web_of(request)
    if refused := web.refused(request):
        return refused
    body = await read_capped(request, web.settings.max_body_bytes)
    if body is None:
        return web.polite(413, texts.MESSAGE_TOO_LONG, "too_long", page_language(request))
    try:
        return web, json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return JSONResponse({"error": expected}, status_code=400)


# --- routes -----------------------------------------------------------------------------------------
async def home(request: Request) -> Response:
    web = web_of(request)
    return HTMLResponse(demo_page(web.page, request.url.query, web.municipalities),
                        headers={"Cache-Control": "no-cache", "Content-Security-Policy": web.page_csp})


async def config(request: Request) -> Response:
    web = web_of(request)
    if refused := web.refused(request):
        return refused
    headers = {"ETag": web.config_etag, "Cache-Control": "no-cache"}
    if web.config_etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(web.config_body, media_type="application/json; charset=utf-8", headers=headers)


async def post_message(request: Request) -> Response:
    checked = await api_json(request, EXPECTED_MESSAGE)
    if isinstance(checked, Response):
        return checked
    web, data = checked
    try:
        sender = str(data["sender"])[:128]
        # A button press sends its payload; typed text is a message (never a command).
        is_payload = "payload" in data
        message = str(data["payload"] if is_payload else data["message"])
    except (KeyError, TypeError):
        return JSONResponse({"error": EXPECTED_MESSAGE}, status_code=400)
    hint = data.get("lang") if data.get("lang") in LANGUAGES else None
    municipality = data.get("municipality") if isinstance(data.get("municipality"), str) else None

    def language() -> str:
        return hint or (FALLBACK_LANGUAGE if is_payload else detect_language(message[:500]).lang)

    too_long = len(message) > web.settings.max_message_chars
    refusal = None if too_long else web.limits.message(web.client(request), sender)
    if (too_long or refusal) and web.emergencies.may_be_danger(message):
        # A limit must never be what someone in danger gets: Rasa's safety layer decides.
        log.warning("limit passed over for a message that may be an emergency",
                    extra={"limit": refusal.limit if refusal else "length"})
        message = message[:web.settings.max_message_chars]
    elif too_long:
        return web.polite(413, texts.MESSAGE_TOO_LONG, "too_long", language())
    elif refusal:
        log.info("rate limited", extra={"limit": refusal.limit})
        return web.polite(429, texts.TOO_MANY, "too_many", language(),
                          {"Retry-After": str(refusal.retry_after_s)})
    assert web.gateway is not None
    return JSONResponse(await web.gateway.relay(sender, message, hint, municipality, is_payload))


def _after(request: Request) -> int:
    """Where the widget is in its pushed messages: Last-Event-ID (EventSource's reconnect) or
    ``?after=``; 0 from the start."""
    raw = request.headers.get("last-event-id") or request.query_params.get("after") or "0"
    return int(raw) if raw.isdigit() else 0


def _push_request(request: Request) -> tuple[Web, str] | Response:
    """The checks every push route makes: origin, the widget's own sender id, a free stream."""
    web = web_of(request)
    if refused := web.refused(request):
        return refused
    sender = request.query_params.get("sender")
    if not is_widget_sender(sender) or web.hub is None:
        return JSONResponse({"error": "expected ?sender= with the widget's sender id"}, status_code=400)
    if web.limits.streams_open(web.client(request)) >= web.limits.max_streams:
        return web.polite(429, texts.TOO_MANY, "too_many", page_language(request), {"Retry-After": "30"})
    return web, str(sender)


async def events(request: Request) -> Response:
    """Server-sent events: each pushed message as it comes (``id:`` is its outbox id)."""
    checked = _push_request(request)
    if isinstance(checked, Response):
        return checked
    web, sender = checked
    hub, client, after = web.hub, web.client(request), _after(request)
    assert hub is not None

    async def stream() -> AsyncIterator[str]:
        nonlocal after
        with web.limits.stream(client):
            yield "retry: 3000\n\n"
            while True:
                for number, message in await hub.messages(sender, after):
                    after = number
                    yield f"id: {number}\ndata: {json.dumps(message, ensure_ascii=False)}\n\n"
                if not await hub.wait(sender, after, HEARTBEAT_S):
                    yield ": keep-alive\n\n"

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def poll_messages(request: Request) -> Response:
    """Long polling, where server-sent events do not get through: the pushed messages after
    ``?after=``, waiting up to ``?wait=`` seconds (at most 25) for the first."""
    checked = _push_request(request)
    if isinstance(checked, Response):
        return checked
    web, sender = checked
    hub, after = web.hub, _after(request)
    assert hub is not None
    raw_wait = request.query_params.get("wait", "0")
    wait = min(float(raw_wait), LONG_POLL_MAX_S) if raw_wait.replace(".", "", 1).isdigit() else 0.0
    with web.limits.stream(web.client(request)):
        found = await hub.messages(sender, after)
        if not found and wait > 0 and await hub.wait(sender, after, wait):
            found = await hub.messages(sender, after)
    return JSONResponse({"messages": [{"id": number, "message": message} for number, message in found]},
                        headers={"Cache-Control": "no-store"})


async def forget(request: Request) -> Response:
    """The same answer whether the conversation existed or not: 200 when it is gone, 503 when
    that could not be made sure of (the widget asks again at its next start)."""
    checked = await api_json(request, EXPECTED_SENDER)
    if isinstance(checked, Response):
        return checked
    web, data = checked
    sender = data.get("sender") if isinstance(data, dict) else None
    if not is_widget_sender(sender):
        return JSONResponse({"error": EXPECTED_SENDER}, status_code=400)
    gone = await anyio.to_thread.run_sync(forget_widget_conversation, web.settings, sender)
    return JSONResponse({"forgotten": gone}, status_code=200 if gone else 503)


async def live(request: Request) -> Response:
    return JSONResponse({"ok": True})


async def ready(request: Request) -> Response:
    web = web_of(request)
    assert web.gateway is not None
    checks = await readiness(web.settings, web.gateway.client)
    return JSONResponse({"ready": all(checks.values()), **checks}, status_code=200 if all(checks.values()) else 503)


async def not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return JSONResponse({"error": "not found" if status == 404 else "not allowed"}, status_code=status,
                        headers=getattr(exc, "headers", None))


# --- the application ----------------------------------------------------------------------------------
def create_app(settings: Settings, outbox: OutboxReader | None = None) -> Starlette:
    """The gateway. ``outbox``: where pushed messages wait (default: the desk's outbox in the
    records database, :attr:`Settings.database_url`)."""
    municipalities = load_municipalities(settings.knowledge_dir, [])
    config_body = json.dumps(widget_config(settings, municipalities), ensure_ascii=False).encode()
    page = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    if outbox is None:
        outbox = default_outbox(settings)
    web = Web(settings, municipalities, OriginPolicy(settings.origins), Limits(settings), config_body,
              '"' + hashlib.sha256(config_body).hexdigest()[:32] + '"', page, page_policy(page), outbox,
              EmergencyGate(settings.knowledge_dir))

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        web.gateway = Gateway(settings, municipalities)
        if web.outbox is not None:
            web.hub = PushHub(web.outbox)
            web.hub.start()
        try:
            yield
        finally:
            if web.hub is not None:
                await web.hub.aclose()
            await web.gateway.aclose()

    routes = [
        Route("/", home, methods=["GET", "HEAD"]),
        Route("/widget.js", OneFile(STATIC_DIR / "widget.js", "text/javascript; charset=utf-8")),
        Route(FONT_URL, OneFile(Path(settings.widget_font), "font/woff2", "public, max-age=604800")),
        Route("/api/widget-config", config, methods=["GET", "HEAD"]),
        Route("/api/messages", post_message, methods=["POST"]),
        Route("/api/messages", poll_messages, methods=["GET"]),
        Route("/api/events", events, methods=["GET"]),
        Route("/api/forget", forget, methods=["POST"]),
        Route("/health", live, methods=["GET", "HEAD"]),
        Route("/health/live", live, methods=["GET", "HEAD"]),
        Route("/health/ready", ready, methods=["GET", "HEAD"]),
    ]
    trusted = [host.strip() for host in settings.forwarded_allow_ips.split(",") if host.strip()]
    middleware = [
        Middleware(ProxyHeadersMiddleware, trusted_hosts=trusted),
        Middleware(AccessLog),
        Middleware(SecurityHeaders),
        Middleware(GZipMiddleware, minimum_size=500),
        Middleware(CORSMiddleware, allow_origins=list(settings.origins), allow_methods=["GET", "POST", "OPTIONS"],
                   allow_headers=["Content-Type", "Last-Event-ID"], max_age=86400),
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan,
                    exception_handlers={404: not_found, 405: not_found})
    app.state.web = web
    return app


def default_outbox(settings: Settings) -> OutboxReader | None:
    """The desk's outbox in the records database; None (no push routes) when it cannot open."""
    try:
        return Outbox(open_database(settings))
    except DatabaseError as exc:  # the chat works without push; say why there is none
        log.error("no push to the widget: the records database did not open", extra={"error": str(exc)})
        return None
