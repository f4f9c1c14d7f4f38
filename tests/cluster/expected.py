"""What every message of every conversation must get back, decided before any is sent.

The conversations use real questions: the articles' example questions in knowledge/ and the
out-of-scope questions of knowledge/out-of-scope.yaml, in the four languages. The expected
replies come from the same code the action servers run (``Assistant.respond`` over the same
index, in this process), fed with what the cluster's own NLU makes of each message (Rasa's
``/model/parse``) and with the conversation's state as the action keeps it in slots. So a
reply from the wrong conversation's state, a lost or doubled reply, or a reply cut short shows
as a difference, whichever replica answered.
"""

from __future__ import annotations

import json
import random
import urllib.request
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vraagbaak.assistant import payloads
from vraagbaak.assistant.replies import Assistant, Context, Reply, Turn, language_of_message
from vraagbaak.i18n.normalize import strip_controls
from vraagbaak.knowledge.loader import load_knowledge, load_municipalities
from vraagbaak.languages import LANGUAGES
from vraagbaak.safety.data import load_services
from vraagbaak.search.calibration import load_out_of_scope
from vraagbaak.search.engine import SearchEngine
from vraagbaak.settings import Settings

GREETINGS = {"nl": "Hallo", "en": "Hello", "ar": "مرحبا", "ti": "ሰላም"}
#: One reply as compared: its text, its kind (custom.vraagbaak) and its article.
Expected = tuple[str | None, str | None, str | None]


def reply_key(message: dict[str, Any]) -> Expected:
    """A reply as the gateway returns it (text with its custom joined) or as the tracker holds
    it (a bot event's data: text, and custom under data.custom)."""
    custom = message.get("custom") or (message.get("data") or {}).get("custom") or {}
    return message.get("text"), custom.get("vraagbaak"), custom.get("article_id")


def _expected(replies: Iterable[Reply]) -> list[Expected]:
    return [(r.text, (r.custom or {}).get("vraagbaak"), (r.custom or {}).get("article_id")) for r in replies]


@dataclass(frozen=True)
class Step:
    """One message: typed text (``message``) or a button's payload (``payload``)."""

    field: str  # "message" or "payload"
    text: str
    role: str  # greeting, language, question, out_of_scope, feedback


@dataclass
class Plan:
    """One conversation: who, in which language and municipality, what it says, and what it
    must get back for each step."""

    sender: str
    lang: str
    municipality: str | None
    steps: list[Step]
    expected: list[list[Expected]] = field(default_factory=list)
    #: Each step's text as Rasa's tracker holds it (a typed "/..." loses its slashes).
    tracked: list[str] = field(default_factory=list)
    #: Each step's text as the action reads it, normalised by the NLU pipeline (what is recorded).
    seen: list[str] = field(default_factory=list)


class NoRecords:
    """The in-process assistant records nothing: only the cluster's own records are checked."""

    def feedback(self, *args: Any, **kwargs: Any) -> None:
        pass

    def handoff(self, *args: Any, **kwargs: Any) -> None:
        pass

    def unanswered(self, *args: Any, **kwargs: Any) -> None:
        pass


class CachedQueries:
    """The engine's embedder, remembering each question's vector: the same question is searched
    in several conversations, and all of them are embedded at once beforehand (:meth:`warm`)."""

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder
        self.name = embedder.name
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def warm(self, texts: Iterable[str], max_chars: int) -> None:
        """As the engine cleans a question before embedding it (SearchEngine.search)."""
        cleaned = sorted({" ".join(strip_controls(t).split())[:max_chars] for t in texts} - set(self._vectors))
        for start in range(0, len(cleaned), 64):
            batch = cleaned[start:start + 64]
            self._vectors.update(zip(batch, self.embedder.embed_queries(batch)))

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        missing = [t for t in texts if t not in self._vectors]
        if missing:
            self._vectors.update(zip(missing, self.embedder.embed_queries(missing)))
        return np.stack([self._vectors[t] for t in texts])


class Expectations:
    """Parses with the cluster's NLU (cached), answers with an in-process assistant."""

    def __init__(self, settings: Settings, engine: SearchEngine, rasa_urls: list[str], token: str) -> None:
        self.settings = settings
        municipalities = load_municipalities(settings.knowledge_dir, [])
        self.queries = CachedQueries(engine.embedder)
        self.engine = SearchEngine(engine.snapshot, self.queries, engine.config)  # type: ignore[arg-type]
        self.assistant = Assistant(settings, self.engine, municipalities, NoRecords(),  # type: ignore[arg-type]
                                   load_services(settings.knowledge_dir))
        self.rasa_urls = rasa_urls
        self.token = token
        self._parsed: dict[str, dict[str, Any]] = {}

    # --- the NLU ---------------------------------------------------------------------------------
    def _parse_remote(self, text: str, url: str) -> dict[str, Any]:
        request = urllib.request.Request(f"{url}/model/parse?token={self.token}",
                                         data=json.dumps({"text": text}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own server
            return json.loads(response.read())

    def parse_all(self, texts: Iterable[str]) -> None:
        """Parse many texts at once, spread over the Rasa servers."""
        todo = sorted({t for t in texts if t not in self._parsed})
        with ThreadPoolExecutor(4) as pool:
            results = pool.map(lambda item: self._parse_remote(item[1], self.rasa_urls[item[0] % len(self.rasa_urls)]),
                               enumerate(todo))
            for text, parsed in zip(todo, results):
                self._parsed[text] = parsed
        self.queries.warm([self._parsed[t].get("text") or "" for t in todo], self.engine.config.max_question_chars)

    def parse(self, text: str) -> dict[str, Any]:
        if text not in self._parsed:
            self._parsed[text] = self._parse_remote(text, self.rasa_urls[0])
        return self._parsed[text]

    # --- the action ----------------------------------------------------------------------------
    def turn(self, text: str) -> Turn:
        """As actions/respond.py's turn_of builds it from the tracker's latest message."""
        parsed = self.parse(text)
        intent = parsed.get("intent") or {}

        def entity(name: str) -> str | None:
            value = next((e.get("value") for e in parsed.get("entities") or [] if e.get("entity") == name), None)
            return str(value).strip().lower() if value else None

        said = parsed.get("text") or ""
        return Turn(text=said, intent=intent.get("name"), intent_confidence=float(intent.get("confidence") or 0.0),
                    language=entity("language"), municipality=entity("municipality"), article=entity("article"),
                    is_payload=said.startswith("/"))

    def simulate(self, plan: Plan) -> None:
        """Every step's expected replies, keeping the slots as action_respond does."""
        slots: dict[str, Any] = {}
        plan.expected, plan.tracked, plan.seen = [], [], []
        for step in plan.steps:
            text = step.text if step.field == "payload" else payloads.as_typed_text(step.text)
            turn = self.turn(text)
            lang = language_of_message(turn.text, slots.get("language"), slots.get("detected_language"))
            municipality = slots.get("municipality")
            if municipality is None and plan.municipality in self.assistant.municipalities:
                municipality = plan.municipality
            context = Context(lang=lang, municipality=municipality, last_question=slots.get("last_question"),
                              last_article_id=slots.get("last_article_id"))
            response = self.assistant.respond(turn, context)
            slots.update(response.remember)
            slots["detected_language"] = response.remember.get("language", context.lang)
            plan.expected.append(_expected(response.replies))
            plan.tracked.append(text)
            plan.seen.append(turn.text)

    # --- choosing the questions ------------------------------------------------------------------
    def kind_alone(self, text: str, lang: str) -> tuple[str | None, str | None]:
        """Kind and article of the reply to ``text`` as a conversation's first question after
        choosing ``lang``."""
        response = self.assistant.respond(self.turn(text), Context(lang=lang))
        custom = next((r.custom for r in response.replies if r.custom), {}) or {}
        return custom.get("vraagbaak"), custom.get("article_id")


@dataclass
class QuestionBank:
    answered: dict[str, list[str]]  # per language: example questions that get their article
    unanswered: dict[str, list[str]]  # per language: out-of-scope questions that get "I don't know"


def choose_questions(expectations: Expectations, per_language: int, seed: int = 20261206) -> QuestionBank:
    """Example questions whose reply is their own article, and out-of-scope questions whose reply
    is "I don't know" (recorded as unanswered), ``per_language`` of each where there are so many."""
    knowledge = load_knowledge(expectations.settings.knowledge_dir).knowledge
    out_of_scope = load_out_of_scope(expectations.settings.knowledge_dir)
    rng = random.Random(seed)
    candidates: dict[str, list[tuple[str, str]]] = {}
    for version in knowledge.versions:
        if version.municipality is None:
            candidates.setdefault(version.lang, []).extend((q, version.id) for q in version.questions)
    answered: dict[str, list[str]] = {}
    unanswered: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        # Nearly every example question gets its article, about two in three out-of-scope
        # questions "I don't know" (the NLU files others as small talk or out of scope).
        pool = sorted(set(candidates.get(lang, [])))
        rng.shuffle(pool)
        pool = pool[: per_language * 3 // 2]
        refused = sorted(set(out_of_scope.get(lang) or []))
        rng.shuffle(refused)
        refused = refused[: per_language * 2]
        expectations.parse_all([q for q, _ in pool] + refused)
        answered[lang] = [q for q, article in pool
                          if expectations.kind_alone(q, lang) == ("answer", article)][:per_language]
        unanswered[lang] = [q for q in refused if expectations.kind_alone(q, lang)[0] == "no_answer"][:per_language]
    return QuestionBank(answered, unanswered)


def plans(bank: QuestionBank, conversations: int, run_id: str) -> list[Plan]:
    """``conversations`` conversations, the four languages in turn: a greeting, the language
    button, an out-of-scope question, two questions, "helpful"."""
    municipalities = [None, "den-haag", "enschede", "haarlem"]
    result = []
    for i in range(conversations):
        lang = LANGUAGES[i % len(LANGUAGES)]
        n = i // len(LANGUAGES)
        questions, refused = bank.answered[lang], bank.unanswered[lang]
        # The out-of-scope question early: answered (and recorded) before the servers are killed
        # halfway, by both action servers.
        steps = [Step("message", GREETINGS[lang], "greeting"),
                 Step("payload", payloads.language(lang), "language"),
                 Step("message", refused[n % len(refused)], "out_of_scope"),
                 Step("message", questions[(2 * n) % len(questions)], "question"),
                 Step("message", questions[(2 * n + 1) % len(questions)], "question"),
                 Step("payload", payloads.HELPFUL, "feedback")]
        result.append(Plan(f"cluster-{run_id}-{i:03d}", lang, municipalities[(i // 8) % len(municipalities)], steps))
    return result
