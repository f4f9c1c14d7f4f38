"""Calls to the Telegram Bot API, retried when Telegram or the network asks for patience.

- 429 (``RetryAfter``): Telegram says how long to wait; we wait exactly that (plus a little
  slack) and try again, unless the wait is longer than a user would sit through.
- Timeouts and other network errors: exponential back-off with jitter (0.5 s, 1 s, 2 s ...),
  so many chats hitting the same hiccup do not retry in lock-step.
- Everything else (bad request, bot blocked by the user, invalid token) is not transient and
  is raised at once.

A timed-out ``sendMessage`` may in fact have arrived; retrying it risks a duplicate answer,
which we prefer over a newcomer getting no answer at all.
"""

from __future__ import annotations

import asyncio
import logging
import random
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger("vraagbaak.telegram.retry")
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    #: Tries in all, the first included.
    attempts: int = 4
    #: First back-off after a network error; doubles per try up to ``max_delay``.
    base_delay: float = 0.5
    max_delay: float = 8.0
    #: Added to Telegram's retry_after: its clock and ours are not the same.
    retry_after_slack: float = 0.25
    #: A longer flood wait is not waited out: the reply would come too late to matter.
    max_retry_after: float = 30.0


DEFAULT_POLICY = RetryPolicy()


def retry_after_seconds(error: RetryAfter) -> float:
    """Telegram's wait in seconds (PTB 22 gives an int or a timedelta, with a deprecation
    warning about the change between them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def backoff_delay(attempt: int, policy: RetryPolicy, rand: Callable[[], float] = random.random) -> float:
    """Delay after the ``attempt``-th failed try (1-based): full exponential step, jittered to
    between half and all of it."""
    step = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
    return step * (0.5 + rand() / 2)


async def with_retry(call: Callable[[], Awaitable[T]], what: str, policy: RetryPolicy = DEFAULT_POLICY,
                     sleep: Callable[[float], Awaitable[object]] = asyncio.sleep) -> T:
    """``await call()``, retried on 429 and transient network errors; ``what`` names the API
    method in the logs (never its parameters: they hold the user's text)."""
    for attempt in range(1, policy.attempts + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_after_seconds(error)
            if attempt == policy.attempts or wait > policy.max_retry_after:
                raise
            delay, reason = wait + policy.retry_after_slack, "RetryAfter"
        except NetworkError as error:  # TimedOut is a NetworkError; so is BadRequest, which is final
            if isinstance(error, BadRequest) or attempt == policy.attempts:
                raise
            delay, reason = backoff_delay(attempt, policy), type(error).__name__
        log.warning("telegram call retried", extra={"method": what, "attempt": attempt, "error": reason,
                                                    "delay_s": round(delay, 2)})
        await sleep(delay)
    raise AssertionError("unreachable: the last attempt returns or raises")
