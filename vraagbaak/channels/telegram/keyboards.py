"""Rasa's buttons as Telegram inline keyboards, and back from a button press to Rasa's payload.

Telegram carries at most 64 bytes of callback data per button. A payload that fits travels as
itself, so buttons keep working after the bridge restarts; a longer one (a future municipality
with a long name) travels as a short key into a bounded in-memory table, and a press on such a
button after a restart is answered with "please ask again" rather than guessed.
"""

from __future__ import annotations

import hashlib
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

MAX_CALLBACK_BYTES: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
#: What a Rasa button payload looks like: an intent, optionally with entities as JSON.
RASA_PAYLOAD = re.compile(r"/\w+(\{.*\})?", re.DOTALL)
#: Callback data that is a key into the table, not a payload.
KEY_PREFIX = "#"
#: Buttons with a longer title get a row of their own; shorter ones go two to a row.
WIDE_TITLE = 18


class CallbackTable:
    """Payload → callback data and back. Keys are derived from the payload, so showing the same
    button a thousand times stores it once."""

    def __init__(self, max_entries: int = 4096) -> None:
        self.max_entries = max_entries
        self._payloads: OrderedDict[str, str] = OrderedDict()

    def encode(self, payload: str) -> str:
        if RASA_PAYLOAD.fullmatch(payload) and len(payload.encode()) <= MAX_CALLBACK_BYTES:
            return payload
        key = KEY_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
        self._payloads[key] = payload
        self._payloads.move_to_end(key)
        while len(self._payloads) > self.max_entries:
            self._payloads.popitem(last=False)
        return key

    def decode(self, data: str | None) -> str | None:
        """The payload behind a button press; None when it is unknown (expired, or not ours)."""
        if not data:
            return None
        if data.startswith(KEY_PREFIX):
            payload = self._payloads.get(data)
            if payload is not None:
                self._payloads.move_to_end(data)
            return payload
        return data if RASA_PAYLOAD.fullmatch(data) else None


def inline_keyboard(buttons: Iterable[Mapping[str, Any]] | None,
                    table: CallbackTable) -> InlineKeyboardMarkup | None:
    """Rasa's ``[{"title", "payload"}]`` as an inline keyboard; None when there are no buttons."""
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    for button in buttons or ():
        title, payload = str(button.get("title") or "").strip(), str(button.get("payload") or "")
        if not title or not payload:
            continue
        key = InlineKeyboardButton(title, callback_data=table.encode(payload))
        if len(title) > WIDE_TITLE:
            if row:
                rows.append(row)
                row = []
            rows.append([key])
            continue
        row.append(key)
        if len(row) == 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows) if rows else None

