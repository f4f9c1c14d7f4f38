"""Flood control per chat, sender or client address: a token bucket, so a burst of quick
messages is fine and a flood is not (the Telegram bridge and the web gateway use it).

Every message or button press costs one token; tokens come back at a steady rate up to the
burst size. The first message over the limit gets one polite "wait a moment" (the caller sends
it); further ones are dropped silently until a token is back, so a flood costs Rasa, the search
and Telegram's own limits nothing.
"""

from __future__ import annotations

import enum
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass


class Verdict(enum.Enum):
    ALLOW = "allow"
    WARN = "warn"  # over the limit for the first time: tell the user once
    DROP = "drop"  # still over the limit: ignore


@dataclass
class _Bucket:
    tokens: float
    updated: float
    warned: bool = False


class FloodGate:
    """Token buckets for many chats, in memory; the least recently active chats are forgotten
    first when there are more than ``max_chats`` (a bucket idle that long is full anyway)."""

    def __init__(self, burst: int, per_minute: int, clock: Callable[[], float] = time.monotonic,
                 max_chats: int = 10_000) -> None:
        if burst < 1 or per_minute < 1:
            raise ValueError("burst and per_minute must be at least 1")
        self.burst = burst
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_chats = max_chats
        self._buckets: OrderedDict[Hashable, _Bucket] = OrderedDict()

    def hit(self, key: Hashable) -> Verdict:
        """Count one message from ``key`` and say whether to handle it."""
        now = self.clock()
        bucket = self._buckets.pop(key, None) or _Bucket(float(self.burst), now)
        self._buckets[key] = bucket  # most recently active last
        while len(self._buckets) > self.max_chats:
            self._buckets.popitem(last=False)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            bucket.warned = False
            return Verdict.ALLOW
        if not bucket.warned:
            bucket.warned = True
            return Verdict.WARN
        return Verdict.DROP

    def __len__(self) -> int:
        return len(self._buckets)
