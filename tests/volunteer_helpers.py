"""The volunteers' desk in a python-telegram-bot application of its own, polling the fake Bot
API (fake_telegram.py) from an event loop in a background thread, over a real desk database
(SQLite in a temporary var/). Tests push group updates into the fake and read what the bot sent.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from telegram.ext import Application, ApplicationBuilder

from fake_telegram import TOKEN, FakeTelegram
from vraagbaak.channels.telegram.bridge import MAX_CONCURRENT_UPDATES, file_url
from vraagbaak.desk.volunteers import VolunteerDesk

T = TypeVar("T")
WAIT_S = 20


class RecordingTelegramSender:
    """The newcomer bridge's side of :data:`vraagbaak.desk.delivery.TelegramSender`, recorded: it
    knows the senders in ``known`` (the chats it has seen) and answers False for any other."""

    def __init__(self, *known: str) -> None:
        self.known = set(known)
        self.sent: list[tuple[str, str]] = []
        #: The buttons under each sent text, in the same order as ``sent``.
        self.buttons: list[list[dict[str, str]]] = []
        self.error: Exception | None = None

    async def __call__(self, sender: str, text: str, buttons: list[dict[str, str]]) -> bool:
        if self.error is not None:
            raise self.error
        if sender not in self.known:
            return False
        self.sent.append((sender, text))
        self.buttons.append(buttons)
        return True


class DeskApp:
    """``desk``'s handlers in a running application (as the bridge runs them: updates concurrently)."""

    def __init__(self, fake: FakeTelegram, desk: VolunteerDesk) -> None:
        self.fake, self.desk = fake, desk
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="desk-app", daemon=True)
        self._thread.start()
        self.app: Application = (ApplicationBuilder().token(TOKEN).base_url(fake.api_url)
                                 .base_file_url(file_url(fake.api_url)).concurrent_updates(MAX_CONCURRENT_UPDATES)
                                 .build())
        desk.add_to(self.app)
        self.call(self.app.initialize())
        self.call(self.app.start())
        polls = fake.polls
        self.call(self.app.updater.start_polling(poll_interval=0, timeout=1))
        wait_until(lambda: fake.polls > polls)

    def call(self, work: Coroutine[Any, Any, T]) -> T:
        """Run ``work`` on the application's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(WAIT_S)

    def stop(self) -> None:
        self.call(self.app.updater.stop())
        self.call(self.app.stop())
        self.call(self.app.shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(WAIT_S)
        self.loop.close()


def wait_until(condition: Callable[[], T], timeout: float = WAIT_S, what: str = "the condition") -> T:
    """``condition()`` once truthy; an AssertionError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)
