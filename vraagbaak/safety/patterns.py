"""Danger and calm word patterns, as volunteers write them in ``knowledge/safety/<lang>.yaml``.

A pattern is a line of terms that must all occur within a few words of each other, in any
order. ``word`` matches a whole word, ``word*`` a word that starts with it, ``*word`` one that
ends with it and ``*word*`` one that contains it (Arabic and Tigrinya attach small words to the
word: بيضربني contains ضرب). Text and patterns are compared after
:func:`vraagbaak.i18n.normalize.normalize`, so case, accents and Arabic vowel marks never matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vraagbaak.i18n.normalize import normalize

#: All terms of a pattern must fall within this many consecutive words.
WINDOW_WORDS = 6

TermKind = Literal["word", "prefix", "suffix", "infix"]


@dataclass(frozen=True)
class Term:
    kind: TermKind
    text: str

    @classmethod
    def parse(cls, raw: str) -> list["Term"]:
        """One written term; punctuation inside it splits it ("doesn't" is "doesn" and "t", as
        the message's own text is split), the stars staying at the outer ends."""
        starts, ends = raw.startswith("*"), raw.endswith("*") and len(raw) > 1
        words = normalize(raw.strip("*")).split()
        terms = []
        for i, word in enumerate(words):
            star_before, star_after = starts and i == 0, ends and i == len(words) - 1
            kind: TermKind = ("infix" if star_before and star_after else "suffix" if star_before
                              else "prefix" if star_after else "word")
            terms.append(cls(kind, word))
        return terms


@dataclass(frozen=True)
class Pattern:
    """One line of a safety file; ``line`` points a volunteer back to it."""

    terms: tuple[Term, ...]
    source: str
    line: int = 0

    @classmethod
    def parse(cls, raw: str, line: int = 0) -> "Pattern":
        terms = tuple(term for part in raw.split() for term in Term.parse(part))
        if not terms:
            raise ValueError(f"not a pattern: {raw!r}")
        return cls(terms, raw, line)

    def matches(self, words: list[str], positions: dict[Term, list[int]] | dict[Term, tuple[int, ...]],
                window: int = WINDOW_WORDS) -> bool:
        """True when every term occurs and one occurrence of each fits in one ``window``."""
        spots = [positions.get(t, ()) for t in self.terms]
        if any(not s for s in spots):
            return False
        if len(spots) == 1 or window >= len(words):
            return True
        # Slide a window over the message: some window must hold an occurrence of every term.
        for begin in sorted({p for spot in spots for p in spot}):
            if all(any(begin <= p < begin + window for p in spot) for spot in spots):
                return True
        return False


def words_of(text: str) -> list[str]:
    return normalize(text).split()


class TermIndex:
    """Every term of a set of patterns, looked up by the pieces of each message word (its
    prefixes, suffixes and substrings), so a message is matched against hundreds of patterns in
    well under a millisecond."""

    def __init__(self, terms: set[Term]) -> None:
        self.by_kind: dict[str, dict[str, list[Term]]] = {"word": {}, "prefix": {}, "suffix": {}, "infix": {}}
        for term in terms:
            self.by_kind[term.kind].setdefault(term.text, []).append(term)
        self.longest_infix = max((len(t) for t in self.by_kind["infix"]), default=0)

    def positions(self, words: list[str]) -> dict[Term, list[int]]:
        """Where each term occurs (a term that does not occur is absent)."""
        found: dict[Term, list[int]] = {}
        kinds = self.by_kind
        for i, word in enumerate(words):
            hits = list(kinds["word"].get(word, ()))
            for end in range(1, len(word) + 1):
                hits += kinds["prefix"].get(word[:end], ())
                hits += kinds["suffix"].get(word[-end:], ())
            if kinds["infix"]:
                pieces = {word[a:b] for a in range(len(word))
                          for b in range(a + 1, min(len(word), a + self.longest_infix) + 1)}
                for piece in pieces:
                    hits += kinds["infix"].get(piece, ())
            for term in set(hits):
                found.setdefault(term, []).append(i)
        return found


def positions_of(words: list[str], terms: set[Term]) -> dict[Term, list[int]]:
    """Where each term occurs (for one-off matching; a check keeps a :class:`TermIndex`)."""
    return TermIndex(terms).positions(words)
