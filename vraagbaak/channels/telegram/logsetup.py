"""Logging for the bridge process: the project's JSON lines, with every secret blanked out.

httpx logs each request's URL at INFO, and a Bot API URL contains the bot's token; exceptions
from the HTTP layer can quote it too. So the third-party loggers go to WARNING, and whatever is
written passes through a formatter that replaces each secret, whichever logger wrote it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from vraagbaak.logs import configure_logging

REDACTED = "[redacted]"
#: Shorter values are no secrets worth the name, and blanking them out would garble every line.
MIN_SECRET_LENGTH = 8
#: Libraries whose warnings and errors belong in the bridge's log, in the same format.
THIRD_PARTY_LOGGERS = ("telegram", "httpx", "httpcore", "tornado", "asyncio")


class RedactingFormatter(logging.Formatter):
    """Formats with ``inner``, then blanks out every secret in the finished line."""

    def __init__(self, inner: logging.Formatter, secrets: Iterable[str]) -> None:
        super().__init__()
        self.inner = inner
        # Longest first, so that a secret containing another is blanked out whole.
        self.secrets = sorted({s for s in secrets if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        line = self.inner.format(record)
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return line


def configure_bridge_logging(secrets: Iterable[str]) -> None:
    """JSON lines on stderr for our loggers and the libraries' warnings, secrets redacted."""
    configure_logging()
    ours = logging.getLogger("vraagbaak")
    secrets = list(secrets)
    for handler in ours.handlers:
        if not isinstance(handler.formatter, RedactingFormatter):
            handler.setFormatter(RedactingFormatter(handler.formatter or logging.Formatter(), secrets))
    for name in THIRD_PARTY_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.WARNING)
        logger.propagate = False
        for handler in ours.handlers:
            if handler not in logger.handlers:
                logger.addHandler(handler)
