"""The sender id Rasa sees for a Telegram chat: a keyed hash, so Rasa never stores Telegram ids.

Without the key nobody can go from a tracker in Rasa's store back to a Telegram chat, or test a
guessed chat id against it (chat ids are small numbers: a plain hash would be reversible by
trying them all). The key is generated once into ``var/`` unless an operator sets it; changing it
detaches every chat from its earlier conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from vraagbaak.settings import Settings

#: Sender ids of this channel start with this, so a tracker's channel is visible in Rasa's store.
SENDER_PREFIX = "tg-"
KEY_FILE = "telegram-sender-key"
_MASK_64 = (1 << 64) - 1


def sender_id(chat_id: int, key: bytes) -> str:
    """HMAC-SHA256 of the chat id, 128 bits in hex: stable per chat, unlinkable without the key."""
    digest = hmac.new(key, f"telegram-chat:{chat_id}".encode(), hashlib.sha256).hexdigest()
    return SENDER_PREFIX + digest[:32]


def _pad(sender: str, key: bytes) -> int:
    return int.from_bytes(hmac.new(key, f"reply-to:{sender}".encode(), hashlib.sha256).digest()[:8], "big")


def seal_chat(chat_id: int, sender: str, key: bytes) -> str:
    """The chat id for the desk's database (a ticket's ``reply_to``), so that a volunteer's answer
    reaches the chat after the bridge restarted: encrypted with a pad that only the key and the
    sender id give (one chat per sender, so a pad is never used for two different ids)."""
    return format((chat_id & _MASK_64) ^ _pad(sender, key), "016x")


def open_chat(sealed: str, sender: str, key: bytes) -> int | None:
    """The chat id :func:`seal_chat` sealed, or None when it was not sealed for this sender with
    this key (the key changed, the value was altered): checked against the sender id itself."""
    try:
        value = int(sealed, 16) ^ _pad(sender, key)
    except ValueError:
        return None
    chat_id = value - (1 << 64) if value >= 1 << 63 else value
    return chat_id if hmac.compare_digest(sender_id(chat_id, key), sender) else None


def sender_key(settings: Settings) -> bytes:
    """The configured key, else one generated once and kept in var/ readable by its owner only."""
    if settings.telegram_sender_key:
        return settings.telegram_sender_key.encode()
    path: Path = settings.var_dir / KEY_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written whole with mode 0600 under a private name, then linked into place: no other
        # user can ever read it, and a process starting at the same moment sees all or nothing.
        draft = path.with_name(f".{KEY_FILE}.{os.getpid()}")
        with open(draft, "w", opener=lambda name, flags: os.open(name, flags, 0o600)) as handle:
            handle.write(secrets.token_urlsafe(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: use its key
        finally:
            draft.unlink()
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"{path} is empty: delete it to generate a new key, or set VRAAGBAAK_TELEGRAM_SENDER_KEY")
    return key.encode()
