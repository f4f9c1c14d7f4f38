"""No personal data in the logs: whole conversations with a BSN, a phone number, an e-mail address
and a question nobody else asks go through the real stack (web gateway, Rasa, action server);
then every log file is read (README, "Running": no line holds a user's message text together with
anything that identifies the user; the feedback and requests for a person are kept without who
asked).

The action server and the Rasa server write to ``<var>/logs/`` (vraagbaak/runtime/supervisor.py).
The web gateway runs inside the test process and has no file of its own (under ``vraagbaak run``
its lines go to the terminal), so its records are captured here from its real loggers, at DEBUG,
with the same JSON formatter the servers use.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest

from e2e_helpers import Conversation, texts as reply_texts
from vraagbaak.assistant import payloads
from vraagbaak.logs import JsonFormatter
from vraagbaak.runtime.supervisor import Services

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

BSN = "123456782"  # passes the BSN eleven-test, like a real one
PHONE = "06-12345678"
EMAIL = "amira.voorbeeld@example.nl"
MARKER = "kwikstaartvijver"  # a word that is in no article, no log message and no library
#: The personal data as it may turn up in a line after normalising or formatting.
SECRETS = [BSN, PHONE, PHONE.replace("-", ""), "+31612345678", "12345678", EMAIL, EMAIL.split("@")[0], MARKER]
#: The files the supervisor writes for the stack (the Telegram bridge is not started here).
SERVER_LOGS = ("action-server.log", "rasa-server.log")


@pytest.fixture()
def web_log_lines() -> Iterator[list[str]]:
    """The web gateway's log records while the test runs, formatted as the servers format them:
    every ``vraagbaak.*`` logger of this process, at DEBUG (its HTTP line included)."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Keep(logging.DEBUG)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("vraagbaak")
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield lines
    logger.removeHandler(handler)
    logger.setLevel(level)


def log_files(stack: Services) -> dict[str, list[str]]:
    """Every file under the stack's log directory, as lines."""
    log_dir = stack.settings.var_dir / "logs"
    files = sorted(p for p in log_dir.rglob("*") if p.is_file())
    return {str(p.relative_to(log_dir)): p.read_text("utf-8", errors="replace").splitlines() for p in files}


def responded(lines: list[str]) -> list[dict[str, Any]]:
    """The action server's structured line for each turn it answered."""
    entries = []
    for line in lines:
        if '"event": "responded"' in line:
            entries.append(json.loads(line[line.index("{"):]))
    return entries


def words(text: str) -> set[str]:
    """The words of a question that could betray it in a line (not short function words)."""
    return {w for w in re.findall(r"\w+", text.lower()) if len(w) >= 5}


def test_conversations_with_personal_data_leave_none_in_the_logs(stack: Services,
                                                                 web_log_lines: list[str]) -> None:
    before = responded(log_files(stack).get("action-server.log", []))

    first = Conversation(stack.settings.web_port, municipality="den-haag")
    question_1 = f"Mijn BSN is {BSN} en mijn telefoonnummer is {PHONE}. Hoe vraag ik zorgtoeslag aan?"
    question_2 = f"Mijn e-mailadres is {EMAIL}. Waar laat ik mijn {MARKER} keuren?"
    second = Conversation(stack.settings.web_port, lang="en")
    question_3 = (f"I want to talk to a real person about my {MARKER}. "
                  f"Call me on {PHONE} or write to {EMAIL}, my BSN is {BSN}.")
    turns = [
        (first, question_1, None),
        (first, payloads.HELPFUL, "feedback_helpful"),
        (first, question_2, None),
        (first, payloads.NOT_HELPFUL, "feedback_not_helpful"),
        (first, payloads.HUMAN, "request_human"),
        (second, question_3, None),
    ]
    for conversation, said, kind in turns:
        replies = conversation.press(said) if kind else conversation.say(said)
        assert replies and reply_texts(replies), f"no reply to {said!r}"
        assert not any((m.get("custom") or {}).get("vraagbaak") == "unavailable" for m in replies), \
            f"the assistant did not answer {said!r}: {replies}"
    questions = [question_1, question_2, question_3]
    senders = [first.sender, second.sender]

    files = log_files(stack)
    # The logs were really written, and for these conversations: each server's file is there and
    # not empty, and the action server wrote one "responded" line per turn, the presses' kinds
    # in their order.
    for name in SERVER_LOGS:
        assert files.get(name), f"{name} is missing or empty under {stack.settings.var_dir / 'logs'}: {sorted(files)}"
    new = responded(files["action-server.log"])[len(before):]
    assert len(new) == len(turns), new
    assert [e["kind"] for e, (_, _, kind) in zip(new, turns) if kind] == \
        ["feedback_helpful", "feedback_not_helpful", "request_human"], new
    assert all(e.get("lang") and "confidence" in e for e in new), new
    http_lines = [line for line in web_log_lines
                  if '"method": "POST"' in line and '"path": "/api/messages"' in line and '"status": 200' in line]
    assert len(http_lines) == len(turns), web_log_lines
    files["web gateway (in-process records)"] = web_log_lines

    for name, lines in files.items():
        for number, line in enumerate(lines, 1):
            low = line.lower()
            for secret in SECRETS:
                assert secret.lower() not in low, f"{name}:{number} holds personal data ({secret!r}): {line}"
            for sender in senders:
                if sender in line:
                    for question in questions:
                        leaked = words(question) & set(re.findall(r"\w+", low))
                        assert question.lower() not in low and not leaked, \
                            f"{name}:{number} joins the sender id with the question's words {leaked}: {line}"

