"""Is someone in danger now? Three kinds of evidence, combined:

- **words**: a danger pattern of ``knowledge/safety/<lang>.yaml`` (patterns of every language are
  tried, since a message's language is a guess), unless a calm pattern shows an ordinary
  situation ("the smoke alarm beeps, there is no fire");
- **meaning**: the message's embedding (the one the search computed: never a second one) is
  closer to the emergency examples than to the calm examples by at least a margin that each
  index build calibrates (see :func:`calibrate_margin`);
- **intent**: Rasa's NLU said ``emergency``. Alone it is not enough (the NLU is overconfident on
  odd input), but it lowers the margin that meaning needs, as a calm pattern does too.

A miss is worse than a false alarm, so any one strong signal is enough.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vraagbaak.safety.data import CALM, NEEDS
from vraagbaak.safety.patterns import Pattern, TermIndex, words_of

#: How many nearest examples of a label are averaged (one odd example must not decide).
NEAREST = 2
#: How much lower the meaning margin may be when words or the NLU also point at danger.
SUPPORT_SLACK = 0.01
#: The NLU's confidence in ``emergency`` that counts as support.
INTENT_SUPPORT = 0.7
#: Longest text the word patterns read (a pasted letter is no emergency message).
MAX_WORDS = 400
#: Which need's reply comes first when patterns of several needs match equally often.
NEED_PRIORITY = ("fire", "violence", "suicide", "medical")
#: Used when a build had too few examples to calibrate.
DEFAULT_MARGIN = 0.04


@dataclass(frozen=True)
class Danger:
    """Someone may be in danger now: which need, and what showed it (for logs and metadata)."""

    need: str
    evidence: tuple[str, ...]
    pattern: str | None = None
    margin: float | None = None


@dataclass(frozen=True)
class Meaning:
    need: str
    margin: float


class SafetyCheck:
    """Immutable once made; one per index build (patterns, example vectors and margin)."""

    def __init__(self, danger: list[tuple[str, Pattern]], calm: list[Pattern],
                 vectors: np.ndarray | None = None, labels: list[str] | None = None,
                 margin: float = DEFAULT_MARGIN) -> None:
        self.danger, self.calm = danger, calm
        self.terms = TermIndex({t for _, p in danger for t in p.terms} | {t for p in calm for t in p.terms})
        self.vectors = vectors if vectors is not None and len(vectors) else None
        self.labels = np.asarray(labels or [])
        self.margin = margin

    # --- evidence ------------------------------------------------------------------------------
    def words(self, text: str) -> tuple[tuple[str, Pattern] | None, bool]:
        """The first matching danger pattern (need, pattern), and whether a calm pattern matched."""
        words = words_of(text)[:MAX_WORDS]
        if not words:
            return None, False
        positions = self.terms.positions(words)
        hits = [(need, p) for need, p in self.danger if p.matches(words, positions)]
        # The need most patterns point at; on a tie the one whose first step is most urgent
        # (leave a burning or gas-filled home first).
        hit = max(hits, key=lambda h: (sum(n == h[0] for n, _ in hits), -NEED_PRIORITY.index(h[0])), default=None)
        # A calm pattern may be spread over the whole message ("the smoke alarm beeps ... how do
        # I change the battery"): it only cancels the words, the meaning is still checked.
        calm = hit is not None and any(p.matches(words, positions, window=len(words)) for p in self.calm)
        return hit, calm

    def meaning(self, query_vector: np.ndarray | None) -> Meaning | None:
        """The closest need and how much closer the message is to it than to calm messages."""
        if query_vector is None or self.vectors is None:
            return None
        return nearest_margin(self.vectors @ query_vector, self.labels)

    # --- decision --------------------------------------------------------------------------------
    def assess(self, text: str, query_vector: np.ndarray | None = None,
               intent: str | None = None, intent_confidence: float = 0.0) -> Danger | None:
        hit, calm = self.words(text)
        meaning = self.meaning(query_vector)
        if hit is not None and not calm:
            need, pattern = hit
            return Danger(need, ("words",), pattern.source, meaning.margin if meaning else None)
        if meaning is None:
            return None
        supported = hit is not None or (intent == "emergency" and intent_confidence >= INTENT_SUPPORT)
        needed = self.margin - (SUPPORT_SLACK if supported else 0.0)
        if meaning.margin < needed:
            return None
        evidence = ("meaning",) + (("words",) if hit else ()) + (("intent",) if intent == "emergency" else ())
        need = hit[0] if hit is not None else meaning.need
        return Danger(need, evidence, hit[1].source if hit else None, round(meaning.margin, 4))


def nearest_margin(similarities: np.ndarray, labels: np.ndarray) -> Meaning | None:
    """Mean of the NEAREST best similarities per label; the best need's lead over calm."""
    def top(label: str) -> float:
        values = similarities[labels == label]
        if values.size == 0:
            return -1.0
        k = min(NEAREST, values.size)
        return float(np.partition(values, -k)[-k:].mean())

    scores = {need: top(need) for need in NEEDS}
    best = max(scores, key=scores.__getitem__)
    if scores[best] <= -1.0:
        return None
    return Meaning(best, scores[best] - top(CALM))


def calibrate_margin(emergencies: list[float], calm: list[float], ordinary: list[float],
                     max_calm_alarms: float = 0.10, max_ordinary_alarms: float = 0.01) -> float:
    """The lowest margin that keeps false alarms within bounds: at most ``max_calm_alarms`` of the
    calm examples (ordinary messages written with alarming words on purpose) and at most
    ``max_ordinary_alarms`` of ordinary questions (the articles' held-out example questions and
    the out-of-scope questions). ``emergencies`` are only reported: the word patterns and the
    slack carry recall, and the margin must keep an answer about zorgtoeslag from an alarm."""
    if len(calm) < 5 or len(ordinary) < 5:
        return DEFAULT_MARGIN
    bound_calm = float(np.quantile(np.asarray(calm), 1 - max_calm_alarms))
    bound_ordinary = float(np.quantile(np.asarray(ordinary), 1 - max_ordinary_alarms))
    return round(max(bound_calm, bound_ordinary) + 1e-6, 6)
