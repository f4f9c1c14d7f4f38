"""The chat widget in a real browser: Debian's chromium, driven by Playwright (no browser download).

Two kinds of test. Against the real stack (Rasa, action server, web server; ``stack``): a newcomer
asks in each language and sees the answer with its source, clicks quick replies, reloads the page.
Against a web server whose Rasa is down, with the browser answering ``/api/messages`` itself where
a test needs exact replies: the fallback, injection attempts, keyboard use, phones, isolation from
the page's CSS, reduced motion. A screenshot of each language goes to test-artifacts/.
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from e2e_helpers import free_port, in_script
from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.runtime.supervisor import Services
from vraagbaak.settings import PROJECT_ROOT, Settings

try:
    from playwright import sync_api as playwright_api
except ImportError as missing:  # not a skip: a suite that silently leaves out the browser proves nothing
    raise ImportError("Playwright is missing, so the widget's browser tests cannot run: run `make install` "
                      "(it installs the test extra of pyproject.toml)") from missing
expect = playwright_api.expect

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
HOST = "vraagbaak-widget"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
#: Questions the knowledge base answers (as in test_e2e_rasa.py).
QUESTIONS = {
    "nl": "Hoe vraag ik zorgtoeslag aan?",
    "en": "How do I register with a GP?",
    "ar": "كيف أكتب سيرة ذاتية للعمل؟",
    "ti": "zorgtoeslag ብኸመይ ይሕተት?",
}
RASA_TIMEOUT_MS = 90_000


def t(lang: str, message: str, **values: str) -> str:
    return translator(Settings().translations_dir, lang)(message, **values)


# --- browser and servers -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.is_file():
        pytest.fail("Debian's chromium is missing: `make test` installs it (SYSTEM_PACKAGES in the Makefile)")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture()
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Pages in fresh browser contexts (own storage), closed after the test."""
    contexts = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def rasa_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Our web server with nothing behind it: every message gets the gateway's apology (and a
    "new conversation" finds no tracker database of its own to delete from, never the developer's)."""
    tracker_db = tmp_path_factory.mktemp("no-rasa") / "rasa-tracker.db"
    settings = replace(Settings(), web_port=free_port(), rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2,
                       tracker_db=str(tracker_db))
    server = BackgroundServer(settings)
    yield f"http://127.0.0.1:{settings.web_port}"
    server.shutdown()


def canned(page: Any, reply: Callable[[dict[str, Any]], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Answer the page's POST /api/messages with ``reply(body)``; returns the bodies sent."""
    seen: list[dict[str, Any]] = []

    def handle(route: Any) -> None:
        body = route.request.post_data_json
        seen.append(body)
        route.fulfill(status=200, content_type="application/json", body=json.dumps(reply(body)))

    page.route("**/api/messages", handle)
    return seen


LANGUAGE_BUTTONS = [{"title": "English", "payload": '/choose_language{"language":"en"}'},
                    {"title": "العربية", "payload": '/choose_language{"language":"ar"}'}]
WELCOME = [{"text": "Hallo! Ik ben Vraagbaak."},
           {"text": "Welke taal wil je?", "buttons": LANGUAGE_BUTTONS, "custom": {"vraagbaak": "welcome"}}]


def said(body: dict[str, Any]) -> str:
    """What a request carries: a button's payload (sent apart from typed text) or the typed text."""
    return body["payload"] if "payload" in body else body["message"]


def simple_bot(body: dict[str, Any]) -> list[dict[str, Any]]:
    message = said(body)
    if message == "/greet":
        return WELCOME
    if message.startswith("/choose_"):
        lang = re.search(r'"language":"(\w+)"', message)
        return [{"text": "OK", "custom": {"vraagbaak": "language", "lang": lang[1]} if lang else None}]
    return [{"text": f"Antwoord {len(message)}", "buttons": [{"title": "Nuttig", "payload": "/feedback_helpful"}]}]


# --- looking at the widget -------------------------------------------------------------------------------
class Widget:
    """The widget on a page; Playwright's CSS selectors reach into its (open) shadow root."""

    def __init__(self, page: Any) -> None:
        self.page = page

    def __call__(self, css: str) -> Any:
        return self.page.locator(f"{HOST} {css}")

    def open(self) -> None:
        self(".launcher").click()
        expect(self(".panel")).to_be_visible()

    def ask(self, text: str) -> None:
        self("textarea").fill(text)
        self("textarea").press("Enter")

    def bot_messages(self, at_least: int, timeout: int = 15_000) -> Any:
        """The bot's messages, once there are at least ``at_least`` and none is on its way."""
        expect(self(".msg.bot").nth(at_least - 1)).to_be_attached(timeout=timeout)
        expect(self(".typing")).to_be_hidden(timeout=timeout)
        return self(".msg.bot")

    def shadow(self, script: str) -> Any:
        """Evaluate ``script`` (a function of the shadow root) in the page."""
        return self.page.evaluate(f"({script})(document.querySelector('{HOST}').shadowRoot)")

    def storage(self, base: str) -> dict[str, Any]:
        return self.page.evaluate(f"JSON.parse(localStorage.getItem('vraagbaak:v1:{base}:session'))")


def serious_accessibility_problems(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.2 A/AA violations in the widget (open state)."""
    assert AXE.is_file(), "axe-core is missing: run `make install` (npm ci)"
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script>: the demo page's CSP allows none inline
    violations = page.evaluate(f"""async () => {{
        const result = await axe.run({{include: [["{HOST}"]]}}, {{runOnly: {{type: "tag",
            values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}}});
        // A node in a shadow root has a path of selectors as its target: axe did look inside.
        if (!result.passes.some(r => r.nodes.some(n => Array.isArray(n.target[0])))) {{
            throw new Error("axe saw no shadow DOM");
        }}
        return result.violations.map(v => ({{id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(" >> "))}}));
    }}""")
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"widget-{name}.png"))


# --- against the real assistant ----------------------------------------------------------------------------
@pytest.mark.parametrize("lang", list(QUESTIONS))
def test_a_question_gets_its_answer_with_source_in_each_language(stack: Services, new_page: Any, lang: str) -> None:
    page = new_page()
    page.goto(f"http://127.0.0.1:{stack.settings.web_port}/?municipality=den-haag")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(1, RASA_TIMEOUT_MS)  # the welcome
    widget.ask(QUESTIONS[lang])
    answer = widget(".msg.bot:has(.meta a)").last
    expect(answer).to_be_visible(timeout=RASA_TIMEOUT_MS)
    expect(widget(".typing")).to_be_hidden(timeout=RASA_TIMEOUT_MS)

    expect(widget(".msg.user .bubble").last).to_have_text(QUESTIONS[lang])
    source = answer.locator(".meta a")
    href = source.get_attribute("href")
    assert href.startswith("https://") and source.get_attribute("target") == "_blank"
    assert set(source.get_attribute("rel").split()) == {"noopener", "noreferrer"}
    assert re.search(r"[0-9\u0660-\u0669]{4}", answer.locator(".meta").inner_text()), "the checked date"
    bubble = answer.locator(".bubble")
    assert href not in bubble.inner_text(), "the source line is shown once, under the answer"
    direction = "rtl" if lang == "ar" else "ltr"
    assert answer.get_attribute("dir") == direction
    assert bubble.evaluate("el => getComputedStyle(el).direction") == direction
    assert widget(".msg.user .bubble").last.get_attribute("dir") == ("rtl" if lang == "ar" else "auto")
    if lang in ("ar", "ti"):
        assert in_script(bubble.inner_text(), lang)
    # The widget's own labels follow the conversation's language.
    expect(widget("textarea")).to_have_attribute("placeholder", t(lang, texts.WIDGET_PLACEHOLDER))
    assert widget(".root").get_attribute("dir") == direction
    if lang == "ti":  # the shipped Ge'ez font was used, whatever fonts the system has
        page.wait_for_function("""() => [...document.fonts].some(f =>
            f.family.replace(/"/g, "") === "Vraagbaak Noto Sans Ethiopic" && f.status === "loaded")""")
    screenshot(page, lang)
    assert serious_accessibility_problems(page) == []


def test_quick_replies_and_the_language_picker(stack: Services, new_page: Any) -> None:
    page = new_page()
    page.goto(f"http://127.0.0.1:{stack.settings.web_port}/?municipality=")  # no municipality: it asks
    widget = Widget(page)
    widget.open()
    widget.bot_messages(3, RASA_TIMEOUT_MS)
    before = widget(".msg.bot").count()
    widget(".chip", ).filter(has_text="Haarlem").click()
    expect(widget(".msg.user .bubble").last).to_have_text("Haarlem")
    expect(widget(".msg.bot").nth(before)).to_contain_text(t("nl", texts.MUNICIPALITY_SET, municipality="Haarlem"),
                                                           timeout=RASA_TIMEOUT_MS)
    expect(widget(".sub")).to_contain_text("Haarlem")
    expect(widget(".chip").filter(has_text="Haarlem")).to_have_count(0)  # answered
    # The welcome's language buttons still work after the municipality was chosen.
    widget(".chip").filter(has_text="English").click()
    expect(widget(".msg.bot").last).to_contain_text(t("en", texts.LANGUAGE_SET), timeout=RASA_TIMEOUT_MS)
    expect(widget("textarea")).to_have_attribute("placeholder", t("en", texts.WIDGET_PLACEHOLDER))
    # The picker: native names, and the choice sent as the bot's own language command.
    widget("select").select_option("ar")
    expect(widget(".msg.user .bubble").last).to_have_text("العربية")
    expect(widget(".msg.bot").last).to_contain_text(t("ar", texts.LANGUAGE_SET), timeout=RASA_TIMEOUT_MS)
    assert widget(".root").get_attribute("dir") == "rtl"


def test_history_and_session_survive_a_reload(stack: Services, new_page: Any) -> None:
    base = f"http://127.0.0.1:{stack.settings.web_port}"
    page = new_page()
    page.goto(base + "/?municipality=den-haag")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(1, RASA_TIMEOUT_MS)
    widget.ask(QUESTIONS["nl"])
    expect(widget(".msg.bot:has(.meta a)")).to_have_count(1, timeout=RASA_TIMEOUT_MS)
    expect(widget(".typing")).to_be_hidden(timeout=RASA_TIMEOUT_MS)
    sender = widget.storage(base)["sender"]
    count = widget(".msg").count()

    page.reload()
    expect(widget(".panel")).to_be_visible()  # it was open: it stays open
    expect(widget(".msg")).to_have_count(count)
    expect(widget(".msg.user .bubble")).to_have_text([QUESTIONS["nl"]])
    expect(widget(".msg.bot:has(.meta a)")).to_have_count(1)
    assert widget.storage(base)["sender"] == sender
    # The answer's buttons still work after the reload, in the same conversation.
    page.get_by_role("button", name=t("nl", texts.BUTTON_HELPFUL), exact=True).click()
    expect(widget(".msg.bot").last).to_have_text(re.compile(re.escape(t("nl", texts.FEEDBACK_THANKS))),
                                                 timeout=RASA_TIMEOUT_MS)

    widget(".new").click()  # a new conversation: empty history, a new sender, the welcome again
    expect(widget(".msg.user")).to_have_count(0)
    widget.bot_messages(1, RASA_TIMEOUT_MS)
    assert widget.storage(base)["sender"] != sender
    page.reload()
    expect(widget(".msg.user")).to_have_count(0)


# --- with the assistant down, or canned replies ---------------------------------------------------------------
def test_assistant_down_gives_the_municipality_phone_number(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    widget.open()
    alert = widget(".msg.bot.alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(t("nl", texts.UNAVAILABLE))
    expect(alert).to_contain_text("14 070")
    expect(alert.locator("a.chip")).to_have_attribute("href", "tel:14070")
    expect(alert.locator("button.chip")).to_have_text(t("nl", texts.WIDGET_RETRY))
    alert.locator("button.chip").click()  # still down: one apology, not two
    expect(widget(".msg.bot.alert")).to_have_count(1)
    expect(widget(".typing")).to_be_hidden()
    screenshot(page, "unavailable")

    # Our server gone as well: the widget still knows what to say from its cached configuration.
    page.route("**/api/**", lambda route: route.abort())
    page.reload()
    expect(widget(".panel")).to_be_visible()
    widget.ask("Is de tandarts gratis?")
    expect(widget(".msg.bot.alert")).to_have_count(2)
    expect(widget(".msg.bot.alert").last).to_contain_text("14 070")


def test_html_and_script_in_messages_are_shown_as_text(rasa_down: str, new_page: Any) -> None:
    attack = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'

    def bot(body: dict[str, Any]) -> list[dict[str, Any]]:
        if said(body) == "/greet":
            return [{"text": "Hallo"}]
        return [{"text": "Echo: " + said(body) + "\n\n**vet** en [klik](javascript:window.pwned=3) en "
                 "[goed](https://example.org/a?b=1)\n\n- een\n- <b>twee</b>\n\n<iframe src=https://example.org>"
                 "</iframe> zie https://example.org/x.",
                 "buttons": [{"title": "<img src=y onerror=window.pwned=4>", "payload": "/greet"}]}]

    page = new_page()
    canned(page, bot)
    page.goto(rasa_down)
    widget = Widget(page)
    widget.open()
    widget.bot_messages(1)
    widget.ask(attack)
    widget.bot_messages(2)
    expect(widget(".msg.user .bubble")).to_have_text(attack)
    bubble = widget(".msg.bot .bubble").last
    expect(bubble.locator("p").first).to_have_text("Echo: " + attack)
    expect(bubble).to_contain_text("<iframe src=")
    expect(bubble).to_contain_text("></iframe> zie")
    assert widget("img, script:not([src]), iframe, b").count() == 0
    expect(bubble.locator("strong")).to_have_text("vet")
    expect(bubble.locator("li")).to_have_text(["een", "<b>twee</b>"])
    links = bubble.locator("a")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == \
        ["https://example.org/a?b=1", "https://example.org/", "https://example.org/x"]  # not javascript:
    for i in range(links.count()):
        assert links.nth(i).get_attribute("target") == "_blank"
        assert links.nth(i).get_attribute("rel") == "noopener noreferrer"
    expect(bubble).to_contain_text("klik")
    expect(widget(".chip")).to_have_text("<img src=y onerror=window.pwned=4>")
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_conversation_setup_and_metadata_sent_with_every_message(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    seen = canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=haarlem&lang=ar")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(2)
    # The tag's municipality and language are chosen for the user, without bubbles for them.
    assert [b["payload"] for b in seen] == ['/choose_municipality{"municipality":"haarlem"}',
                                            '/choose_language{"language":"ar"}', "/greet"]
    assert not any("message" in b for b in seen)  # commands never travel as typed text
    expect(widget(".msg.user")).to_have_count(0)
    assert widget(".root").get_attribute("dir") == "rtl"
    widget.ask("مرحبا")
    widget.bot_messages(3)
    assert {(b["sender"], b["municipality"], b["lang"]) for b in seen} == {(seen[0]["sender"], "haarlem", "ar")}


def test_language_is_detected_when_the_tag_says_auto(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    seen = canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(2)
    widget.ask("Hoe vraag ik zorgtoeslag aan?")
    widget.bot_messages(3)
    assert "lang" not in seen[-1] and seen[-1]["municipality"] == "den-haag"  # the server detects it
    widget("select").select_option("ti")
    expect(widget(".msg.user .bubble").last).to_have_text("ትግርኛ")
    widget.bot_messages(4)
    assert seen[-1]["payload"] == '/choose_language{"language":"ti"}' and "message" not in seen[-1]
    widget.ask("ሰላም")
    widget.bot_messages(5)
    assert seen[-1]["lang"] == "ti"  # a choice sticks


def test_keyboard_only(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    focused = "root => root.activeElement && (root.activeElement.className || root.activeElement.tagName)"
    for _ in range(40):  # Tab through the page until the widget's button has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == HOST.upper():
            break
    assert widget.shadow(focused) == "launcher"
    assert widget.shadow("root => getComputedStyle(root.activeElement).outlineStyle") == "solid"  # focus visible
    page.keyboard.press("Enter")
    expect(widget(".panel")).to_be_visible()
    assert widget.shadow("root => root.activeElement.tagName") == "TEXTAREA"
    widget.bot_messages(2)
    page.keyboard.type("Wanneer komt het grofvuil?")
    page.keyboard.press("Enter")
    widget.bot_messages(3)
    for _ in range(6):  # back from the input to the newest quick reply
        page.keyboard.press("Shift+Tab")
        if widget.shadow(focused) == "chip":
            break
    assert widget.shadow("root => root.activeElement.textContent") == "Nuttig"
    page.keyboard.press("Enter")
    expect(widget(".msg.user .bubble").last).to_have_text("Nuttig")
    assert widget.shadow("root => root.activeElement.tagName") == "TEXTAREA"  # not lost with the button
    log = widget(".log")
    assert log.get_attribute("role") == "log" and log.get_attribute("aria-live") == "polite"
    page.keyboard.press("Escape")
    expect(widget(".panel")).to_be_hidden()
    assert widget.shadow(focused) == "launcher"


def test_on_a_phone_it_fills_the_screen_and_shows_the_last_message(rasa_down: str, new_page: Any) -> None:
    page = new_page(**PHONE)
    canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    widget("button.launcher").tap()
    box = widget(".panel").bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    assert widget.shadow("root => root.activeElement && root.activeElement.tagName") != "TEXTAREA"  # no keyboard yet
    widget.bot_messages(2)
    for n in range(6):
        widget.ask(f"Vraag {n}")
        widget.bot_messages(3 + n)
    # The on-screen keyboard takes the lower part of the screen: the panel shrinks with the
    # visible viewport and the newest message stays in view above the input.
    page.set_viewport_size({"width": 390, "height": 480})
    page.wait_for_function(f"""() => document.querySelector("{HOST}").shadowRoot.querySelector(".panel")
        .getBoundingClientRect().height <= 480""")
    page.wait_for_timeout(300)  # the resize event, then one frame
    geometry = widget.shadow("""root => {
        const box = el => { const r = el.getBoundingClientRect(); return [Math.round(r.top), Math.round(r.bottom)]; };
        return {log: box(root.querySelector(".log")), last: box([...root.querySelectorAll(".msg")].pop()),
                form: box(root.querySelector("form")), screen: window.innerHeight};
    }""")
    (log_top, log_bottom), (last_top, last_bottom) = geometry["log"], geometry["last"]
    assert log_top <= last_top and last_bottom <= log_bottom, geometry
    assert geometry["form"][1] <= geometry["screen"], geometry
    screenshot(page, "phone")
    widget("button.send").focus()  # full screen hides the page: Tab goes round inside the panel
    page.keyboard.press("Tab")
    assert widget.shadow("root => root.activeElement.className") == "iconbtn"
    assert widget(".panel").get_attribute("aria-modal") == "true"


def test_the_pages_css_and_the_widgets_css_stay_apart(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    page.route("**/widget.js", lambda route: route.abort())
    page.goto(rasa_down)
    probe = """() => ({sheets: document.styleSheets.length, h1: getComputedStyle(document.querySelector("h1")).fontSize,
        body: getComputedStyle(document.body).fontFamily,
        button: getComputedStyle(document.querySelector("aside button")).backgroundColor})"""
    without_widget = page.evaluate(probe)
    page.unroute("**/widget.js")
    canned(page, simple_bot)
    page.goto(rasa_down)
    widget = Widget(page)
    expect(widget(".launcher")).to_be_visible()
    assert page.evaluate(probe) == without_widget

    hostile = ("html{font-size:10px!important} *{color:red!important;font-family:serif!important;"
               "line-height:1!important;box-sizing:content-box!important;margin:3em!important}"
               "button{background:hotpink!important;padding:0!important} "
               f"{HOST}{{display:none!important}}")
    # A constructed sheet, not a <style> tag: the demo page's CSP refuses inline styles.
    page.evaluate("""css => { const sheet = new CSSStyleSheet(); sheet.replaceSync(css);
                              document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; }""", hostile)
    launcher = widget(".launcher")
    expect(launcher).to_be_visible()
    style = launcher.evaluate("""el => { const s = getComputedStyle(el);
        return {color: s.color, background: s.backgroundColor, size: parseFloat(s.fontSize), margin: s.marginTop}; }""")
    assert style == {"color": "rgb(255, 255, 255)", "background": "rgb(31, 78, 140)", "size": 16, "margin": "0px"}


@pytest.mark.parametrize("reduced", [False, True])
def test_typing_indicator_respects_reduced_motion(rasa_down: str, new_page: Any, reduced: bool) -> None:
    page = new_page(reduced_motion="reduce" if reduced else "no-preference")
    held: list[Any] = []
    page.route("**/api/messages", lambda route: held.append(route))
    page.goto(rasa_down + "/?municipality=")  # no setup: the first request is for the welcome
    widget = Widget(page)
    widget.open()
    expect(widget(".typing")).to_be_visible()
    animation = widget(".dots span").first.evaluate("el => getComputedStyle(el).animationName")
    assert animation == ("none" if reduced else "vb-blink")
    expect(widget('[role="status"]')).to_have_text(t("nl", texts.WIDGET_TYPING))
    assert held, "the widget asked for the welcome"
    held[0].fulfill(status=200, content_type="application/json", body=json.dumps(WELCOME))
    widget.bot_messages(2)
    expect(widget('[role="status"]')).to_have_text("")


def municipality_site(html: str) -> ThreadingHTTPServer:
    """A municipality's own web server on loopback (another origin than ours), serving one page."""
    body = html.encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    site = ThreadingHTTPServer(("127.0.0.1", free_port()), Page)
    threading.Thread(target=site.serve_forever, daemon=True).start()
    return site


def test_embedded_on_another_site_with_the_tag_in_its_head(new_page: Any) -> None:
    """A municipality's page on another origin: the browser's own CORS checks (with a preflight
    for the JSON post) let an allowed site use the widget and keep any other site out."""
    ours = replace(Settings(), web_port=free_port(), rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2)
    tag = f'<script src="http://127.0.0.1:{ours.web_port}/widget.js" data-municipality="haarlem"></script>'
    site = municipality_site(f"<!doctype html><html lang='nl'><head>{tag}</head><body><h1>Gemeente</h1></body></html>")
    port = site.server_address[1]
    server = BackgroundServer(replace(ours, allowed_origins=f"http://127.0.0.1:{port}"))
    try:
        page = new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        widget = Widget(page)
        widget.open()
        expect(widget(".msg.bot.alert")).to_contain_text("14 023")  # Haarlem's number, from our server

        elsewhere = new_page()  # the same page, but at another origin that is not allowed
        warnings: list[str] = []
        elsewhere.on("console", lambda message: warnings.append(message.text))
        elsewhere.goto(f"http://localhost:{port}/")
        elsewhere.wait_for_load_state("networkidle")
        expect(elsewhere.locator(HOST)).to_have_count(0)
        assert any("cannot be reached" in w for w in warnings), warnings
    finally:
        server.shutdown()
        site.shutdown()


def test_the_demo_page_and_widget_run_under_a_strict_content_security_policy(rasa_down: str, new_page: Any) -> None:
    """The demo page forbids inline script and foreign sources; the widget (its constructed
    stylesheet, its font, its API calls) works under that without one violation."""
    page = new_page()
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    response = page.goto(rasa_down + "/?municipality=haarlem&lang=ti")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    widget = Widget(page)
    widget.open()
    expect(widget(".msg.bot.alert")).to_contain_text("14 023")
    page.evaluate("document.fonts.ready")
    assert violations == []
    # The policy is enforced: an inline script on this page is refused.
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
                  " document.body.append(s); }")
    assert page.evaluate("window.injected") is None and violations


def test_typed_text_is_sent_as_text_and_a_button_as_its_payload(rasa_down: str, new_page: Any) -> None:
    page = new_page()
    seen = canned(page, simple_bot)
    page.goto(rasa_down + "/?municipality=den-haag")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(2)
    widget.ask("/restart")  # typed: words, however it looks
    widget.bot_messages(3)
    assert seen[-1]["message"] == "/restart" and "payload" not in seen[-1]
    widget(".chip").filter(has_text="Nuttig").last.click()
    widget.bot_messages(4)
    assert seen[-1]["payload"] == "/feedback_helpful" and "message" not in seen[-1]
