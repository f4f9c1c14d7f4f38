"""What the bridge remembers per chat, in memory only: the language and municipality it learnt
from Rasa's answers (for the replies it makes itself: "only text works", "wait a moment", the
apology when Rasa is down), and one lock per chat so that a chat's messages are answered in the
order they were sent while other chats go on in parallel.

Nothing here is written to disk; /vergeet drops a chat's entry. Rasa's tracker stays the truth
about the conversation: after a restart the bridge simply learns again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vraagbaak.assistant.replies import language_of_message
from vraagbaak.languages import LANGUAGES


def telegram_language(code: str | None) -> str | None:
    """One of our languages from a Telegram user's app language (``en-GB`` → ``en``), if any."""
    base = (code or "").split("-")[0].lower()
    return base if base in LANGUAGES else None


@dataclass
class ChatState:
    #: A language the user picked with the buttons: it sticks, as it does in Rasa.
    chosen_lang: str | None = None
    #: The language of the user's latest clear message or answer.
    seen_lang: str | None = None
    municipality: str | None = None
    #: Rasa's sender id of this chat (a keyed hash), so that a volunteer's answer for that
    #: sender finds its way back to this chat (:meth:`ChatStates.chat_of`).
    sender: str | None = None
    #: The desk's answers that waited for this chat were sent (once, when this process first saw
    #: the chat: only then can any wait, see :meth:`vraagbaak.desk.delivery.Delivery.flush`).
    desk_flushed: bool = False

    def language_for(self, text: str | None, app_language: str | None) -> str:
        """The language to address the user in, for a message ``text`` (None for a button or a
        photo): their choice, else the message's own language, else what we last saw, else
        their Telegram app's language."""
        return language_of_message(text, self.chosen_lang, self.seen_lang or telegram_language(app_language))

    def learn(self, messages: Iterable[Mapping[str, Any]]) -> None:
        """Take language and municipality from the metadata of Rasa's messages."""
        for message in messages:
            custom = message.get("custom") if isinstance(message.get("custom"), Mapping) else {}
            kind, lang = custom.get("vraagbaak"), custom.get("lang")
            if kind == "language" and lang in LANGUAGES:
                self.chosen_lang = lang
            if lang in LANGUAGES and not custom.get("not_translated"):
                self.seen_lang = lang
            if kind in ("municipality", "handoff") and isinstance(custom.get("municipality"), str):
                self.municipality = custom["municipality"]


class ChatStates:
    """The chats' states and locks, the least recently active forgotten first beyond ``max_chats``."""

    def __init__(self, max_chats: int = 10_000) -> None:
        self.max_chats = max_chats
        self._states: OrderedDict[int, ChatState] = OrderedDict()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}
        self._chat_of_sender: dict[str, int] = {}

    def get(self, chat_id: int, sender: str | None = None) -> ChatState:
        """The chat's state; ``sender``: its Rasa sender id, remembered for :meth:`chat_of`."""
        state = self._states.pop(chat_id, None) or ChatState()
        self._states[chat_id] = state
        if sender is not None and state.sender is None:
            state.sender = sender
            self._chat_of_sender[sender] = chat_id
        while len(self._states) > self.max_chats:
            self._drop(self._states.popitem(last=False)[1])
        return state

    def chat_of(self, sender: str) -> int | None:
        """The chat behind a sender id, if this process has seen it write since it started."""
        return self._chat_of_sender.get(sender)

    def forget(self, chat_id: int) -> None:
        state = self._states.pop(chat_id, None)
        if state is not None:
            self._drop(state)

    def _drop(self, state: ChatState) -> None:
        if state.sender is not None:
            self._chat_of_sender.pop(state.sender, None)

    def __contains__(self, chat_id: int) -> bool:
        return chat_id in self._states

    def lock(self, chat_id: int) -> "_ChatLock":
        """``async with states.lock(chat_id):`` one update of this chat at a time, in arrival order
        (asyncio locks are fair); the lock is dropped when nobody holds or waits for it."""
        return _ChatLock(self, chat_id)


class _ChatLock:
    def __init__(self, states: ChatStates, chat_id: int) -> None:
        self.states, self.chat_id = states, chat_id
        # Registered at once, not on entry: a second update of the same chat created before this
        # one is entered must find the same lock.
        states._waiting[chat_id] = states._waiting.get(chat_id, 0) + 1
        self.lock = states._locks.setdefault(chat_id, asyncio.Lock())

    async def __aenter__(self) -> None:
        try:
            await self.lock.acquire()
        except BaseException:  # cancelled while waiting: give up the place in the queue
            self._leave()
            raise

    async def __aexit__(self, *exc_info: object) -> None:
        self.lock.release()
        self._leave()

    def _leave(self) -> None:
        remaining = self.states._waiting[self.chat_id] - 1
        if remaining:
            self.states._waiting[self.chat_id] = remaining
        else:
            del self.states._waiting[self.chat_id]
            del self.states._locks[self.chat_id]
