"""The volunteers' desk in the chat widget, in a real browser (Debian's chromium through Playwright).

Against the real stack (Rasa, action server, gateway; ``stack``, whose desk takes Tigrinya): a
newcomer on a Tigrinya page asks for a person, agrees, and a volunteer answers from the desk's
side: the real :class:`VolunteerDesk` in a python-telegram-bot application polling the fake Bot
API, its topic opened by the desk's own rounds, the answer written by a group member in that
topic. The answer is pushed to the open widget within the desk's 2 seconds, labelled with the
volunteer's name; a reload shows it once; what came while the page was closed is there at the
next visit; the newcomer's own words go to the topic without an answer from the assistant; "Done"
brings the assistant back.

Against a gateway without Rasa (the browser answers ``POST /api/messages`` itself, the test
writes the desk's outbox as the desk would): long polling where the browser has no
EventSource, a volunteer's name that looks like markup, right-to-left Arabic, the phone number
under "nobody answered yet", and a new conversation that no longer gets the old one's messages.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import DESK_GROUP_TI
from e2e_helpers import free_port
from fake_telegram import FakeTelegram
from test_widget_browser import browser  # noqa: F401 - the fixture: one Chromium per module
from test_widget_browser import (DESKTOP, HOST, QUESTIONS, RASA_TIMEOUT_MS, Widget, canned, playwright_api, said,
                                 screenshot, serious_accessibility_problems, t)
from volunteer_helpers import DeskApp, wait_until
from vraagbaak.assistant import payloads, texts
from vraagbaak.channels.web import BackgroundServer
from vraagbaak.desk.database import open_database
from vraagbaak.desk.outbox import Outbox
from vraagbaak.desk.volunteers import VolunteerDesk
from vraagbaak.runtime.supervisor import Services
from vraagbaak.settings import Settings

expect = playwright_api.expect

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

#: The desk's promise: a volunteer's answer reaches an open widget within 2 seconds.
PUSH_WITHIN_S = 2.0
#: Waits that depend on Rasa, the desk's rounds and a busy machine: generous.
SLOW_S = 90
SEMHAR = 9001
FIRST_ANSWER = "ሰላም! ኣነ ወለንተኛ እየ። ብዛዕባ zorgtoeslag **ክሕግዘኩም** እኽእል እየ።"
LATER_ANSWER = "ኣብ mijntoeslagen.nl ብDigiD ክትሓቱ ትኽእሉ ኢኹም።"
#: With Ethiopic punctuation: the volunteers read the newcomer's own words, not the text Rasa's NLU
#: normalised ("።" would become ".": actions.common.typed_text).
NEWCOMER_SAYS = "የቐንየለይ። ሕጂ እንታይ ክገብር ኣለኒ፧"


# --- browser -------------------------------------------------------------------------------------------
@pytest.fixture()
def new_page(browser: Any) -> Iterator[Any]:
    """Pages in fresh browser contexts (own storage), closed after the test; every Content
    Security Policy violation on them is collected in ``new_page.violations``."""
    contexts: list[Any] = []
    violations: list[str] = []

    def make(**options: Any) -> Any:
        options.setdefault("viewport", DESKTOP)
        context = browser.new_context(**options)
        context.on("console", lambda message: violations.append(message.text)
                   if "Content Security Policy" in message.text else None)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    make.violations = violations  # type: ignore[attr-defined]
    yield make
    for context in contexts:
        context.close()


def until(page: Any, condition: Any, what: str, seconds: float = 15) -> None:
    """Wait for ``condition()``, letting Playwright deliver the page's events meanwhile."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not so after {seconds} s")
        page.wait_for_timeout(50)


def shadow_texts(page: Any, css: str) -> list[str]:
    """The text of each element matching ``css`` in the widget's shadow root, right now."""
    return page.evaluate(f"""css => [...document.querySelector("{HOST}").shadowRoot.querySelectorAll(css)]
        .map(el => el.textContent)""", css)


def storage(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => JSON.parse(Object.entries(localStorage)
        .find(([key]) => key.startsWith("vraagbaak:v1:") && key.endsWith(":session"))[1])""")


# --- the volunteers' side ---------------------------------------------------------------------------------
@dataclass
class Put:
    sender: str
    number: int
    message: dict[str, Any]
    at: float  # time.monotonic() once committed


class TimedOutbox:
    """The desk's real outbox, with the moment each message was committed to it noted: the 2
    seconds of the desk's promise start there, not when the fake Telegram queued the update."""

    def __init__(self, outbox: Outbox) -> None:
        self.puts: list[Put] = []
        self._put = outbox.put
        outbox.put = self._timed  # type: ignore[method-assign]

    def _timed(self, sender: str, message: dict[str, Any]) -> int:
        number = self._put(sender, message)
        self.puts.append(Put(sender, number, message, time.monotonic()))
        return number

    def wait_for(self, sender: str, text: str) -> Put:
        return wait_until(lambda: next((p for p in self.puts if p.sender == sender and p.message.get("text") == text),
                                       None), SLOW_S)


@dataclass
class Volunteers:
    desk: VolunteerDesk
    app: DeskApp
    fake: FakeTelegram
    outbox: TimedOutbox

    def say(self, thread: int, text: str) -> None:
        self.fake.group_message(DESK_GROUP_TI, SEMHAR, thread, text=text, first_name="Semhar Tesfay",
                                username="semhar_t")

    def posted(self, thread: int) -> list[str]:
        """What the bot posted in the topic so far."""
        return [call.params["text"] for call in self.fake.in_topic(DESK_GROUP_TI, thread)]

    def topic(self, thread: int, count: int) -> list[str]:
        """What the bot posted in the topic, once it has posted at least ``count`` messages."""
        calls = self.fake.wait_for(lambda _: len(found := self.fake.in_topic(DESK_GROUP_TI, thread)) >= count
                                   and found, SLOW_S)
        return [call.params["text"] for call in calls]


@pytest.fixture()
def volunteers(stack: Services, fake: FakeTelegram) -> Iterator[Volunteers]:
    """The desk over the stack's own database (same var/, same groups), as the Telegram bridge
    runs it: its handlers in an application polling the fake Bot API, and its rounds
    (:meth:`VolunteerDesk.run`: topics for new tickets, newcomers' messages, closed tickets)."""
    desk = VolunteerDesk.open(stack.settings)
    desk.nearest = None  # no /artikel here
    outbox = TimedOutbox(desk.delivery.outbox)
    app = DeskApp(fake, desk)
    rounds = asyncio.run_coroutine_threadsafe(desk.run(app.app.bot), app.loop)
    try:
        yield Volunteers(desk, app, fake, outbox)
    finally:
        rounds.cancel()
        app.stop()
        desk.close()


def visible_within(page: Any, text: str, put: Put, seconds: float) -> float:
    """Seconds from ``put`` until a volunteer's message with ``text`` shows in the widget; fails
    when that takes longer than ``seconds`` (checked every 50 ms in the page itself)."""
    remaining_ms = max(0.0, seconds - (time.monotonic() - put.at)) * 1000
    try:
        page.wait_for_function(f"""text => [...document.querySelector("{HOST}").shadowRoot
            .querySelectorAll(".msg.volunteer .bubble")].some(el => el.textContent.includes(text))""",
                               arg=text, polling=50, timeout=max(remaining_ms, 1))
    except playwright_api.TimeoutError:
        raise AssertionError(f"the volunteer's answer was not in the widget {seconds} s after it reached the "
                             "outbox") from None
    return time.monotonic() - put.at


# --- against the real stack -----------------------------------------------------------------------------------
def test_a_volunteers_answer_reaches_the_tigrinya_widget(stack: Services, volunteers: Volunteers,
                                                        new_page: Any) -> None:
    ti = lambda message, **values: t("ti", message, **values)  # noqa: E731
    url = f"http://127.0.0.1:{stack.settings.web_port}/?municipality=den-haag&lang=ti"
    page = new_page()
    page.goto(url)
    widget = Widget(page)
    widget.open()
    widget.bot_messages(1, RASA_TIMEOUT_MS)  # the welcome
    widget.ask(QUESTIONS["ti"])
    ask_person = widget(".msg.bot").last.locator(".chip", has_text=ti(texts.BUTTON_HUMAN))
    expect(ask_person).to_be_visible(timeout=RASA_TIMEOUT_MS)
    ask_person.click()

    consent = widget(".msg.bot").last
    expect(consent).to_contain_text(ti(texts.DESK_CONSENT), timeout=RASA_TIMEOUT_MS)
    expect(consent.locator("button.chip")).to_have_text([ti(texts.BUTTON_DESK_YES), ti(texts.BUTTON_DESK_NO)])
    consent.locator("button.chip", has_text=ti(texts.BUTTON_DESK_YES)).click()
    opened = widget(".msg.bot").last
    expect(opened).to_contain_text(ti(texts.DESK_OPENED), timeout=RASA_TIMEOUT_MS)
    expect(opened.locator("button.chip")).to_have_text([ti(texts.BUTTON_DESK_DONE)])

    # The ticket is this page's conversation; the desk's rounds give it its topic.
    sender = storage(page)["sender"]
    store = volunteers.desk.store
    ticket = wait_until(lambda: store.open_for(sender), SLOW_S)
    assert (ticket.channel, ticket.lang) == ("web", "ti")
    thread = wait_until(lambda: (store.get(ticket.id) or ticket).volunteer_thread_id, SLOW_S)
    assert volunteers.fake.topics[(DESK_GROUP_TI, thread)]["name"].startswith(f"#{ticket.id} · ti")

    volunteers.say(thread, "/naam Semhar")
    wait_until(lambda: ti(texts.DESK_NAME_SET, name="Semhar") in volunteers.topic(thread, 1), SLOW_S)
    volunteers.say(thread, FIRST_ANSWER)
    first = volunteers.outbox.wait_for(sender, FIRST_ANSWER)
    assert first.message["custom"]["vraagbaak"] == "volunteer" and first.message["custom"]["volunteer"] == "Semhar"
    took = visible_within(page, "ኣነ ወለንተኛ እየ።", first, PUSH_WITHIN_S)
    print(f"a volunteer's answer was in the widget {took:.2f} s after it reached the outbox")

    answer = widget(".msg.volunteer")
    expect(answer).to_have_count(1)
    label = answer.locator(".who")
    expect(label).to_have_text(ti(texts.DESK_VOLUNTEER_SAYS, name="Semhar"))
    expect(label.locator("bdi")).to_have_text("Semhar")
    assert "Tesfay" not in label.inner_text() and "semhar_t" not in label.inner_text()
    expect(answer.locator(".bubble strong")).to_have_text("ክሕግዘኩም")  # the light Markdown, as for answers
    assert "**" not in answer.locator(".bubble").inner_text()
    assert (answer.get_attribute("dir"), answer.locator(".bubble").get_attribute("lang")) == ("ltr", "ti")
    expect(answer.locator("button.chip")).to_have_text([ti(texts.BUTTON_DESK_DONE)])
    expect(widget("button.chip").filter(has_text=ti(texts.BUTTON_DESK_DONE))).to_have_count(1)  # the newest only
    assistant_bubble = widget(".msg.bot:not(.volunteer) .bubble").last.evaluate(
        "el => getComputedStyle(el).backgroundColor")
    volunteer_bubble = answer.locator(".bubble").evaluate(
        "el => [getComputedStyle(el).backgroundColor, getComputedStyle(el).borderInlineStartWidth]")
    assert volunteer_bubble[0] != assistant_bubble and float(volunteer_bubble[1].removesuffix("px")) >= 3
    screenshot(page, "desk-ti")
    assert serious_accessibility_problems(page) == []

    # A reload: the answer once, and the stream resumes after it.
    with page.expect_request(lambda request: "/api/events?" in request.url) as resumed:
        page.reload()
    assert parse_qs(urlparse(resumed.value.url).query)["after"] == [str(first.number)]
    assert parse_qs(urlparse(resumed.value.url).query)["sender"] == [sender]
    expect(widget(".panel")).to_be_visible()
    expect(widget(".msg.volunteer")).to_have_count(1)
    expect(widget(".msg.volunteer .who")).to_have_text(ti(texts.DESK_VOLUNTEER_SAYS, name="Semhar"))

    # The page closed: the volunteer writes again, and the answer is there at the next visit.
    # The outbox gives a sender's messages oldest first, so an answer shown twice would come before it.
    context = page.context
    page.close()
    volunteers.say(thread, LATER_ANSWER)
    later = volunteers.outbox.wait_for(sender, LATER_ANSWER)
    assert later.number > first.number
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url)
    widget = Widget(page)
    expect(widget(".panel")).to_be_visible()
    expect(widget(".msg.volunteer .bubble").last).to_have_text(LATER_ANSWER, timeout=SLOW_S * 1000)
    assert shadow_texts(page, ".msg.volunteer .bubble") == [
        "ሰላም! ኣነ ወለንተኛ እየ። ብዛዕባ zorgtoeslag ክሕግዘኩም እኽእል እየ።", LATER_ANSWER]
    assert storage(page)["pushed"] == later.number
    expect(widget("button.chip").filter(has_text=ti(texts.BUTTON_DESK_DONE))).to_have_count(1)

    # The newcomer writes: it goes to the topic, and the assistant says nothing.
    before = widget(".msg.bot").count()
    with page.expect_response(lambda r: r.url.endswith("/api/messages") and r.request.method == "POST",
                              timeout=RASA_TIMEOUT_MS) as relayed:
        widget.ask(NEWCOMER_SAYS)
    assert [m.get("custom", {}).get("vraagbaak") for m in relayed.value.json()] == ["desk_relayed"]
    expect(widget(".typing")).to_be_hidden(timeout=RASA_TIMEOUT_MS)
    expect(widget(".msg.user .bubble").last).to_have_text(NEWCOMER_SAYS)
    assert widget(".msg.bot").count() == before and widget(".msg.bot.alert").count() == 0
    posted = f"{ti(texts.DESK_FROM_NEWCOMER)}\n{NEWCOMER_SAYS}"
    volunteers.fake.wait_for(lambda _: posted in volunteers.posted(thread), SLOW_S)
    done = widget("button.chip").filter(has_text=ti(texts.BUTTON_DESK_DONE))
    expect(done).to_have_count(1)  # typing answers older quick replies, never the way back

    # "Done": the assistant is back, and asks whether the volunteer helped.
    done.click()
    closing = widget(".msg.bot").last
    expect(closing).to_contain_text(ti(texts.DESK_CLOSED_BY_YOU), timeout=RASA_TIMEOUT_MS)
    expect(closing.locator("button.chip")).to_have_text([ti(texts.BUTTON_HELPFUL), ti(texts.BUTTON_NOT_HELPFUL)])
    expect(widget("button.chip").filter(has_text=ti(texts.BUTTON_DESK_DONE))).to_have_count(0)
    wait_until(lambda: volunteers.fake.topics[(DESK_GROUP_TI, thread)]["closed"], SLOW_S)
    assert ti(texts.DESK_NEWCOMER_CLOSED, ticket=str(ticket.id)) in volunteers.topic(thread, 1)
    assert not (store.get(ticket.id) or ticket).is_open
    assert new_page.violations == []


# --- against a gateway without Rasa, the outbox written as the desk writes it --------------------------------
@pytest.fixture()
def gateway(tmp_path: Path) -> Iterator[tuple[str, Outbox]]:
    settings = replace(Settings(), var_dir=tmp_path, web_port=free_port(),
                       rasa_url=f"http://127.0.0.1:{free_port()}", rasa_timeout=2)
    server = BackgroundServer(settings)
    database = open_database(settings)  # the desk's own connection, as another process holds it
    try:
        yield server.url, Outbox(database)
    finally:
        server.shutdown()
        database.close()


def desk_bot(lang: str) -> Any:
    """Canned replies: a welcome, and a ticket opened at the first thing typed; after it, typed
    text is passed on (nothing shown) and "Done" closes."""
    done = [{"title": "Done", "payload": payloads.DESK_DONE}]
    opened: set[str] = set()

    def reply(body: dict[str, Any]) -> list[dict[str, Any]]:
        message = said(body)
        if message == "/greet":
            return [{"text": "Welkom"}]
        if message.startswith("/choose_"):
            return [{"text": "OK", "custom": {"vraagbaak": "language", "lang": lang}}]
        if message == payloads.DESK_DONE:
            return [{"text": "Back", "custom": {"vraagbaak": "desk_closed_by_newcomer", "lang": lang}}]
        if body["sender"] not in opened:
            opened.add(body["sender"])
            return [{"text": "A volunteer will answer you here.", "buttons": done,
                     "custom": {"vraagbaak": "desk_opened", "lang": lang, "ticket": 7}}]
        return [{"recipient_id": body["sender"], "custom": {"vraagbaak": "desk_relayed", "ticket": 7}}]

    return reply


def volunteer(text: str, name: str, lang: str) -> dict[str, Any]:
    return {"text": text, "buttons": [{"title": "Done", "payload": payloads.DESK_DONE}],
            "custom": {"vraagbaak": "volunteer", "volunteer": name, "ticket": 7, "lang": lang}}


def test_without_event_source_long_polling_brings_answers_safely_and_right_to_left(
        gateway: tuple[str, Outbox], new_page: Any) -> None:
    base, outbox = gateway
    page = new_page()
    page.add_init_script("delete window.EventSource")  # a browser (or a proxy) without server-sent events
    requests: list[str] = []
    page.on("request", lambda request: requests.append(f"{request.method} {request.url}"))
    canned(page, desk_bot("ar"))
    page.goto(base + "/?municipality=den-haag&lang=ar")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(1)
    assert not any("/api/events" in r or "/api/messages?" in r for r in requests)  # no desk, nothing to wait for
    with page.expect_request(lambda r: r.method == "GET" and "/api/messages?" in r.url) as polling:
        widget.ask("أريد التحدث مع شخص")
        expect(widget(".msg.bot").last).to_contain_text("A volunteer will answer you here.")
    sender = storage(page)["sender"]
    query = parse_qs(urlparse(polling.value.url).query)
    assert (query["sender"], query["after"], query["wait"]) == ([sender], ["0"], ["25"])

    with page.expect_response(lambda r: r.url.endswith("/api/messages") and r.request.method == "POST"):
        widget.ask("هل من أحد هنا؟")  # passed on: nothing shown, no apology
    expect(widget(".typing")).to_be_hidden()
    expect(widget(".msg.user")).to_have_count(2)
    expect(widget(".msg.bot")).to_have_count(2)

    attack = '<img src=x onerror="window.pwned=1">'
    outbox.put(sender, volunteer("مرحبا، أنا هنا **لمساعدتك**.", attack, "ar"))
    answer = widget(".msg.volunteer")
    expect(answer).to_have_count(1, timeout=10_000)
    label = answer.locator(".who")
    expect(label).to_have_text(t("ar", texts.DESK_VOLUNTEER_SAYS, name=attack))
    expect(label.locator("bdi")).to_have_text(attack)
    assert widget("img").count() == 0 and page.evaluate("typeof window.pwned") == "undefined"
    assert answer.get_attribute("dir") == "rtl" and label.get_attribute("dir") == "rtl"
    assert answer.locator(".bubble").evaluate("el => getComputedStyle(el).direction") == "rtl"
    expect(answer.locator(".bubble strong")).to_have_text("لمساعدتك")

    # The desk's default name is no name: "Volunteer:" alone; nobody answered in time: the phone.
    outbox.put(sender, volunteer("وأنا أيضا.", t("ar", texts.DESK_DEFAULT_NAME), "ar"))
    last = outbox.put(sender, {"text": t("ar", texts.DESK_NO_ANSWER_YET),
                               "buttons": [{"title": "Done", "payload": payloads.DESK_DONE}],
                               "custom": {"vraagbaak": "desk_waiting", "ticket": 7, "lang": "ar",
                                          "municipality": "den-haag", "phone": "14 070"}})
    expect(widget(".msg.volunteer .who").last).to_have_text(t("ar", texts.DESK_VOLUNTEER_SAYS_UNNAMED))
    waiting = widget(".msg.bot").last
    expect(waiting).to_contain_text(t("ar", texts.DESK_NO_ANSWER_YET))
    expect(waiting.locator("a.chip.call")).to_have_attribute("href", "tel:14070")
    assert not any("/api/events" in r for r in requests)
    expect(widget("button.chip").filter(has_text="Done")).to_have_count(1)  # the newest only
    assert storage(page)["pushed"] == last
    assert new_page.violations == []


def test_a_new_conversation_no_longer_gets_the_old_ones_messages(gateway: tuple[str, Outbox],
                                                                  new_page: Any) -> None:
    base, outbox = gateway
    page = new_page()
    canned(page, desk_bot("nl"))
    page.goto(base + "/?municipality=den-haag&lang=nl")
    widget = Widget(page)
    widget.open()
    widget.bot_messages(1)
    widget.ask("Ik wil een mens spreken")
    expect(widget(".msg.bot").last).to_contain_text("A volunteer will answer you here.")
    old = storage(page)["sender"]
    outbox.put(old, volunteer("Hallo, ik ben Semhar.", "Semhar", "nl"))
    expect(widget(".msg.volunteer")).to_have_count(1, timeout=10_000)

    ended: list[str] = []  # the old conversation's stream is closed, not only ignored
    page.on("requestfailed", lambda request: ended.append(request.url))
    page.on("requestfinished", lambda request: ended.append(request.url))
    with page.expect_request(lambda request: "/api/events?" in request.url and old not in request.url) as listening:
        widget(".new").click()  # a new conversation, which goes to the desk as well
        widget.bot_messages(1)
        widget.ask("Nog een vraag voor een mens")
    new = storage(page)["sender"]
    assert new != old and parse_qs(urlparse(listening.value.url).query)["sender"] == [new]
    until(page, lambda: any("/api/events?" in url and old in url for url in ended), "the old stream is closed")
    outbox.put(old, volunteer("Voor het oude gesprek.", "Semhar", "nl"))
    outbox.put(new, volunteer("Voor het nieuwe gesprek.", "Robel", "nl"))
    expect(widget(".msg.volunteer .bubble")).to_have_text(["Voor het nieuwe gesprek."], timeout=10_000)
    page.reload()
    expect(widget(".msg.volunteer .bubble")).to_have_text(["Voor het nieuwe gesprek."])
    assert new_page.violations == []
