"""The relay between a channel (web page, widget, Telegram) and Rasa's REST channel.

Every channel sends a user's message through :class:`Gateway`, so every channel gets the same
behaviour: the language and municipality passed on as metadata, each answer joined with its
machine-readable metadata, and, when Rasa or the action server cannot answer, a polite message in
the user's language with their municipality's phone number instead of silence.

The calls are asynchronous and share one pool of keep-alive connections to Rasa
(:func:`rasa_client`), so a process holds no thread per waiting user and opens no new connection
per message.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx

from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.assistant.offer import person_offer
from vraagbaak.i18n.detect import detect_language
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.relay")


#: Seconds to open a connection to Rasa; Rasa on the same machine or network answers at once, so
#: a long wait means it is down.
CONNECT_TIMEOUT_S = 5.0


def rasa_client(settings: Settings) -> httpx.AsyncClient:
    """One pool of keep-alive connections to Rasa for the whole process."""
    limits = httpx.Limits(max_connections=settings.rasa_connections,
                          max_keepalive_connections=settings.rasa_connections, keepalive_expiry=30)
    timeout = httpx.Timeout(settings.rasa_timeout, connect=min(CONNECT_TIMEOUT_S, settings.rasa_timeout))
    return httpx.AsyncClient(base_url=settings.rasa_url.rstrip("/"), limits=limits, timeout=timeout,
                             headers={"Content-Type": "application/json"})


@dataclass
class Gateway:
    """Relays one user message to Rasa and returns the bot's messages (never an empty list).
    Close it (:meth:`aclose`) when the process stops."""

    settings: Settings
    municipalities: dict[str, Municipality]
    client: httpx.AsyncClient = field(default=None)  # type: ignore[assignment]
    #: Which channel this is (``web`` or ``telegram``), in every message's metadata: a ticket at
    #: the volunteers' desk must know how its answers reach the user.
    channel: str = "web"

    def __post_init__(self) -> None:
        if self.client is None:
            self.client = rasa_client(self.settings)

    async def aclose(self) -> None:
        await self.client.aclose()

    def unavailable(self, lang: str, municipality: str | None) -> list[dict[str, Any]]:
        t = translator(self.settings.translations_dir, lang)
        place = self.municipalities.get(municipality or "")
        return [{"text": f"{t(texts.UNAVAILABLE)}\n\n{person_offer(t, place)}",
                 "custom": {"vraagbaak": "unavailable", "lang": lang, "municipality": municipality,
                            "phone": place.phone if place else None}}]

    async def relay(self, sender: str, message: str, lang: str | None, municipality: str | None,
                    is_payload: bool = False) -> list[dict[str, Any]]:
        """``lang`` and ``municipality`` are what the channel knows (the page's language, the
        chat's last language); the actions use them as hints when the message and the
        conversation say nothing (a button press, a first message).

        ``is_payload``: the message is a button's payload. Only payloads the assistant offers go
        to Rasa as commands; typed text, and any other "payload", is sent as words."""
        hint = lang if lang in LANGUAGES else None
        if not (is_payload and payloads.is_allowed(message, self.municipalities)):
            if is_payload:
                log.info("payload refused; sent as text")
            message = payloads.as_typed_text(message)
        payload = json.dumps({"sender": sender, "message": message,
                              "metadata": {"lang": hint, "municipality": municipality,
                                           "channel": self.channel}}).encode()
        try:
            # One bound for the whole exchange: httpx's timeouts count per read, and a Rasa that
            # sends a byte now and then must not hold the user longer than the setting says.
            with anyio.fail_after(self.settings.rasa_timeout):
                response = await self.client.post("/webhooks/rest/webhook", content=payload)
            response.raise_for_status()
            messages = response.json()
        except (httpx.HTTPError, TimeoutError, json.JSONDecodeError, OSError) as exc:
            log.warning("rasa unreachable", extra={"error": type(exc).__name__})
            return self.unavailable(apology_language(message, hint), municipality)
        if not isinstance(messages, list) or not messages:
            # Rasa answers with nothing when an action fails (e.g. the action server is down).
            log.warning("rasa returned no messages")
            return self.unavailable(apology_language(message, hint), municipality)
        return merge_custom(messages)


def apology_language(message: str, hint: str | None) -> str:
    """The language to apologise in: the channel's, else the message's (a button payload has
    none of its own). Worked out only when needed: detection costs time on every answer."""
    return hint or (FALLBACK_LANGUAGE if message.startswith("/") else detect_language(message).lang)


def merge_custom(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rasa sends an action's metadata as a separate ``custom`` message right after its text;
    join the two so that each answer carries its own metadata."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if set(message) <= {"recipient_id", "custom"} and merged and "custom" not in merged[-1]:
            merged[-1] = {**merged[-1], "custom": message.get("custom")}
        else:
            merged.append(dict(message))
    return merged
