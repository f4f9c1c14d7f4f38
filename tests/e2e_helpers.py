"""Helpers for tests that talk to running servers: free ports and a user talking through the
web gateway (the same ``POST /api/messages`` the widget uses)."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
import uuid
from typing import Any

#: Unicode blocks of the scripts that are not Latin, to check that a reply is really localized.
SCRIPT_RANGES = {"ar": ("\u0600", "\u06ff"), "ti": ("\u1200", "\u137f")}


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def in_script(text: str, lang: str) -> bool:
    """True when ``text`` has at least one character of ``lang``'s script (ar, ti)."""
    low, high = SCRIPT_RANGES[lang]
    return any(low <= ch <= high for ch in text)


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


class Conversation:
    """One user talking to the assistant through the web gateway."""

    def __init__(self, web_port: int, municipality: str | None = None, lang: str | None = None) -> None:
        self.url = f"http://127.0.0.1:{web_port}/api/messages"
        self.sender = f"e2e-{uuid.uuid4().hex}"
        self.municipality = municipality
        self.lang = lang  # what a page with data-lang would send

    def say(self, message: str) -> list[dict[str, Any]]:
        """Typed text (never a command, also when it starts with "/")."""
        return self._post({"message": message})

    def press(self, payload: str) -> list[dict[str, Any]]:
        """A button press: its payload, sent apart from typed text as the widget does."""
        return self._post({"payload": payload})

    def _post(self, fields: dict[str, str]) -> list[dict[str, Any]]:
        body = json.dumps({"sender": self.sender, **fields, "municipality": self.municipality,
                           "lang": self.lang}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def answer(self, message: str) -> dict[str, Any]:
        """The custom metadata of the reply that answers (or refuses) a question."""
        replies = self.say(message)
        customs = [m.get("custom") or {} for m in replies]
        found = [c for c in customs if c.get("vraagbaak") in ("answer", "no_answer", "out_of_scope")]
        assert found, f"no answer metadata in {replies}"
        return found[0]


def read_until(process: subprocess.Popen, prefix: str, timeout: float) -> list[str]:
    """The lines a process prints (text mode, stdout piped) up to the first starting with
    ``prefix``, or all of them when it ends or the time is up."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            break
        lines.append(line)
        if line.startswith(prefix):
            break
    return lines
