"""A bot whose ``getUpdates`` survives an update it cannot read.

python-telegram-bot parses a whole ``getUpdates`` batch at once; one update it cannot parse
raises out of the polling loop, which then ends: the process lives on but hears nothing. It also
logs the raw batch, users' texts and chat ids included. Here such a batch is fetched again and
parsed update by update: an unreadable one becomes an empty update (no handler takes it, and its
offset is confirmed so Telegram does not send it again) and is logged by id only.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ExtBot

log = logging.getLogger("vraagbaak.telegram.polling")
#: python-telegram-bot's loggers that write raw updates (on a parse error) and request
#: parameters (at debug level): both hold user text next to chat ids, so they are silenced.
RAW_DATA_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")


def silence_raw_data_loggers() -> None:
    for name in RAW_DATA_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


class TolerantBot(ExtBot[Any]):
    async def get_updates(self, offset: int | None = None, limit: int | None = None, timeout: Any = None,
                          allowed_updates: Any = None, **kwargs: Any) -> tuple[Update, ...]:
        try:
            return await super().get_updates(offset, limit, timeout, allowed_updates, **kwargs)
        except TelegramError:
            raise  # network trouble: the polling loop retries these itself
        except Exception as exc:  # noqa: BLE001 - a batch the library cannot read
            log.error("could not read a batch of updates; reading them one by one",
                      extra={"error": type(exc).__name__})
        with warnings.catch_warnings():  # "use get_updates instead": that is what just failed
            warnings.simplefilter("ignore")
            raw = await self.do_api_request("getUpdates", api_kwargs={
                "offset": offset, "limit": limit, "allowed_updates": allowed_updates, "timeout": 0})
        return tuple(update for update in map(self._read_one, raw or []) if update is not None)

    def _read_one(self, data: Any) -> Update | None:
        try:
            return Update.de_json(data, self)
        except Exception as exc:  # noqa: BLE001
            update_id = data.get("update_id") if isinstance(data, dict) else None
            log.error("unreadable update skipped", extra={"update_id": update_id, "error": type(exc).__name__})
            return Update(update_id=update_id) if isinstance(update_id, int) else None
