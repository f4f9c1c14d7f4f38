"""The request and response objects that carry a question into the engine and an answer out."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from vraagbaak.safety.check import Danger


@dataclass(frozen=True)
class SearchRequest:
    """A user's question. ``lang`` is the answer language (detected when None); ``municipality``
    selects a local variant where one exists."""

    text: str
    lang: str | None = None
    municipality: str | None = None
    top_k: int = 3
    #: What Rasa's NLU made of the message: one piece of evidence for the safety check.
    intent: str | None = None
    intent_confidence: float = 0.0


@dataclass(frozen=True)
class Candidate:
    """One article the engine considered, with the evidence for it."""

    article_id: str
    score: float
    dense: float
    lexical: float


@dataclass(frozen=True)
class Answer:
    """The article version to show: the user's language and municipality where they exist."""

    article_id: str
    lang: str
    municipality: str | None
    title: str
    body: str
    source: str
    reviewed: str
    path: str
    #: True when the user's language has no version and the Dutch one is shown instead.
    not_translated: bool = False
    #: True when the Dutch article changed after this translation was made (still served).
    outdated_translation: bool = False
    #: The date (ISO) by which the answer's figures must be checked again; None when none is set.
    review_by: str | None = None
    #: True for Dutch (the source text) and for a translation a native speaker checked.
    native_review: bool = False


@dataclass(frozen=True)
class SearchResult:
    """The outcome of one search: an answer, or an abstention with its reason."""

    query_lang: str
    answer_lang: str
    answer: Answer | None
    candidates: list[Candidate] = field(default_factory=list)
    #: The top dense cosine the abstention decision looked at, and the threshold it used.
    confidence: float = 0.0
    threshold: float = 0.0
    #: ``None`` when answered; else ``empty``, ``no_text``, ``low_confidence`` or ``not_covered``
    #: (nearer to a question of knowledge/out-of-scope.yaml than to any article's).
    abstain_reason: str | None = None
    #: Candidate answers in the user's language/municipality, best first (for top-3 reporting).
    alternatives: list[Answer] = field(default_factory=list)
    #: Set when the safety check found that someone may be in danger now: it comes first.
    danger: Danger | None = None

    @property
    def abstained(self) -> bool:
        return self.answer is None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["abstained"] = self.abstained
        return data
