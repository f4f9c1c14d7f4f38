"""What the assistant says, decided without Rasa: Rasa's actions only carry tracker state in and
these replies out (see actions/).

Every reply is localized through the gettext catalogs; answers from the knowledge base carry
machine-readable metadata (``custom``) that the channels and the tests read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import Translator, translator
from vraagbaak.assistant.records import Records
from vraagbaak.i18n.detect import detect_language
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES, NATIVE_NAMES
from vraagbaak.search.types import SearchRequest, SearchResult
from vraagbaak.settings import Settings

OTHER_MUNICIPALITY = "other"
PAYLOAD_HELPFUL = "/feedback_helpful"
PAYLOAD_NOT_HELPFUL = "/feedback_not_helpful"
PAYLOAD_HUMAN = "/request_human"
#: A message filed as small talk with at least this many words is offered to the search first.
MIN_WORDS_FOR_SEARCH = 3


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


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


@dataclass
class AnswerOutcome:
    replies: list[Reply]
    result: SearchResult
    article_id: str | None = None


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


@dataclass
class Assistant:
    settings: Settings
    engine: Searcher
    municipalities: dict[str, Municipality]
    records: Records

    def t(self, lang: str) -> Translator:
        return translator(self.settings.translations_dir, lang)

    def _place(self, context: Context) -> Municipality | None:
        return self.municipalities.get(context.municipality or "")

    # --- first contact and choices -------------------------------------------------------------
    def municipality_buttons(self, lang: str) -> tuple[Button, ...]:
        t = self.t(lang)
        buttons = [Button(m.name, f'/choose_municipality{{"municipality":"{code}"}}')
                   for code, m in self.municipalities.items()]
        buttons.append(Button(t(texts.OTHER_MUNICIPALITY), f'/choose_municipality{{"municipality":"{OTHER_MUNICIPALITY}"}}'))
        return tuple(buttons)

    def language_buttons(self) -> tuple[Button, ...]:
        return tuple(Button(NATIVE_NAMES[lang], f'/choose_language{{"language":"{lang}"}}') for lang in LANGUAGES)

    def welcome(self, context: Context) -> list[Reply]:
        t = self.t(context.lang)
        replies = [Reply(t(texts.WELCOME)), Reply(t(texts.PRIVACY))]
        if context.municipality is None:
            replies.append(Reply(t(texts.ASK_MUNICIPALITY), self.municipality_buttons(context.lang)))
        replies.append(Reply(t(texts.ASK_LANGUAGE), self.language_buttons(), {"vraagbaak": "welcome"}))
        return replies

    def help(self, context: Context) -> list[Reply]:
        return [Reply(self.t(context.lang)(texts.HELP))]

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
        t = self.t(context.lang)
        place = self._place(context)
        if place is None:
            return t(texts.HUMAN_GENERAL)
        return t(texts.HUMAN_WITH_PHONE, municipality=place.name, phone=place.phone, website=place.website)

    @staticmethod
    def _alternatives(result: SearchResult) -> list[dict[str, Any]]:
        return [{"article_id": a.article_id, "municipality": a.municipality} for a in result.alternatives]

    def answer_if_confident(self, question: str, context: Context) -> AnswerOutcome | None:
        """The answer when the search is confident, else None (and nothing recorded): for
        messages the NLU filed as small talk that are in fact questions."""
        if len(question.split()) < MIN_WORDS_FOR_SEARCH or question.startswith("/"):
            return None
        outcome = self.answer(question, context, record_unanswered=False)
        return outcome if outcome.article_id else None

    def answer(self, question: str, context: Context, record_unanswered: bool = True) -> AnswerOutcome:
        municipality = context.municipality if context.municipality in self.municipalities else None
        result = self.engine.search(SearchRequest(question, lang=context.lang, municipality=municipality))
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
        a = result.answer
        parts = [t(texts.NOT_TRANSLATED)] if a.not_translated else []
        parts.append(a.body)
        parts.append(t(texts.SOURCE_LINE, source=a.source, date=t.date(date.fromisoformat(a.reviewed))))
        custom = {
            "vraagbaak": "answer", "article_id": a.article_id, "lang": a.lang, "municipality": a.municipality,
            "source": a.source, "reviewed": a.reviewed, "title": a.title, "not_translated": a.not_translated,
            "outdated_translation": a.outdated_translation,
            "score": round(result.candidates[0].score, 4), "confidence": round(result.confidence, 4),
            "alternatives": self._alternatives(result),
        }
        buttons = (Button(t(texts.BUTTON_HELPFUL), PAYLOAD_HELPFUL), Button(t(texts.BUTTON_NOT_HELPFUL), PAYLOAD_NOT_HELPFUL),
                   Button(t(texts.BUTTON_HUMAN), PAYLOAD_HUMAN))
        return AnswerOutcome([Reply("\n\n".join(parts), buttons, custom)], result, a.article_id)

    # --- feedback and hand-off -------------------------------------------------------------------
    def feedback(self, helpful: bool, context: Context, article_id: str | None, question: str | None) -> list[Reply]:
        self.records.feedback(helpful, article_id, context.lang, context.municipality, question)
        t = self.t(context.lang)
        if helpful:
            return [Reply(t(texts.FEEDBACK_THANKS), custom={"vraagbaak": "feedback", "helpful": True})]
        return [Reply(f"{t(texts.FEEDBACK_SORRY)}\n\n{self.human_offer(context)}",
                      (Button(t(texts.BUTTON_HUMAN), PAYLOAD_HUMAN),), {"vraagbaak": "feedback", "helpful": False})]

    def handoff(self, context: Context, question: str | None) -> list[Reply]:
        self.records.handoff(context.lang, context.municipality, question)
        t = self.t(context.lang)
        place = self._place(context)
        custom = {"vraagbaak": "handoff", "municipality": context.municipality,
                  "phone": place.phone if place else None, "website": place.website if place else None}
        return [Reply(f"{t(texts.HANDOFF_INTRO)}\n\n{self.human_offer(context)}", custom=custom)]

    def emergency(self, context: Context) -> list[Reply]:
        return [Reply(self.t(context.lang)(texts.EMERGENCY), custom={"vraagbaak": "emergency", "phone": "112"})]

    def simple(self, message: str, context: Context) -> list[Reply]:
        """One fixed sentence: goodbye, thanks, out of scope, bot challenge, errors."""
        return [Reply(self.t(context.lang)(message))]

    def out_of_scope(self, context: Context) -> list[Reply]:
        t = self.t(context.lang)
        return [Reply(f"{t(texts.OUT_OF_SCOPE)}\n\n{self.human_offer(context)}", custom={"vraagbaak": "out_of_scope"})]


def create_assistant(settings: Settings) -> Assistant:
    """The assistant over the current index (rebuilt first if the knowledge base changed)."""
    from vraagbaak.knowledge.loader import load_municipalities
    from vraagbaak.search.live import LiveEngine
    from vraagbaak.search.service import open_engine

    problems: list = []
    municipalities = load_municipalities(settings.knowledge_dir, problems)
    engine: Searcher = LiveEngine(settings) if settings.live_reload else open_engine(settings)
    return Assistant(settings, engine, municipalities, Records(settings.database_path))
