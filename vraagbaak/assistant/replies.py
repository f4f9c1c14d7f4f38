"""What the assistant says, decided without Rasa: Rasa's actions only carry tracker state in and
these replies out (see actions/).

Every reply is localized through the gettext catalogs; answers from the knowledge base carry
machine-readable metadata (``custom``) that the channels and the tests read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from vraagbaak.assistant import payloads, texts
from vraagbaak.assistant.links import split_links
from vraagbaak.assistant.offer import person_offer
from vraagbaak.assistant.i18n import Translator, translator
from vraagbaak.assistant.topics import help_text, out_of_scope_text, welcome_text
from vraagbaak.desk.config import DeskConfig
from vraagbaak.desk.records import Records
from vraagbaak.i18n.detect import detect_language
from vraagbaak.i18n.scripts import letter_count
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES, NATIVE_NAMES
from vraagbaak.safety.data import SafetyData, load_services
from vraagbaak.search.types import Answer, SearchRequest, SearchResult
from vraagbaak.settings import Settings

OTHER_MUNICIPALITY = payloads.OTHER_MUNICIPALITY
PAYLOAD_HELPFUL = payloads.HELPFUL
PAYLOAD_NOT_HELPFUL = payloads.NOT_HELPFUL
PAYLOAD_HUMAN = payloads.HUMAN
#: ``custom.vraagbaak`` of the question whether the user wants a volunteer (vraagbaak/desk/).
KIND_DESK_CONSENT = "desk_consent"
#: The NLU's confidence below which a small-talk intent is not trusted (the honest "I don't
#: know" follows instead): DIET is overconfident on odd input, so this only trims the worst.
SMALL_TALK_MIN_CONFIDENCE = 0.8
#: Intents answered with a fixed reply when the search has no confident answer.
SMALL_TALK = frozenset({"greet", "help", "goodbye", "thanks", "bot_challenge"})
#: A typed message of at most this many words that names a language switches to it, whatever the
#: NLU made of it ("Tigrinya please"); a longer one must also be filed as a language choice.
MAX_WORDS_LANGUAGE_CHOICE = 3
#: A short message that the NLU is sure asks for a person gets one, even when the search has an
#: answer ("I want to talk to a real person" is near "practise talking Dutch with a buddy").
MAX_WORDS_PERSON_REQUEST = 8
#: What the assistant says when someone is in danger, per need (the numbers come from
#: knowledge/safety/services.yaml).
EMERGENCY_TEXTS = {"medical": texts.EMERGENCY_MEDICAL, "violence": texts.EMERGENCY_VIOLENCE,
                   "fire": texts.EMERGENCY_FIRE, "suicide": texts.EMERGENCY_SUICIDE}


@dataclass(frozen=True)
class Button:
    title: str
    payload: str

    def as_dict(self) -> dict[str, str]:
        """As Rasa and the channels carry a button."""
        return {"title": self.title, "payload": self.payload}


def feedback_buttons(t: Translator) -> tuple[Button, Button]:
    """"Helpful" and "Not helpful": under an answer, and after a volunteer's help."""
    return Button(t(texts.BUTTON_HELPFUL), PAYLOAD_HELPFUL), Button(t(texts.BUTTON_NOT_HELPFUL), PAYLOAD_NOT_HELPFUL)


def done_button(t: Translator) -> Button:
    """Back from the volunteers to the assistant."""
    return Button(t(texts.BUTTON_DESK_DONE), payloads.DESK_DONE)


@dataclass(frozen=True)
class Reply:
    text: str | None = None
    buttons: tuple[Button, ...] = ()
    custom: dict[str, Any] | None = None


@dataclass(frozen=True)
class Context:
    """What the assistant knows about the conversation: its language and municipality."""

    lang: str = FALLBACK_LANGUAGE
    municipality: str | None = None  # a code from municipalities.yaml, "other" or None
    #: What feedback and a request for a person refer to: the last question and its article.
    last_question: str | None = None
    last_article_id: str | None = None


@dataclass
class AnswerOutcome:
    replies: list[Reply]
    result: SearchResult
    article_id: str | None = None


@dataclass(frozen=True)
class Turn:
    """One user message as Rasa understood it. ``is_payload``: a button's or a command's payload
    (which skips the NLU), never typed text."""

    text: str
    intent: str | None = None
    intent_confidence: float = 0.0
    language: str | None = None  # a language the message names (entity), as a code
    municipality: str | None = None  # a municipality the message names (entity), as a code
    article: str | None = None  # a linked article's id (only from its button's payload)
    is_payload: bool = False


@dataclass
class Response:
    """What to say, and what the conversation should remember (slot name → value)."""

    replies: list[Reply]
    remember: dict[str, Any]
    kind: str
    result: SearchResult | None = None


def language_of_message(text: str | None, chosen: str | None, previous: str | None) -> str:
    """An explicit choice sticks; otherwise the message's own language; otherwise the last one seen."""
    if chosen in LANGUAGES:
        return chosen  # type: ignore[return-value]
    if text and not text.startswith("/"):
        detection = detect_language(text, default=previous or FALLBACK_LANGUAGE)
        if detection.method != "default":
            return detection.lang
    return previous if previous in LANGUAGES else FALLBACK_LANGUAGE  # type: ignore[return-value]


class Searcher(Protocol):
    def search(self, request: SearchRequest) -> SearchResult: ...

    def article(self, article_id: str, lang: str, municipality: str | None) -> Answer | None: ...


@dataclass
class Assistant:
    settings: Settings
    engine: Searcher
    municipalities: dict[str, Municipality]
    records: Records
    safety: SafetyData
    #: The volunteers' desk, when volunteers are configured (VRAAGBAAK_DESK_CHATS): "ask a
    #: person" then offers one who speaks the user's language (vraagbaak/desk/handoff.py).
    desk: DeskConfig | None = None

    def t(self, lang: str) -> Translator:
        return translator(self.settings.translations_dir, lang)

    def _place(self, context: Context) -> Municipality | None:
        return self.municipalities.get(context.municipality or "")

    def _local(self, context: Context) -> str | None:
        """The municipality whose variants to show: a known one, else None (general answers)."""
        return context.municipality if context.municipality in self.municipalities else None

    # --- first contact and choices -------------------------------------------------------------
    def municipality_buttons(self, lang: str) -> tuple[Button, ...]:
        t = self.t(lang)
        buttons = [Button(m.name, payloads.municipality(code)) for code, m in self.municipalities.items()]
        buttons.append(Button(t(texts.OTHER_MUNICIPALITY), payloads.municipality(OTHER_MUNICIPALITY)))
        return tuple(buttons)

    def language_buttons(self) -> tuple[Button, ...]:
        return tuple(Button(NATIVE_NAMES[lang], payloads.language(lang)) for lang in LANGUAGES)

    def welcome(self, context: Context) -> list[Reply]:
        t = self.t(context.lang)
        replies = [Reply(welcome_text(t, self.settings.knowledge_dir)), Reply(t(texts.PRIVACY))]
        if context.municipality is None:
            replies.append(Reply(t(texts.ASK_MUNICIPALITY), self.municipality_buttons(context.lang)))
        replies.append(Reply(t(texts.ASK_LANGUAGE), self.language_buttons(), {"vraagbaak": "welcome"}))
        return replies

    def help(self, context: Context) -> list[Reply]:
        return [Reply(help_text(self.t(context.lang), self.settings.knowledge_dir), custom={"vraagbaak": "help"})]

    def language_set(self, context: Context) -> list[Reply]:
        return [Reply(self.t(context.lang)(texts.LANGUAGE_SET), custom={"vraagbaak": "language", "lang": context.lang})]

    def ask_language(self, context: Context) -> list[Reply]:
        return [Reply(self.t(context.lang)(texts.ASK_LANGUAGE), self.language_buttons())]

    def municipality_set(self, context: Context) -> list[Reply]:
        t = self.t(context.lang)
        place = self._place(context)
        text = t(texts.MUNICIPALITY_SET, municipality=place.name) if place else t(texts.MUNICIPALITY_GENERAL)
        return [Reply(text, custom={"vraagbaak": "municipality", "municipality": context.municipality})]

    def ask_municipality(self, context: Context) -> list[Reply]:
        return [Reply(self.t(context.lang)(texts.ASK_MUNICIPALITY), self.municipality_buttons(context.lang))]

    # --- answers ---------------------------------------------------------------------------------
    def human_offer(self, context: Context) -> str:
        return person_offer(self.t(context.lang), self._place(context))

    @staticmethod
    def _alternatives(result: SearchResult) -> list[dict[str, Any]]:
        return [{"article_id": a.article_id, "municipality": a.municipality} for a in result.alternatives]

    def search(self, question: str, context: Context, intent: str | None = None,
               intent_confidence: float = 0.0) -> SearchResult:
        return self.engine.search(SearchRequest(question, lang=context.lang, municipality=self._local(context),
                                                intent=intent, intent_confidence=intent_confidence))

    def answer(self, question: str, context: Context, record_unanswered: bool = True,
               result: SearchResult | None = None) -> AnswerOutcome:
        """The article that answers ``question``, or "I don't know" with a person to ask."""
        municipality = self._local(context)
        result = result or self.search(question, context)
        t = self.t(context.lang)
        if result.answer is None:
            nearest = result.candidates[0].article_id if result.candidates else None
            if record_unanswered:
                self.records.unanswered(context.lang, municipality, question, result.abstain_reason or "",
                                        nearest, result.confidence)
            text = f"{t(texts.NO_ANSWER)}\n\n{self.human_offer(context)}"
            custom = {"vraagbaak": "no_answer", "lang": context.lang, "municipality": municipality,
                      "reason": result.abstain_reason, "score": round(result.confidence, 4),
                      "alternatives": self._alternatives(result)}
            return AnswerOutcome([Reply(text, (Button(t(texts.BUTTON_HUMAN), PAYLOAD_HUMAN),), custom)], result)
        reply = self.article_reply(result.answer, context)
        assert reply.custom is not None
        reply.custom.update(score=round(result.candidates[0].score, 4), confidence=round(result.confidence, 4),
                            alternatives=self._alternatives(result))
        return AnswerOutcome([reply], result, result.answer.article_id)

    def article_reply(self, a: Answer, context: Context) -> Reply:
        """One article as the user reads it: the text (links to other articles as plain words),
        its source and date, then a button per linked article, then the feedback buttons."""
        t = self.t(context.lang)
        body, links = split_links(a.body, a.article_id)
        targets = [(link.article_id, self.engine.article(link.article_id, context.lang, self._local(context)))
                   for link in links]
        parts = [t(texts.NOT_TRANSLATED)] if a.not_translated else []
        parts.append(body)
        parts.append(t(texts.SOURCE_LINE, source=a.source, date=t.date(date.fromisoformat(a.reviewed))))
        custom = {
            "vraagbaak": "answer", "article_id": a.article_id, "lang": a.lang, "municipality": a.municipality,
            "source": a.source, "reviewed": a.reviewed, "title": a.title, "not_translated": a.not_translated,
            "outdated_translation": a.outdated_translation,
            "review_by": a.review_by,
            "review_overdue": a.review_by is not None and a.review_by < date.today().isoformat(),
            "native_review": a.native_review,
            "links": [article_id for article_id, target in targets if target],
        }
        # The button says the linked article's title in the reader's language (a link's words
        # may be a Dutch term); a link to an article that is gone gets no button.
        buttons = (*(Button(f"→ {target.title}", payloads.article(article_id)) for article_id, target in targets if target),
                   *feedback_buttons(t),
                   Button(t(texts.BUTTON_HUMAN), PAYLOAD_HUMAN))
        return Reply("\n\n".join(parts), buttons, custom)

    def show_article(self, article_id: str | None, context: Context) -> Response:
        """A linked article's button: that article in the user's language and municipality."""
        answer = self.engine.article(article_id, context.lang, self._local(context)) if article_id else None
        if answer is None:  # an article removed since the button was shown
            return Response(self.simple(texts.NO_ANSWER, context, "no_answer"), {}, "no_answer")
        return Response([self.article_reply(answer, context)], {"last_article_id": answer.article_id}, "answer")

    # --- feedback and hand-off -------------------------------------------------------------------
    def feedback(self, helpful: bool, context: Context, article_id: str | None, question: str | None) -> list[Reply]:
        self.records.feedback(helpful, article_id, context.lang, context.municipality, question)
        t = self.t(context.lang)
        if helpful:
            return [Reply(t(texts.FEEDBACK_THANKS), custom={"vraagbaak": "feedback", "helpful": True})]
        return [Reply(f"{t(texts.FEEDBACK_SORRY)}\n\n{self.human_offer(context)}",
                      (Button(t(texts.BUTTON_HUMAN), PAYLOAD_HUMAN),), {"vraagbaak": "feedback", "helpful": False})]

    def desk_offered(self, lang: str) -> bool:
        """Whether volunteers take conversations in ``lang`` (on duty or not: off duty, the
        answer comes later, and the newcomer is told so)."""
        return self.desk is not None and self.desk.chats.chat_for(lang) is not None

    def handoff(self, context: Context, question: str | None) -> list[Reply]:
        """"Ask a person": a volunteer who speaks the user's language, after the user agreed to
        what that means; without volunteers for the language, the municipality's phone number."""
        self.records.handoff(context.lang, context.municipality, question)
        t = self.t(context.lang)
        if self.desk_offered(context.lang):
            buttons = (Button(t(texts.BUTTON_DESK_YES), payloads.DESK_YES), Button(t(texts.BUTTON_DESK_NO), payloads.DESK_NO))
            return [Reply(t(texts.DESK_CONSENT), buttons, {"vraagbaak": KIND_DESK_CONSENT, "lang": context.lang})]
        place = self._place(context)
        custom = {"vraagbaak": "handoff", "municipality": context.municipality,
                  "phone": place.phone if place else None, "website": place.website if place else None}
        return [Reply(f"{t(texts.HANDOFF_INTRO)}\n\n{self.human_offer(context)}", custom=custom)]

    def emergency(self, context: Context, need: str, evidence: tuple[str, ...] = ()) -> list[Reply]:
        """The numbers to call for this need, first thing; the metadata lets a channel show
        tap-to-call buttons."""
        services = [self.safety.services[key] for key in self.safety.needs.get(need, ())]
        phones = {key.replace("-", "_"): s.phone for key, s in self.safety.services.items()}
        phones.update({f"{key.replace('-', '_')}_free": s.phone_free for key, s in self.safety.services.items()})
        text = self.t(context.lang)(EMERGENCY_TEXTS.get(need, texts.EMERGENCY_MEDICAL), **phones)
        calls = [{"name": s.name, "phone": phone} for s in services for phone in (s.phone, s.phone_free) if phone]
        return [Reply(text, custom={"vraagbaak": "emergency", "need": need, "lang": context.lang,
                                    "phone": calls[0]["phone"] if calls else None, "calls": calls,
                                    "evidence": list(evidence)})]

    def simple(self, message: str, context: Context, kind: str | None = None) -> list[Reply]:
        """One fixed sentence: goodbye, thanks, bot challenge, errors; ``kind`` goes in the metadata."""
        return [Reply(self.t(context.lang)(message), custom={"vraagbaak": kind} if kind else None)]

    # --- the one place that decides what to say to a message --------------------------------------
    def respond(self, turn: Turn, context: Context) -> Response:
        """Button payloads do what they say. Typed text is read by the safety check first (someone
        in danger gets the numbers to call, whatever else the message seems to be), then by the
        search: a confident answer wins over small talk, choices and feedback, because the NLU is
        sometimes sure that a real question is a greeting. Only when the search has no confident
        answer does the NLU's intent choose the reply; a question goes to "I don't know"."""
        if turn.is_payload:
            return self._command(turn, context)
        if turn.municipality in self.municipalities:
            context = Context(context.lang, turn.municipality)
        result = self.search(turn.text, context, turn.intent, turn.intent_confidence)
        remember: dict[str, Any] = {}
        if turn.municipality in self.municipalities and (result.answer or turn.intent == "choose_municipality"):
            remember["municipality"] = turn.municipality
        asks_person = (turn.intent == "request_human" and turn.intent_confidence >= SMALL_TALK_MIN_CONFIDENCE
                       and len(turn.text.split()) <= MAX_WORDS_PERSON_REQUEST)
        if result.danger is not None:
            replies = self.emergency(context, result.danger.need, result.danger.evidence)
            if asks_person and result.danger.evidence == ("meaning",):
                # "I want to talk to a person" is near "I need someone to talk to" in meaning: the
                # numbers to call first, as always, and then the person that was asked for.
                replies += self.handoff(context, context.last_question)
            return Response(replies, remember, "emergency", result)
        if asks_person:
            return Response(self.handoff(context, context.last_question), remember, "request_human", result)
        if result.answer is not None:
            outcome = self.answer(turn.text, context, result=result)
            remember.update(last_article_id=outcome.article_id, last_question=turn.text[:1000])
            return Response(outcome.replies, remember, "answer", result)
        words = len(turn.text.split())
        if turn.language in LANGUAGES and (turn.intent == "choose_language" or words <= MAX_WORDS_LANGUAGE_CHOICE):
            chosen = Context(turn.language, context.municipality)
            return Response(self.language_set(chosen), {"language": turn.language}, "language", result)
        intent = turn.intent or "question"
        if intent in SMALL_TALK and (turn.intent_confidence < SMALL_TALK_MIN_CONFIDENCE or letter_count(turn.text) < 2):
            # Noise, emoji or control characters are no greeting: say how to ask instead.
            intent = "help" if letter_count(turn.text) < 2 else "question"
        if intent == "choose_municipality" and "municipality" in remember:
            return Response(self.municipality_set(context), remember, "municipality", result)
        small_talk = self._small_talk(intent, context)
        if small_talk is not None:
            return Response(small_talk[1], remember, small_talk[0], result)
        outcome = self.answer(turn.text, context, result=result)
        remember.update(last_article_id=None, last_question=turn.text[:1000])
        return Response(outcome.replies, remember, "no_answer", result)

    def _small_talk(self, intent: str, context: Context) -> tuple[str, list[Reply]] | None:
        """The reply to a message that is not a question (kind, replies), or None."""
        if intent in ("greet", "help"):
            return intent, self.welcome(context) if intent == "greet" else self.help(context)
        if intent == "goodbye":
            return intent, self.simple(texts.GOODBYE, context, intent)
        if intent == "thanks":
            return intent, self.simple(texts.YOU_ARE_WELCOME, context, intent)
        if intent == "bot_challenge":
            return intent, self.simple(texts.BOT_CHALLENGE, context, intent)
        if intent == "out_of_scope":
            return intent, self.out_of_scope(context)
        if intent in ("feedback_helpful", "feedback_not_helpful"):
            return intent, self.feedback(intent == "feedback_helpful", context, context.last_article_id,
                                         context.last_question)
        if intent == "request_human":
            return intent, self.handoff(context, context.last_question)
        if intent == "desk_decline":
            t = self.t(context.lang)
            return intent, [Reply(f"{t(texts.DESK_DECLINED)}\n\n{self.human_offer(context)}",
                                  custom={"vraagbaak": "desk_declined", "lang": context.lang})]
        if intent == "choose_language":
            return intent, self.ask_language(context)
        if intent == "choose_municipality":
            return intent, self.ask_municipality(context)
        return None

    def _command(self, turn: Turn, context: Context) -> Response:
        """A button or command: no search, and no safety check (a payload holds no user words)."""
        intent = turn.intent or ""
        if intent == "choose_language":
            if turn.language in LANGUAGES:
                chosen = Context(turn.language, context.municipality)
                return Response(self.language_set(chosen), {"language": turn.language}, "language")
            return Response(self.ask_language(context), {}, "ask_language")
        if intent == "choose_municipality":
            code = turn.municipality
            if code in self.municipalities or code == OTHER_MUNICIPALITY:
                chosen = Context(context.lang, code)
                return Response(self.municipality_set(chosen), {"municipality": code}, "municipality")
            return Response(self.ask_municipality(context), {}, "ask_municipality")
        if intent == "show_article":
            return self.show_article(turn.article, context)
        small_talk = self._small_talk(intent, context)
        if small_talk is not None:
            return Response(small_talk[1], {}, small_talk[0])
        return Response(self.welcome(context), {}, "greet")

    def out_of_scope(self, context: Context) -> list[Reply]:
        t = self.t(context.lang)
        return [Reply(f"{out_of_scope_text(t, self.settings.knowledge_dir)}\n\n{self.human_offer(context)}",
                      custom={"vraagbaak": "out_of_scope"})]


def create_assistant(settings: Settings) -> Assistant:
    """The assistant over the current index (rebuilt first if the knowledge base changed)."""
    from vraagbaak.knowledge.loader import load_municipalities
    from vraagbaak.search.live import LiveEngine
    from vraagbaak.search.service import open_engine

    problems: list = []
    municipalities = load_municipalities(settings.knowledge_dir, problems)
    engine: Searcher = LiveEngine(settings) if settings.live_reload else open_engine(settings)
    desk = DeskConfig.from_settings(settings)
    return Assistant(settings, engine, municipalities, Records.open(settings),
                     load_services(settings.knowledge_dir), desk if desk.chats.enabled else None)
