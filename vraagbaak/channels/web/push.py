"""Messages pushed to an open widget: a volunteer's answer that arrives after the assistant's.

The desk writes such messages to the outbox (:class:`vraagbaak.desk.outbox.Outbox`), in whichever
process it runs (the Telegram bridge, another gateway). The hub here asks the outbox, once per
interval for the whole process (one cheap indexed query), which senders have new messages, and
wakes those streams. It remembers each sender's newest id, so a stream that starts waiting just
after its news went by is not left waiting. The widget listens with server-sent events (``GET /api/events``) and,
where those do not get through, with long polling (``GET /api/messages?sender=…&after=…``); it
also asks once when it opens, so a message that came while the page was closed is shown then.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import OrderedDict
from typing import Any, Protocol

import anyio.to_thread

log = logging.getLogger("vraagbaak.web.push")

#: Seconds between two looks into the outbox while a widget listens (the desk promises 2 s).
POLL_INTERVAL_S = 0.5
#: How many senders' newest message ids the hub remembers.
REMEMBERED_SENDERS = 10_000


class OutboxReader(Protocol):
    def after(self, sender: str, after_id: int, limit: int = 50) -> list[tuple[int, dict[str, Any]]]: ...

    def latest_id(self) -> int: ...

    def senders_with_messages_after(self, after_id: int) -> dict[str, int]: ...


class PushHub:
    def __init__(self, outbox: OutboxReader, interval_s: float = POLL_INTERVAL_S) -> None:
        self.outbox = outbox
        self.interval_s = interval_s
        #: Per sender, each waiting stream's event and the id it has seen up to.
        self._waiting: dict[str, dict[asyncio.Event, int]] = {}
        #: The newest message id the poll saw per sender (the most recent senders only), so a
        #: stream that starts waiting just after its news went by is woken at once.
        self._newest: OrderedDict[str, int] = OrderedDict()
        self._poller: asyncio.Task[None] | None = None

    async def messages(self, sender: str, after_id: int) -> list[tuple[int, dict[str, Any]]]:
        """The sender's messages with an id above ``after_id``, oldest first."""
        return await anyio.to_thread.run_sync(self.outbox.after, sender, after_id)

    async def wait(self, sender: str, after_id: int, timeout_s: float) -> bool:
        """Until the sender has messages above ``after_id`` (True) or ``timeout_s`` passed (False)."""
        if self._newest.get(sender, 0) > after_id:
            return True
        event = asyncio.Event()
        self._waiting.setdefault(sender, {})[event] = after_id
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s):
                    await event.wait()
            return event.is_set()
        finally:
            waiters = self._waiting.get(sender)
            if waiters is not None:
                waiters.pop(event, None)
                if not waiters:
                    del self._waiting[sender]

    def start(self) -> None:
        """Start looking into the outbox (at the application's start)."""
        if self._poller is None or self._poller.done():
            self._poller = asyncio.create_task(self._poll())

    async def _poll(self) -> None:
        """Look into the outbox every interval; wake the waiters of senders with news. A database
        that is away is logged once and asked again; streams meanwhile time out and ask anew."""
        last: int | None = None
        failing = False
        while True:
            try:
                if last is None:
                    last = await anyio.to_thread.run_sync(self.outbox.latest_id)
                news = await anyio.to_thread.run_sync(self.outbox.senders_with_messages_after, last)
            except Exception as exc:  # noqa: BLE001 - any database error: try again later
                if not failing:
                    log.error("cannot read the outbox", extra={"error": type(exc).__name__})
                failing = True
                await asyncio.sleep(self.interval_s * 4)
                continue
            failing = False
            for sender, newest in news.items():
                last = max(last, newest)
                self._remember(sender, newest)
                for event, seen in self._waiting.get(sender, {}).items():
                    if newest > seen:
                        event.set()
            await asyncio.sleep(self.interval_s)

    def _remember(self, sender: str, newest: int) -> None:
        self._newest[sender] = newest
        self._newest.move_to_end(sender)
        if len(self._newest) > REMEMBERED_SENDERS:
            self._newest.popitem(last=False)

    async def aclose(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
