"""Shared by test_desk_tick.py and test_desk_e2e.py: reading what the fake Bot API saw of the
volunteers' desk (topics, their texts, the buttons under a message) and waiting on the desk's
database, which another process (the action server, the bridge) writes."""

from __future__ import annotations

from typing import Any

from fake_telegram import Call, FakeTelegram
from volunteer_helpers import wait_until  # noqa: F401 - the desk tests' one way to wait
from vraagbaak.assistant.i18n import Translator, translator
from vraagbaak.settings import Settings

def t(lang: str) -> Translator:
    return translator(Settings().translations_dir, lang)


def topic_texts(api: FakeTelegram, chat_id: int, thread_id: int | None) -> list[str]:
    """Every text the bot posted (successfully) in a topic so far, in order."""
    return [str(call.params.get("text", "")) for call in api.in_topic(chat_id, thread_id)]


def wait_for_topic_text(api: FakeTelegram, chat_id: int, thread_id: int, needle: str, timeout: float,
                        count: int = 1) -> list[str]:
    """The topic's texts once ``count`` of them contain ``needle``."""
    def found(calls: list[Call]) -> list[str] | None:
        texts = topic_texts(api, chat_id, thread_id)
        return texts if sum(needle in text for text in texts) >= count else None
    return api.wait_for(found, timeout)


def methods(api: FakeTelegram, method: str, chat_id: int | None = None) -> list[Call]:
    """The calls of ``method`` (in ``chat_id``, if given), failed ones included."""
    return [c for c in api.calls if c.method == method
            and (chat_id is None or str(c.params.get("chat_id")) == str(chat_id))]


def keyboard(call: Call) -> list[dict[str, Any]]:
    """The inline buttons under a sent message, row after row."""
    markup = call.params.get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


def payloads_of(call: Call) -> list[str]:
    return [button["callback_data"] for button in keyboard(call)]


def titles_of(call: Call) -> list[str]:
    return [button["text"] for button in keyboard(call)]
