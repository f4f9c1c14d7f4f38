"""What a channel's flood limits must let through: a message that may be an emergency.

A limit answers "you are sending many messages" without asking Rasa; for someone in danger who
writes fast, that must never be the answer. The channels (the web gateway, the Telegram bridge)
read the safety layer's danger patterns (``knowledge/safety/<lang>.yaml``, every language) and
let a matching message through to Rasa, whose safety layer then answers it fully. Calm patterns
are not read: in doubt, one more message reaches Rasa. The meaning (embedding) check needs the
index, which only the action server holds, so a channel sees the words only; every refusal
therefore also names 112 (:data:`vraagbaak.assistant.texts.IN_DANGER_CALL_112`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from vraagbaak.assistant import texts
from vraagbaak.safety.check import SafetyCheck
from vraagbaak.safety.data import load_safety

#: How much of a message the patterns read (the first words say it; a pasted letter is not read).
MAX_CHARS = 2_000


class EmergencyGate:
    def __init__(self, knowledge_dir: Path) -> None:
        data = load_safety(knowledge_dir)
        self._check = SafetyCheck(data.danger, data.calm)

    def may_be_danger(self, text: str | None) -> bool:
        if not text:
            return False
        hit, _calm = self._check.words(text[:MAX_CHARS])
        return hit is not None


def refusal(t: Callable[[str], str], text: str) -> str:
    """A limit's refusal in the user's language (``t``), always with 112 under it."""
    return f"{t(text)}\n\n{t(texts.IN_DANGER_CALL_112)}"
