"""Limits against floods on the public API, per widget conversation and per client address.

A sender (one widget conversation) may send a burst of messages, then a steady number a minute;
so may a client address, with room for an office or a library behind one address. A message over
either limit is answered at once, politely and in the user's language, without reaching Rasa, so
one client flooding the API costs the others almost nothing. Push streams are counted per client
address too. The counts live in this process: with several gateways behind a round robin each
counts its own share, which keeps a flood within the limits times the number of gateways.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from vraagbaak.channels.ratelimit import FloodGate, Verdict
from vraagbaak.settings import Settings


@dataclass(frozen=True)
class Refusal:
    """Why a message was refused and when to try again (the ``Retry-After`` header)."""

    limit: str  # "ip" or "sender"
    retry_after_s: int


class Limits:
    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.by_ip = FloodGate(settings.web_ip_burst, settings.web_ip_per_minute, clock)
        self.by_sender = FloodGate(settings.web_sender_burst, settings.web_sender_per_minute, clock)
        self.max_streams = settings.web_streams_per_client
        self._streams: Counter[str] = Counter()

    def message(self, client: str, sender: str) -> Refusal | None:
        """Count one message; None when it may go on. The address is checked first, so a flood
        from one address does not use up the tokens of the conversations it names."""
        for name, gate, key in (("ip", self.by_ip, client), ("sender", self.by_sender, sender)):
            if gate.hit(key) is not Verdict.ALLOW:
                return Refusal(name, math.ceil(1.0 / gate.rate))  # seconds until a token is back
        return None

    def streams_open(self, client: str) -> int:
        return self._streams[client]

    @contextmanager
    def stream(self, client: str) -> Iterator[None]:
        """Count one open push stream of ``client`` while the block runs (the route checks
        :meth:`streams_open` against :attr:`max_streams` before it opens one)."""
        self._streams[client] += 1
        try:
            yield True
        finally:
            self._streams[client] -= 1
            if self._streams[client] <= 0:
                del self._streams[client]
