"""End to end: the real Rasa server and the real action server, over the REST channel through
the web gateway, as a browser or the Telegram bridge would talk to them."""

from __future__ import annotations

import json
import sqlite3
import urllib.error
import urllib.request
import uuid

import pytest

from e2e_helpers import Conversation, in_script, texts
from vraagbaak.runtime.supervisor import Services, start_action_server, wait_until_ready

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


QUESTIONS = {
    "nl": ("Hallo", "Hoe vraag ik zorgtoeslag aan?", "zorgverzekering/zorgtoeslag"),
    "en": ("Hello", "How do I register with a GP?", "zorgverzekering/huisarts"),
    "ar": ("مرحبا", "كيف أكتب سيرة ذاتية للعمل؟", "werk/cv"),
    "ti": ("ሰላም", "zorgtoeslag ብኸመይ ይሕተት?", "zorgverzekering/zorgtoeslag"),
}


@pytest.mark.parametrize("lang", list(QUESTIONS))
def test_full_conversation_in_each_language(stack: Services, lang: str) -> None:
    greeting, question, article = QUESTIONS[lang]
    talk = Conversation(stack.settings.web_port)
    welcome = talk.say(greeting)
    payloads = [b["payload"] for m in welcome for b in m.get("buttons") or []]
    assert '/choose_municipality{"municipality":"den-haag"}' in payloads
    assert '/choose_language{"language":"ar"}' in payloads
    if lang in ("ar", "ti"):
        assert in_script(texts(welcome), lang), welcome
    talk.press('/choose_municipality{"municipality":"haarlem"}')
    answer = talk.answer(question)
    assert answer["vraagbaak"] == "answer" and answer["article_id"] == article
    assert answer["lang"] == lang and answer["source"].startswith("https://")
    thanks = talk.press("/feedback_helpful")
    assert (thanks[0].get("custom") or {}).get("vraagbaak") == "feedback"


def test_switching_language_mid_conversation(stack: Services) -> None:
    talk = Conversation(stack.settings.web_port)
    assert talk.answer("Hoe vraag ik zorgtoeslag aan?")["lang"] == "nl"
    assert talk.answer("كيف أطلب بدل الرعاية الصحية zorgtoeslag؟")["lang"] == "ar"
    chosen = talk.press('/choose_language{"language":"ti"}')
    assert in_script(texts(chosen), "ti")
    assert talk.answer("How do I apply for zorgtoeslag?")["lang"] == "ti"  # the choice sticks


def test_choosing_a_municipality_changes_a_municipal_answer(stack: Services) -> None:
    talk = Conversation(stack.settings.web_port)
    general = talk.answer("Hoe kan ik grofvuil laten ophalen?")
    assert general["article_id"] == "huisvuil/grofvuil" and general["municipality"] is None
    talk.press('/choose_municipality{"municipality":"enschede"}')
    local = talk.answer("Hoe kan ik grofvuil laten ophalen?")
    assert local["article_id"] == "huisvuil/grofvuil" and local["municipality"] == "enschede"


def test_the_pages_municipality_and_language_apply_from_the_first_message(stack: Services) -> None:
    talk = Conversation(stack.settings.web_port, municipality="enschede", lang="ar")
    local = talk.answer("Hoe kan ik grofvuil laten ophalen?")
    assert local["article_id"] == "huisvuil/grofvuil" and local["municipality"] == "enschede"
    assert local["lang"] == "nl"  # a Dutch question is answered in Dutch, whatever the page says
    pressed = talk.press("/request_human")  # a button has no language: the conversation's is used
    assert "14 053" in texts(pressed) and not in_script(texts(pressed), "ar")
    fresh = Conversation(stack.settings.web_port, municipality="enschede", lang="ar").press("/request_human")
    assert in_script(texts(fresh), "ar") and "14 053" in texts(fresh)


@pytest.mark.parametrize("message", ["Wie wint de Champions League dit jaar?", "xyzzy qwerty plugh",
                                     "What is the best pizza in Rome?", "😀😀😀"])
def test_out_of_scope_and_nonsense_get_the_i_dont_know_path(stack: Services, message: str) -> None:
    replies = Conversation(stack.settings.web_port, municipality="den-haag").say(message)
    kinds = {(m.get("custom") or {}).get("vraagbaak") for m in replies}
    assert kinds & {"no_answer", "out_of_scope"}, replies
    assert "answer" not in kinds


@pytest.mark.parametrize("message", ["Help, mijn buurman is bewusteloos!", "Someone is having a heart attack",
                                     "ساعدوني، يوجد حريق في البيت"])
def test_emergency_gets_112(stack: Services, message: str) -> None:
    replies = Conversation(stack.settings.web_port).say(message)
    assert "112" in texts(replies)
    assert any((m.get("custom") or {}).get("vraagbaak") == "emergency" for m in replies)


def test_feedback_and_handoff_are_stored(stack: Services) -> None:
    talk = Conversation(stack.settings.web_port)
    talk.answer("How do I write a Dutch CV?")
    talk.press("/feedback_not_helpful")
    handoff = talk.press("/request_human")
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
        replies = Conversation(stack.settings.web_port, municipality="den-haag").say("هل طبيب الأسنان مجاني؟")
        (message,) = replies
        assert message["custom"]["vraagbaak"] == "unavailable"
        assert "14 070" in message["text"] and in_script(message["text"], "ar")
    finally:
        log_dir = stack.settings.var_dir / "logs"
        stack.processes["action server"] = start_action_server(stack.settings, log_dir)
        wait_until_ready(f"http://{stack.settings.host}:{stack.settings.action_port}/health",
                         stack.processes["action server"], "action server")
