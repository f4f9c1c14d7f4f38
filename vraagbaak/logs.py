"""Structured logs: one JSON object per line for every ``vraagbaak.*`` logger in the servers.

Operators feed these lines to their log tooling. Call sites pass facts as ``extra=`` fields
(article id, language, confidence); by convention no log line carries a user's message text
together with anything that identifies the user (sender id, chat id).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

#: Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_configured = False


class JsonFormatter(logging.Formatter):
    """``{"time", "level", "logger", "event", ...extra fields}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: int = logging.INFO) -> None:
    """Send ``vraagbaak.*`` records as JSON lines to stderr, once per process."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger("vraagbaak")
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False  # the host framework (rasa-sdk, sanic) keeps its own format
    _configured = True
