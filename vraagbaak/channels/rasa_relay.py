"""The relay between a channel (web page, widget, Telegram) and Rasa's REST channel.

Every channel sends a user's message through :class:`Gateway`, so every channel gets the same
behaviour: the language and municipality passed on as metadata, each answer joined with its
machine-readable metadata, and, when Rasa or the action server cannot answer, a polite message in
the user's language with their municipality's phone number instead of silence.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.i18n.detect import detect_language
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.relay")


@dataclass
class Gateway:
    """Relays one user message to Rasa and returns the bot's messages (never an empty list)."""

    settings: Settings
    municipalities: dict[str, Municipality]

    def unavailable(self, lang: str, municipality: str | None) -> list[dict[str, Any]]:
        t = translator(self.settings.translations_dir, lang)
        place = self.municipalities.get(municipality or "")
        if place:
            offer = t(texts.HUMAN_WITH_PHONE, municipality=place.name, phone=place.phone, website=place.website)
        else:
            offer = t(texts.HUMAN_GENERAL)
        return [{"text": f"{t(texts.UNAVAILABLE)}\n\n{offer}",
                 "custom": {"vraagbaak": "unavailable", "lang": lang, "municipality": municipality,
                            "phone": place.phone if place else None}}]

    def relay(self, sender: str, message: str, lang: str | None, municipality: str | None,
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
                              "metadata": {"lang": hint, "municipality": municipality}}).encode()
        # For the apology only: a button payload has no language of its own.
        lang = hint or (FALLBACK_LANGUAGE if message.startswith("/") else detect_language(message).lang)
        request = urllib.request.Request(f"{self.settings.rasa_url}/webhooks/rest/webhook", data=payload,
                                         headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.settings.rasa_timeout) as response:
                messages = json.loads(response.read().decode("utf-8"))
        except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError, OSError) as exc:
            log.warning("rasa unreachable: %s", type(exc).__name__)
            return self.unavailable(lang, municipality)
        if not isinstance(messages, list) or not messages:
            # Rasa answers with nothing when an action fails (e.g. the action server is down).
            log.warning("rasa returned no messages")
            return self.unavailable(lang, municipality)
        return merge_custom(messages)


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
