"""Live reload in the running action server: the real rasa-sdk process, asked over its webhook as
the Rasa server asks it, serves an edited, added or deleted article within 5 seconds, and keeps
serving the last good index when a volunteer's edit is broken (`kb check` says what is wrong)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

import pytest

from e2e_helpers import free_port
from search_helpers import knowledge_subset, settings_for
from vraagbaak.runtime.supervisor import Services, start_action_server, wait_until_ready
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
DEADLINE_S = 5.0


def within(seconds: float, condition: Callable[[], bool]) -> None:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not seen within {seconds} s")


class ActionServer:
    """The running action server, called the way the Rasa server calls it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = f"http://{settings.host}:{settings.action_port}/webhook"

    def answer(self, question: str, municipality: str | None = None) -> dict[str, Any]:
        """The metadata of action_respond's reply to ``question`` (as Rasa calls the action server)."""
        call = {
            "next_action": "action_respond",
            "sender_id": "live-reload-test",
            "version": "3.6.21",
            "domain": {},
            "tracker": {
                "sender_id": "live-reload-test",
                "slots": {"municipality": municipality, "language": None, "detected_language": None},
                "latest_message": {"text": question, "intent": {"name": "question", "confidence": 1.0},
                                   "entities": []},
                "events": [],
                "paused": False,
                "followup_action": None,
                "active_loop": {},
                "latest_action_name": "action_listen",
            },
        }
        request = urllib.request.Request(self.url, data=json.dumps(call).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=120) as response:
            result = json.loads(response.read())
        customs = [r.get("custom") for r in result["responses"] if r.get("custom")]
        assert customs, result
        return {**customs[0], "text": result["responses"][0].get("text") or ""}


@pytest.fixture()
def server(tmp_path: Path, real_settings: Settings, real_engine) -> ActionServer:
    knowledge = knowledge_subset(tmp_path, ["werk/cv", "zorgverzekering/tandarts", "huisvuil/grofvuil"])
    settings = replace(settings_for(tmp_path, knowledge, seed_from=real_settings), action_port=free_port())
    log_dir = tmp_path / "logs"
    log_dir.mkdir()
    services = Services(settings, {"action server": start_action_server(settings, log_dir)})
    try:
        wait_until_ready(f"http://{settings.host}:{settings.action_port}/health",
                         services.processes["action server"], "action server", timeout=120)
        server = ActionServer(settings)
        server.answer("Hoe schrijf ik een cv?")  # loads the model and the index: the watch starts
        yield server
    finally:
        services.stop()


def kb_check(settings: Settings) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VRAAGBAAK_KNOWLEDGE_DIR": str(settings.knowledge_dir), "VRAAGBAAK_MESSAGE_LANG": "en"}
    return subprocess.run([sys.executable, "-m", "vraagbaak.cli", "kb", "check"], env=env, capture_output=True,
                          text=True, timeout=120)


def test_an_edit_is_answered_within_five_seconds(server: ActionServer) -> None:
    path = server.settings.knowledge_dir / "nl" / "werk" / "cv.md"
    assert "spreekuur op dinsdag" not in server.answer("Hoe schrijf ik een cv?")["text"]
    path.write_text(path.read_text(encoding="utf-8").rstrip() + "\n\nHet cv-spreekuur is op dinsdag.\n",
                    encoding="utf-8")
    within(DEADLINE_S, lambda: "cv-spreekuur is op dinsdag" in server.answer("Hoe schrijf ik een cv?")["text"])


def test_an_added_then_deleted_municipal_variant(server: ActionServer) -> None:
    general = server.settings.knowledge_dir / "nl" / "werk" / "cv.md"
    local = general.with_name("cv.haarlem.md")
    text = general.read_text(encoding="utf-8").replace("lang: nl", "lang: nl\nmunicipality: haarlem", 1)
    local.write_text(text.rstrip() + "\n\nIn Haarlem helpt het Werkplein je met je cv.\n", encoding="utf-8")
    within(DEADLINE_S, lambda: server.answer("Hoe schrijf ik een cv?", "haarlem")["municipality"] == "haarlem")
    local.unlink()
    within(DEADLINE_S, lambda: server.answer("Hoe schrijf ik een cv?", "haarlem")["municipality"] is None)


def test_a_broken_edit_keeps_serving_and_is_reported(server: ActionServer) -> None:
    path = server.settings.knowledge_dir / "nl" / "werk" / "cv.md"
    path.write_text(path.read_text(encoding="utf-8").replace("lang: nl", "lang: nederlands"), encoding="utf-8")
    log = server.settings.var_dir.parent / "logs" / "action-server.log"
    within(DEADLINE_S, lambda: "still serving the last good index" in log.read_text(encoding="utf-8"))
    kept = server.answer("Hoe schrijf ik een cv?")
    assert kept["vraagbaak"] == "answer" and kept["article_id"] == "werk/cv"
    check = kb_check(server.settings)
    assert check.returncode == 1
    assert "cv.md" in check.stdout and "nederlands" in check.stdout, check.stdout
