"""Per-language abstention thresholds, calibrated on data.

A fixed cosine threshold does not separate "no answer" from "weak right answer" (off-topic
questions score as high as some correct ones, and the level differs per language). So the
decision uses :func:`confidence` (cosine plus lexical coverage), and each build measures it, per
language:

- in-scope scores: half of every article's example questions, scored against the index in which
  that article version was embedded (and lexically indexed) with only the other half, so the
  questions are unseen;
- out-of-scope scores: the questions in ``knowledge/out-of-scope.yaml``;

and places the threshold where it best separates the two (most in-scope answered plus most
out-of-scope refused), but never where it would refuse more than ``MAX_FALSE_ABSTAIN`` of the
in-scope questions. Held-out example questions are harder than real ones (an article's
remaining questions no longer cover them), so refusing a few of them costs far fewer real
questions: on the development set, 0 of 51 in-scope questions were refused.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from vraagbaak.i18n.detect import detect_language
from vraagbaak.languages import LANGUAGES

OUT_OF_SCOPE_FILE = "out-of-scope.yaml"
#: Confidence = dense top-1 cosine + COVERAGE_WEIGHT x lexical coverage (see confidence()).
COVERAGE_WEIGHT = 0.3
#: The largest share of held-out in-scope questions the threshold may refuse.
MAX_FALSE_ABSTAIN = 0.07
#: Used for a language with too little data to calibrate.
DEFAULT_THRESHOLD = 0.0
MIN_SAMPLES = 5


@dataclass(frozen=True)
class LanguageCalibration:
    threshold: float
    in_scope: int
    out_of_scope: int
    #: Measured on the calibration data itself, for the build report.
    in_scope_refused: float
    out_of_scope_refused: float


def confidence(dense_top1: float, coverage: float) -> float:
    """What the threshold is compared with. The cosine alone barely separates off-topic from
    on-topic questions (off-topic questions look like questions); how much of the question's
    wording the best text in its own language contains separates them far better (measured
    AUROC 0.94-0.99 per language against 0.72-0.91 for the cosine); the sum is best."""
    return dense_top1 + COVERAGE_WEIGHT * coverage


def load_out_of_scope(knowledge_dir: Path) -> dict[str, list[str]]:
    """Questions no article answers, per language (missing file: none)."""
    path = knowledge_dir / OUT_OF_SCOPE_FILE
    if not path.is_file():
        return {}
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: read at every reload
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506 - a safe loader
    return {lang: [str(q) for q in data.get(lang) or [] if str(q).strip()] for lang in LANGUAGES}


def fold_split(questions: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(embedded, held out): alternating halves of the example questions, so both cover every aspect."""
    return list(questions[0::2]), list(questions[1::2])


def choose_threshold(positives: np.ndarray, negatives: np.ndarray) -> float:
    """The threshold with the most positives at or above it plus negatives below it (Youden's
    J), capped at the MAX_FALSE_ABSTAIN quantile of the positives; mid-gap when they separate."""
    if len(positives) < MIN_SAMPLES:
        return DEFAULT_THRESHOLD
    ceiling = float(np.quantile(positives, MAX_FALSE_ABSTAIN))
    if len(negatives) == 0:
        return ceiling
    top_negative = float(negatives.max())
    if top_negative < positives.min():
        return (top_negative + float(positives.min())) / 2
    candidates = np.unique(np.concatenate([positives, negatives]))
    separation = [(positives >= t).mean() + (negatives < t).mean() for t in candidates]
    best = float(candidates[int(np.argmax(separation))])
    return min(best, ceiling)


#: Arabic typed in Latin letters gets a threshold of its own: its confidences run lower than
#: those of Arabic script (the lexical evidence is thinner), and mixed into one threshold they
#: would lower the bar for every Arabic question.
ARABIZI = "ar-latn"


def key_of(lang: str, detection_method: str) -> str:
    """Which threshold a question of ``lang`` is held to: its language, or :data:`ARABIZI` when
    language detection found Arabic in Latin letters."""
    return ARABIZI if lang == "ar" and detection_method == "arabizi" else lang


def calibration_key(lang: str, text: str) -> str:
    """:func:`key_of` for a text that has not been through language detection yet."""
    return key_of(lang, detect_language(text).method)


def calibrate(positives: dict[str, list[float]], negatives: dict[str, list[float]]) -> dict[str, LanguageCalibration]:
    result = {}
    for lang in (*LANGUAGES, *sorted(set(positives) - set(LANGUAGES))):
        pos = np.asarray(positives.get(lang, []), np.float32)
        neg = np.asarray(negatives.get(lang, []), np.float32)
        threshold = choose_threshold(pos, neg)
        result[lang] = LanguageCalibration(
            threshold=round(threshold, 5),
            in_scope=len(pos),
            out_of_scope=len(neg),
            in_scope_refused=float((pos < threshold).mean()) if len(pos) else 0.0,
            out_of_scope_refused=float((neg < threshold).mean()) if len(neg) else 0.0,
        )
    return result


def to_json(calibration: dict[str, LanguageCalibration]) -> dict[str, Any]:
    return {lang: asdict(c) for lang, c in calibration.items()}


def from_json(data: dict[str, Any]) -> dict[str, LanguageCalibration]:
    return {lang: LanguageCalibration(**values) for lang, values in data.items()}
