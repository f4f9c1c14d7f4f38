"""Is the question one that the knowledge base covers at all? The anti-articles check.

The abstention threshold (:mod:`vraagbaak.search.calibration`) catches questions far from every
article (the weather), but not questions next to the domain: "How do I get a DigiD?" sits close
to the bijstand article, and a wrong answer that looks official is worse than none. So every
article's example questions and the questions of ``knowledge/out-of-scope.yaml`` form one bank
of questions (all languages, embedded as queries); a question whose nearest out-of-scope example
is closer than its nearest article example, by more than a margin calibrated per language, is
refused. A volunteer who sees a wrong answer adds the question to out-of-scope.yaml, and the
next build (or live reload) refuses it and its neighbours.

The margin is set so that at most ``MAX_IN_SCOPE_REFUSED`` of the articles' own example
questions would be refused, each scored against the bank without itself (leave one out).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from vraagbaak.languages import LANGUAGES

#: The largest share of (leave-one-out) article example questions the margin may refuse.
MAX_IN_SCOPE_REFUSED = 0.03
#: Below this many questions of a language there is nothing to calibrate: never refuse.
MIN_SAMPLES = 20
NEVER = 9.0
#: The margin's floor: refuse only when an out-of-scope example is clearly nearer than every
#: article's (the small model's similarities differ by thousandths between neighbours).
MIN_MARGIN = 0.01
#: The label of an out-of-scope question in the bank.
OUT_OF_SCOPE = ""


@dataclass(frozen=True)
class CoverageCalibration:
    margin: float
    in_scope: int
    out_of_scope: int
    in_scope_refused: float
    out_of_scope_refused: float


def lead(similarities: np.ndarray, out_of_scope: np.ndarray) -> float:
    """How much closer the nearest out-of-scope question is than the nearest article question."""
    inside = similarities[~out_of_scope]
    outside = similarities[out_of_scope]
    if inside.size == 0 or outside.size == 0:
        return -NEVER
    return float(outside.max() - inside.max())


def calibrate(vectors: np.ndarray, labels: list[str], langs: list[str]) -> dict[str, CoverageCalibration]:
    """Per language: every bank question scored against the others (leave one out)."""
    out_of_scope = np.asarray([label == OUT_OF_SCOPE for label in labels])
    lang_of = np.asarray(langs)
    result: dict[str, CoverageCalibration] = {}
    for lang in LANGUAGES:
        rows = np.flatnonzero(lang_of == lang)
        if rows.size == 0:
            continue
        similarities = vectors[rows] @ vectors.T
        similarities[np.arange(rows.size), rows] = -2.0  # leave one out
        leads = np.asarray([lead(similarities[i], out_of_scope) for i in range(rows.size)])
        inside, outside = leads[~out_of_scope[rows]], leads[out_of_scope[rows]]
        if inside.size < MIN_SAMPLES or outside.size == 0:
            margin = NEVER
        else:
            # Never below zero: a question nearer an article's example than any out-of-scope one
            # is in scope, whatever the quantile says (with well-separated examples it is negative).
            margin = max(float(np.quantile(inside, 1 - MAX_IN_SCOPE_REFUSED)), MIN_MARGIN)
        result[lang] = CoverageCalibration(round(margin, 5), int(inside.size), int(outside.size),
                                           float((inside > margin).mean()) if inside.size else 0.0,
                                           float((outside > margin).mean()) if outside.size else 0.0)
    return result


def to_json(calibration: dict[str, CoverageCalibration]) -> dict[str, Any]:
    return {lang: asdict(c) for lang, c in calibration.items()}


def from_json(data: dict[str, Any]) -> dict[str, CoverageCalibration]:
    return {lang: CoverageCalibration(**values) for lang, values in data.items()}
