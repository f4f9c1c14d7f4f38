"""Guess the language of a message: script for Arabic and Tigrinya, words for Dutch and English.

A wrong guess costs little (search is cross-lingual and the user can pick a language), so this
stays a small transparent rule set rather than a model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from vraagbaak.i18n.normalize import normalize
from vraagbaak.i18n.scripts import ARABIC, ETHIOPIC, LATIN, script_counts
from vraagbaak.languages import FALLBACK_LANGUAGE

_DUTCH_WORDS: Final = frozenset("""
de het een en van ik je jij u uw mijn wij we zij ze hij is zijn ben bent was waren wordt word
worden niet geen wel ook nog maar of als dan dat die dit deze wat wie waar wanneer hoe waarom
welke welk hoeveel kan kun kunt mag moet moeten wil wilt heb hebt heeft hebben krijg krijgt
krijgen met voor naar bij uit op aan over door tot om te er hier daar nu al veel graag
alstublieft bedankt dank hallo hoi goedemorgen doei zelf ons onze jullie mij me iets niets
""".split())
_ENGLISH_WORDS: Final = frozenset("""
the a an and of i you your my we they he she it is are am was were be been being not no yes
but or if then that this these those what who where when how why which can could may must
should will would do does did have has had get got with for to from at on in by about into
please thanks thank hello hi there here now much many some any me our us their them myself
""".split())
#: Arabic written in Latin letters ("Arabizi": kif b3mel DigiD?), as many Arabic speakers type
#: on phones: digits stand for letters (2 ء, 3 ع, 5 خ, 7 ح) inside words, plus common words.
_ARABIZI_DIGIT_WORD: Final = re.compile(r"(?=[a-z2357']*[a-z])[a-z']*[2357][a-z2357']*")
_ARABIZI_WORDS: Final = frozenset("""
shu sho shou kif keef kef bdi baddi biddi fini fiyi mafi wala yalla ktir kteer hala2 lal leh lesh
shlon shloon wein ana enta inti ma3i 3ndi 3andi 3al 3ala 3an ya3ni kaman kamen hek heik
""".split())
#: At least this many Arabizi words, and more than Dutch or English ones, make a message Arabic.
MIN_ARABIZI_WORDS: Final = 2
_DUTCH_PATTERNS: Final = re.compile(r"ij|oe|ui|aa|uu|sch|eu|ou|heid|lijk|tje")
_ENGLISH_PATTERNS: Final = re.compile(r"th|wh|sh|ing\b|tion|ck|w[aeiou]|y\b")


@dataclass(frozen=True)
class Detection:
    """A language guess and how it was made (``script``, ``words``, ``letters`` or ``default``)."""

    lang: str
    method: str


def detect_language(text: str, default: str = FALLBACK_LANGUAGE) -> Detection:
    """The most likely of our languages for ``text``; ``default`` when there is no signal."""
    counts = script_counts(text)
    if not counts:
        return Detection(default, "default")
    ethiopic, arabic, latin = counts[ETHIOPIC], counts[ARABIC], counts[LATIN]
    if ethiopic or arabic:
        # Mixed messages ("... zorgtoeslag؟") are in the non-Latin language the user writes.
        return Detection("ti" if ethiopic >= arabic else "ar", "script")
    if not latin:
        return Detection(default, "default")
    words = normalize(text).split()
    dutch = sum(w in _DUTCH_WORDS for w in words)
    english = sum(w in _ENGLISH_WORDS for w in words)
    arabizi = sum(w in _ARABIZI_WORDS or _ARABIZI_DIGIT_WORD.fullmatch(w) is not None for w in words)
    if arabizi >= MIN_ARABIZI_WORDS and arabizi > max(dutch, english):
        return Detection("ar", "arabizi")
    if dutch != english:
        return Detection("nl" if dutch > english else "en", "words")
    joined = " ".join(words)
    dutch_letters = len(_DUTCH_PATTERNS.findall(joined))
    english_letters = len(_ENGLISH_PATTERNS.findall(joined))
    if dutch_letters != english_letters:
        return Detection("nl" if dutch_letters > english_letters else "en", "letters")
    return Detection(default, "default")
