"""End to end: the real Rasa server and the real action server, over the REST channel through
the web gateway, as a browser or the Telegram bridge would talk to them."""

from __future__ import annotations

import json
import shutil
import socket
import sqlite3
import urllib.error
import urllib.request
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from vraagbaak.runtime import rasa
from vraagbaak.runtime.supervisor import Services, start_action_server, start_all, wait_until_ready
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def stack(real_settings: Settings, real_engine) -> Services:
    """Trains the bot if it changed (into var/ of the checkout, as `make run` does), then runs
    both servers on free ports over the session's index."""
    if not rasa.rasa_executable().is_file():
        pytest.fail("Rasa is not installed: run `make install` (scripts/install-rasa.sh)")
    rasa.train_if_changed(Settings())
    target = rasa.models_dir(real_settings)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(rasa.model_path(Settings()), rasa.model_path(real_settings))
    shutil.copy(rasa.models_dir(Settings()) / f"{rasa.MODEL_NAME}.sha256", target)
    settings = replace(real_settings, web_port=_free_port(), action_port=_free_port(),
                       rasa_url=f"http://127.0.0.1:{_free_port()}", rasa_token="e2e-test-token")
    services = start_all(settings)
    yield services
    services.stop()


class Conversation:
    """One user talking to the assistant through the web gateway."""

    def __init__(self, services: Services, municipality: str | None = None) -> None:
        self.url = f"http://127.0.0.1:{services.settings.web_port}/api/messages"
        self.sender = f"e2e-{uuid.uuid4().hex}"
        self.municipality = municipality

    def say(self, message: str) -> list[dict]:
        body = json.dumps({"sender": self.sender, "message": message, "municipality": self.municipality}).encode()
        request = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def answer(self, message: str) -> dict:
        """The custom metadata of the reply that answers (or refuses) a question."""
        replies = self.say(message)
        customs = [m.get("custom") or {} for m in replies]
        found = [c for c in customs if c.get("vraagbaak") in ("answer", "no_answer", "out_of_scope")]
        assert found, f"no answer metadata in {replies}"
        return found[0]


def texts(replies: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in replies)


QUESTIONS = {
    "nl": ("Hallo", "Hoe vraag ik zorgtoeslag aan?", "zorgverzekering/zorgtoeslag"),
    "en": ("Hello", "How do I register with a GP?", "zorgverzekering/huisarts"),
    "ar": ("مرحبا", "كيف أكتب سيرة ذاتية للعمل؟", "werk/cv"),
    "ti": ("ሰላም", "zorgtoeslag ብኸመይ ይሕተት?", "zorgverzekering/zorgtoeslag"),
}
SCRIPT = {"ar": ("\u0600", "\u06ff"), "ti": ("\u1200", "\u137f")}


@pytest.mark.parametrize("lang", list(QUESTIONS))
def test_full_conversation_in_each_language(stack: Services, lang: str) -> None:
    greeting, question, article = QUESTIONS[lang]
    talk = Conversation(stack)
    welcome = talk.say(greeting)
    payloads = [b["payload"] for m in welcome for b in m.get("buttons") or []]
    assert '/choose_municipality{"municipality":"den-haag"}' in payloads
    assert '/choose_language{"language":"ar"}' in payloads
    if lang in SCRIPT:
        low, high = SCRIPT[lang]
        assert any(low <= ch <= high for ch in texts(welcome)), welcome
    talk.say('/choose_municipality{"municipality":"haarlem"}')
    answer = talk.answer(question)
    assert answer["vraagbaak"] == "answer" and answer["article_id"] == article
    assert answer["lang"] == lang and answer["source"].startswith("https://")
    thanks = talk.say("/feedback_helpful")
    assert (thanks[0].get("custom") or {}).get("vraagbaak") == "feedback"


def test_switching_language_mid_conversation(stack: Services) -> None:
    talk = Conversation(stack)
    assert talk.answer("Hoe vraag ik zorgtoeslag aan?")["lang"] == "nl"
    assert talk.answer("كيف أطلب بدل الرعاية الصحية zorgtoeslag؟")["lang"] == "ar"
    chosen = talk.say('/choose_language{"language":"ti"}')
    assert any("\u1200" <= ch <= "\u137f" for ch in texts(chosen))
    assert talk.answer("How do I apply for zorgtoeslag?")["lang"] == "ti"  # the choice sticks


def test_choosing_a_municipality_changes_a_municipal_answer(stack: Services) -> None:
    talk = Conversation(stack)
    general = talk.answer("Hoe kan ik grofvuil laten ophalen?")
    assert general["article_id"] == "huisvuil/grofvuil" and general["municipality"] is None
    talk.say('/choose_municipality{"municipality":"enschede"}')
    local = talk.answer("Hoe kan ik grofvuil laten ophalen?")
    assert local["article_id"] == "huisvuil/grofvuil" and local["municipality"] == "enschede"


@pytest.mark.parametrize("message", ["Wie wint de Champions League dit jaar?", "xyzzy qwerty plugh",
                                     "What is the best pizza in Rome?", "😀😀😀"])
def test_out_of_scope_and_nonsense_get_the_i_dont_know_path(stack: Services, message: str) -> None:
    replies = Conversation(stack, municipality="den-haag").say(message)
    kinds = {(m.get("custom") or {}).get("vraagbaak") for m in replies}
    assert kinds & {"no_answer", "out_of_scope"}, replies
    assert "answer" not in kinds


@pytest.mark.parametrize("message", ["Help, mijn buurman is bewusteloos!", "Someone is having a heart attack",
                                     "ساعدوني، يوجد حريق في البيت"])
def test_emergency_gets_112(stack: Services, message: str) -> None:
    replies = Conversation(stack).say(message)
    assert "112" in texts(replies)
    assert any((m.get("custom") or {}).get("vraagbaak") == "emergency" for m in replies)


def test_feedback_and_handoff_are_stored(stack: Services) -> None:
    talk = Conversation(stack)
    talk.answer("How do I write a Dutch CV?")
    talk.say("/feedback_not_helpful")
    handoff = talk.say("/request_human")
    assert any((m.get("custom") or {}).get("vraagbaak") == "handoff" for m in handoff)
    with sqlite3.connect(stack.settings.database_path) as db:
        feedback = db.execute("SELECT article_id, helpful, question FROM feedback ORDER BY id DESC LIMIT 1").fetchone()
        handoffs = db.execute("SELECT question FROM handoff ORDER BY id DESC LIMIT 1").fetchone()
    assert feedback == ("werk/cv", 0, "How do I write a Dutch CV?")
    assert handoffs == ("How do I write a Dutch CV?",)


def test_rest_channel_returns_answer_metadata_directly(stack: Services) -> None:
    body = json.dumps({"sender": f"direct-{uuid.uuid4().hex}", "message": "Wat is het eigen risico?"}).encode()
    request = urllib.request.Request(f"{stack.settings.rasa_url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        messages = json.loads(response.read())
    customs = [m["custom"] for m in messages if "custom" in m]
    assert customs and customs[0]["article_id"] == "zorgverzekering/eigen-risico"


def test_the_api_needs_the_token(stack: Services) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{stack.settings.rasa_url}/status", timeout=10)
    assert refused.value.code in (401, 403)


def test_action_server_down_gives_a_polite_localized_message(stack: Services) -> None:
    process = stack.processes["action server"]
    process.terminate()
    process.wait(30)
    try:
        replies = Conversation(stack, municipality="den-haag").say("هل طبيب الأسنان مجاني؟")
        (message,) = replies
        assert message["custom"]["vraagbaak"] == "unavailable"
        assert "14 070" in message["text"] and any("\u0600" <= ch <= "\u06ff" for ch in message["text"])
    finally:
        log_dir = stack.settings.var_dir / "logs"
        stack.processes["action server"] = start_action_server(stack.settings, log_dir)
        wait_until_ready(f"http://{stack.settings.host}:{stack.settings.action_port}/health",
                         stack.processes["action server"], "action server")
