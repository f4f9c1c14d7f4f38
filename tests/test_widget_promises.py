"""Three promises of the README's "The web chat widget", in Debian's chromium (Playwright):

- the conversation is forgotten after 24 hours unused (shared phones), kept before that;
- the widget works on a page with a strict Content-Security-Policy that allows our server in
  ``script-src``, ``connect-src`` and ``font-src`` and nothing else, not even ``style-src``;
- the Ge'ez font downloads only when Ethiopic text is on screen.

The browser, the pages and the web server are real (test_widget_browser.py's fixtures: our web
server with Rasa down, so every message gets its apology); where a test needs exact replies the
browser answers ``/api/messages`` itself (``canned``). Time is not waited for: the stored
conversation's timestamp is moved back, or Playwright's clock sets the page's ``Date.now()``.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import pytest

from e2e_helpers import free_port
from test_widget_browser import (  # noqa: F401 - browser, new_page and rasa_down are fixtures used here
    Widget, browser, canned, expect, new_page, rasa_down, said, simple_bot, t, WELCOME)
from vraagbaak.assistant import texts
from vraagbaak.channels.widget import FONT_URL

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

HOUR_MS = 3600 * 1000
FONT_FAMILY = "Vraagbaak Noto Sans Ethiopic"
#: The status of the widget's Ge'ez FontFace in the document: unloaded, loading, loaded, error.
FONT_STATUS = f"""() => {{
    const face = [...document.fonts].find(f => f.family.replace(/"/g, "") === "{FONT_FAMILY}");
    return face ? face.status : "absent";
}}"""
TIGRINYA = "ሰላም፣ ሓገዝ ይደሊ እየ"


def session_key(base: str) -> str:
    """The widget's localStorage key for the conversation (widget.js: KEY + "session")."""
    return f"vraagbaak:v1:{base}:session"


def settle(page: Any) -> None:
    """Two frames (layout and paint of what is on screen), then every font load they started."""
    page.evaluate("""() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))
        .then(() => document.fonts.ready).then(() => true)""")


# --- a conversation is forgotten after 24 hours unused ------------------------------------------------
def chat_once(page: Any, widget: Widget) -> None:
    widget.open()
    widget.bot_messages(2)  # the welcome
    widget.ask("Mijn vraag van gisteren")
    widget.bot_messages(3)


def last_used(page: Any, base: str, hours_ago: float) -> None:
    """Pretend the stored conversation was last used ``hours_ago`` hours ago (its ``touched``)."""
    page.evaluate("""([key, ms]) => {
        const state = JSON.parse(localStorage.getItem(key));
        state.touched = Date.now() - ms;
        localStorage.setItem(key, JSON.stringify(state));
    }""", [session_key(base), hours_ago * HOUR_MS])


def test_a_conversation_unused_for_25_hours_is_forgotten(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    seen = canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    chat_once(page, widget)
    old_sender = widget.storage(rasa_down)["sender"]
    assert {b["sender"] for b in seen} == {old_sender}

    last_used(page, rasa_down, 25)
    page.reload()
    expect(widget(".launcher")).to_be_visible()  # it was open; a new conversation starts closed
    expect(widget(".panel")).to_be_hidden()
    expect(widget(".msg")).to_have_count(0)
    sent = len(seen)
    widget.open()
    widget.bot_messages(2)  # a new welcome
    expect(widget(".msg.user")).to_have_count(0)
    new_senders = {b["sender"] for b in seen[sent:]}
    assert new_senders and old_sender not in new_senders, "the new conversation has a new sender id"
    stored = page.evaluate(f"localStorage.getItem({json.dumps(session_key(rasa_down))})")
    assert old_sender not in stored and "Mijn vraag van gisteren" not in stored
    page.reload()
    expect(widget(".msg.user")).to_have_count(0)


def test_a_conversation_unused_for_23_hours_is_kept(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    seen = canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    chat_once(page, widget)
    old_sender = widget.storage(rasa_down)["sender"]
    count = widget(".msg").count()

    last_used(page, rasa_down, 23)
    page.reload()
    expect(widget(".panel")).to_be_visible()  # open, as it was
    expect(widget(".msg")).to_have_count(count)
    expect(widget(".msg.user .bubble")).to_have_text(["Mijn vraag van gisteren"])
    widget.ask("En nog iets")
    widget.bot_messages(4)
    assert seen[-1]["sender"] == old_sender
    assert widget.storage(rasa_down)["sender"] == old_sender


def test_the_24_hours_count_from_the_last_use(rasa_down: str, new_page: Any) -> None:
    """With the page's clock moved (Playwright's clock: Date.now() in the page), not the storage:
    a conversation used again after 20 hours is kept 43 hours after it started, and forgotten
    25 hours after that last use."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    page = new_page()
    page.clock.set_system_time(start)
    seen = canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    chat_once(page, widget)
    sender = widget.storage(rasa_down)["sender"]

    page.clock.set_system_time(start + timedelta(hours=20))
    widget.ask("Nog een vraag, de volgende dag")
    widget.bot_messages(4)
    page.clock.set_system_time(start + timedelta(hours=43))
    page.reload()
    expect(widget(".msg.user .bubble")).to_have_text(["Mijn vraag van gisteren", "Nog een vraag, de volgende dag"])
    assert widget.storage(rasa_down)["sender"] == sender

    page.clock.set_system_time(start + timedelta(hours=45, minutes=1))
    page.reload()
    expect(widget(".launcher")).to_be_visible()
    expect(widget(".msg")).to_have_count(0)
    widget.open()
    widget.bot_messages(2)
    assert seen[-1]["sender"] != sender


# --- a strict Content-Security-Policy -----------------------------------------------------------------
def municipality_site_with_headers(html: str, headers: dict[str, str]) -> ThreadingHTTPServer:
    """A municipality's own web server on loopback (another origin than ours): one page, sent
    with ``headers``."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            if urlsplit(self.path).path != "/":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    return site


#: Every CSP violation in the page, from the first script on (Playwright's init scripts are not
#: subject to the page's policy). The event is composed: it leaves the widget's shadow root.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
    {directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile, sample: e.sample}));
"""


def test_the_widget_works_under_a_strict_content_security_policy(rasa_down: str, new_page: Any) -> None:
    ours = rasa_down  # http://127.0.0.1:PORT: the origin the policy allows
    policy = (f"default-src 'none'; script-src {ours}; connect-src {ours}; font-src {ours}; style-src 'none'")
    tag = f'<script src="{ours}/widget.js" data-municipality="den-haag" defer></script>'
    site = municipality_site_with_headers(
        f"<!doctype html><html lang='nl'><head><meta charset='utf-8'><title>Gemeente</title></head>"
        f"<body><h1>Gemeente Voorbeeld</h1><p>Welkom.</p>{tag}</body></html>",
        {"Content-Security-Policy": policy})
    try:
        page = new_page()
        console: list[str] = []
        errors: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(RECORD_VIOLATIONS)
        response = page.goto(f"http://127.0.0.1:{site.server_address[1]}/")
        assert response.headers["content-security-policy"] == policy

        widget = Widget(page)
        launcher = widget(".launcher")
        expect(launcher).to_be_visible()
        # Its styles applied (the constructable stylesheet): colours, and fixed in the corner.
        style = launcher.evaluate("el => { const s = getComputedStyle(el); return [s.backgroundColor, s.position]; }")
        assert style == ["rgb(31, 78, 140)", "fixed"]
        widget.open()
        alert = widget(".msg.bot.alert")
        expect(alert).to_contain_text(t("nl", texts.UNAVAILABLE))  # the gateway's apology, fetched
        expect(alert).to_contain_text("14 070")
        widget.ask(TIGRINYA)  # a message sent, and Ethiopic text on screen: the font from our server
        expect(widget(".msg.user .bubble")).to_have_text([TIGRINYA])
        expect(widget(".msg.bot.alert").last).to_contain_text(t("ti", texts.UNAVAILABLE))  # its own apology
        expect(widget(".typing")).to_be_hidden()
        page.wait_for_function(f"() => !['unloaded', 'loading'].includes(({FONT_STATUS})())")
        assert page.evaluate(FONT_STATUS) == "loaded"
        settle(page)

        violations = page.evaluate("window.__violations")
        reported = [m for m in console if "Content Security Policy" in m]
        assert (violations, reported, errors) == ([], [], [])

        # The policy is in force and a violation would have been seen: an inline style is refused.
        with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
            page.evaluate("""() => { const s = document.createElement("style");
                s.textContent = "h1 { color: red }"; document.head.append(s); }""")
        page.wait_for_function("window.__violations.length > 0")
        assert page.evaluate("window.__violations")[0]["directive"].startswith("style-src")
        assert page.locator("h1").evaluate("el => getComputedStyle(el).color") != "rgb(255, 0, 0)"
    finally:
        site.shutdown()


# --- the Ge'ez font only when Ethiopic text is on screen ----------------------------------------------
def font_requests(page: Any) -> list[str]:
    """Every request the page makes for the widget's font."""
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if urlsplit(request.url).path == FONT_URL else None)
    return requests


def assert_the_server_offers_the_font(base: str) -> None:
    with urllib.request.urlopen(base + "/api/widget-config", timeout=10) as response:
        font = json.loads(response.read())["font"]
    assert font == FONT_URL, "the widget font is missing: run `make install` (npm ci puts it in node_modules/)"


def test_the_font_downloads_when_a_tigrinya_message_is_typed_not_before(rasa_down: str, new_page: Any) -> None:
    assert_the_server_offers_the_font(rasa_down)
    page = new_page()
    canned(page, simple_bot)
    fonts = font_requests(page)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    expect(widget(".launcher")).to_be_visible()
    widget.open()
    widget.bot_messages(2)
    widget.ask("Wanneer komt het grofvuil?")
    widget.bot_messages(3)
    settle(page)
    assert page.evaluate(FONT_STATUS) == "unloaded" and fonts == [], "the font loaded without Ethiopic text"

    widget.ask(TIGRINYA)
    widget.bot_messages(4)
    page.wait_for_function(f"() => ({FONT_STATUS})() === 'loaded'")
    widget.ask("ብኸመይ ይሕተት?")
    widget.bot_messages(5)
    settle(page)
    assert len(fonts) == 1, fonts
    assert fonts[0] == rasa_down + FONT_URL


def test_the_font_downloads_when_a_reply_is_in_tigrinya(rasa_down: str, new_page: Any) -> None:
    def bot(body: dict[str, Any]) -> list[dict[str, Any]]:
        message = said(body)
        if message == "/greet":
            return WELCOME
        if message.startswith("/"):
            return [{"text": "OK"}]
        if "Tigrinya" in message:
            return [{"text": "ሰላም! ዞርግቶስላግ ብኸመይ ከም ትሓትት ክሕብረካ እየ።"}]
        return [{"text": "Graag gedaan."}]

    assert_the_server_offers_the_font(rasa_down)
    page = new_page()
    canned(page, bot)
    fonts = font_requests(page)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(2)
    widget.ask("Dank je wel")
    widget.bot_messages(3)
    settle(page)
    assert page.evaluate(FONT_STATUS) == "unloaded" and fonts == []

    widget.ask("Kan het in het Tigrinya?")
    widget.bot_messages(4)
    page.wait_for_function(f"() => ({FONT_STATUS})() === 'loaded'")
    settle(page)
    assert len(fonts) == 1, fonts
