"""Which writing system a character belongs to: the cheapest reliable language signal we have."""

from __future__ import annotations

from collections import Counter
from typing import Final

ARABIC: Final = "arabic"
ETHIOPIC: Final = "ethiopic"
LATIN: Final = "latin"

_RANGES: Final[tuple[tuple[int, int, str], ...]] = (
    (0x0600, 0x06FF, ARABIC),
    (0x0750, 0x077F, ARABIC),
    (0x08A0, 0x08FF, ARABIC),
    (0xFB50, 0xFDFF, ARABIC),
    (0xFE70, 0xFEFF, ARABIC),
    (0x1200, 0x139F, ETHIOPIC),
    (0x2D80, 0x2DDF, ETHIOPIC),
    (0xAB00, 0xAB2F, ETHIOPIC),
)


def script_of(char: str) -> str | None:
    """The script of one letter, or None for digits, punctuation, emoji and unknown scripts."""
    code = ord(char)
    for low, high, script in _RANGES:
        if low <= code <= high:
            return script if char.isalpha() or script == ETHIOPIC else None
    if char.isalpha() and (code < 0x0250 or 0x1E00 <= code <= 0x1EFF):
        return LATIN
    return None


def script_counts(text: str) -> Counter[str]:
    """How many letters of each script the text holds."""
    counts: Counter[str] = Counter()
    for char, number in Counter(text).items():  # each distinct character once: articles are long
        script = script_of(char)
        if script is not None:
            counts[script] += number
    return counts


def letter_count(text: str) -> int:
    """Letters in any script: zero means there is nothing to search for."""
    return sum(1 for ch in text if ch.isalpha())
