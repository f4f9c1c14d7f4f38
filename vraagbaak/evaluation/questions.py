"""Question files for evaluation (the format of shared/eval/dev-questions.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class EvalQuestion:
    q: str
    lang: str
    expect: str | None
    municipality: str | None = None


def load_questions(path: Path) -> list[EvalQuestion]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of questions")
    questions = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or "q" not in item or "lang" not in item or "expect" not in item:
            raise ValueError(f"{path}: question {number} needs q, lang and expect")
        questions.append(EvalQuestion(str(item["q"]), str(item["lang"]), item["expect"], item.get("municipality")))
    return questions
