"""What the knowledge base is made of, once read from disk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from vraagbaak.languages import FALLBACK_LANGUAGE

#: The values of a translation's `review` field: made or checked by a machine, or by a native speaker.
MACHINE: Final = "machine"
NATIVE: Final = "native"
REVIEW_KINDS: Final = (MACHINE, NATIVE)

#: (article id, language, municipality or None): what makes one file unique.
VersionKey = tuple[str, str, str | None]


@dataclass(frozen=True)
class Municipality:
    """A municipality with local answers, and how to reach it when we cannot answer."""

    code: str
    name: str
    phone: str
    website: str


@dataclass(frozen=True)
class ArticleVersion:
    """One Markdown file: one article in one language, optionally for one municipality."""

    path: Path
    id: str
    lang: str
    topic: str
    title: str
    questions: tuple[str, ...]
    source: str
    reviewed: date
    body: str
    municipality: str | None = None
    #: For a translation: the fingerprint of the Dutch text it was translated from.
    translated_from: str | None = None
    #: The date by which the figures in the answer (a yearly amount, a rule) must be checked again.
    review_by: date | None = None
    #: `review:` as written (machine or native); None when absent, which counts as machine.
    review: str | None = None
    native_reviewer: str | None = None
    native_reviewed: date | None = None
    body_line: int = 1
    field_lines: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> VersionKey:
        return (self.id, self.lang, self.municipality)

    @property
    def native_review(self) -> bool:
        """Dutch is the source text, so it needs no native review; a translation counts only
        when a native speaker said so (`vraagbaak kb reviewed`)."""
        return self.lang == FALLBACK_LANGUAGE or self.review == NATIVE

    def line_of(self, field_name: str) -> int:
        return self.field_lines.get(field_name, 1)


@dataclass
class KnowledgeBase:
    """All valid article versions plus the municipalities and topics they may name."""

    root: Path
    versions: list[ArticleVersion]
    municipalities: dict[str, Municipality]
    topics: dict[str, dict[str, str]]

    def ids(self) -> list[str]:
        return sorted({v.id for v in self.versions})

    def versions_of(self, article_id: str) -> list[ArticleVersion]:
        return [v for v in self.versions if v.id == article_id]

    def municipal_ids(self) -> set[str]:
        """Articles that have at least one municipal variant."""
        return {v.id for v in self.versions if v.municipality}
