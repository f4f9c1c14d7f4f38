"""A problem found in the knowledge base, with where it is and how bad it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from vraagbaak.knowledge.messages import render

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """An error stops a build; a warning is shown but the article is still served."""

    path: Path
    line: int
    severity: Severity
    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False, compare=False)

    def message(self, lang: str = "en") -> str:
        what, fix = render(self.code, lang, self.params)
        return f"{what} {fix}"

    def format(self, lang: str = "en", relative_to: Path | None = None) -> str:
        """``file:line: error: what is wrong. How to fix it.`` as editors and CI logs expect."""
        shown = self.path
        if relative_to is not None:
            try:
                shown = self.path.resolve().relative_to(relative_to.resolve())
            except ValueError:
                pass
        label = {"en": {"error": "error", "warning": "warning"},
                 "nl": {"error": "fout", "warning": "waarschuwing"}}[lang if lang in ("en", "nl") else "en"]
        return f"{shown}:{self.line}: {label[self.severity]}: {self.message(lang)}"
