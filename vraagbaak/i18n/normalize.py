"""Per-script text normalisation for lexical matching.

People type without diacritics, with letter variants and with their script's own punctuation.
Matching must not depend on that, so both the indexed text and the question pass through
:func:`normalize` before character n-grams are taken.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

# Arabic letters that people write interchangeably (after hamza marks are removed below).
_ARABIC_LETTERS: Final = str.maketrans({
    "ى": "ي",  # alef maksura -> ya
    "ة": "ه",  # ta marbuta -> ha
    "ٱ": "ا",  # alef wasla
    "ـ": None,  # tatweel (kashida) is decoration
    "ک": "ك",
    "ی": "ي",
    "ء": None,  # lone hamza
})
_ARABIC_DIGITS: Final = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def _ethiopic_variant_map() -> dict[int, int]:
    """Map the ሠ and ፀ series onto ሰ and ጸ: Tigrinya writers use them interchangeably."""
    table: dict[int, int] = {}
    for offset in range(8):
        table[0x1220 + offset] = 0x1230 + offset  # ሠ.. -> ሰ..
        table[0x1340 + offset] = 0x1338 + offset  # ፀ.. -> ጸ..
    return table


_ETHIOPIC_VARIANTS: Final = _ethiopic_variant_map()
_NON_WORD: Final = re.compile(r"[^\w]+", re.UNICODE)


def strip_controls(text: str) -> str:
    """Control characters and zero-width spaces become spaces; other invisible format characters
    (soft hyphen, direction marks, BOM) are removed, so "zorg\u00adtoeslag" stays one word.
    Joiners (ZWJ, ZWNJ) stay: they are part of how some scripts are written."""
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cs", "Co") or ch == "\u200b":  # a zero-width space marks a word break
            out.append(" ")
        elif category == "Cf" and ch not in "\u200c\u200d":
            continue
        else:
            out.append(ch)
    return "".join(out)


def normalize(text: str) -> str:
    """Lower-case, accent-free, punctuation-free text with script variants folded.

    - Latin: NFKD and combining marks dropped (``één`` -> ``een``), case folded.
    - Arabic: harakat, hamza carriers, tatweel and letter variants folded, digits to ASCII.
    - Ethiopic: punctuation (``። ፣ ፧``) to spaces, ሠ/ሰ and ፀ/ጸ folded.
    """
    text = strip_controls(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFC", text)
    text = text.casefold().translate(_ARABIC_LETTERS).translate(_ARABIC_DIGITS)
    text = text.translate(_ETHIOPIC_VARIANTS)
    # Ethiopic punctuation (U+1360-U+1368) and every other non-word character become spaces.
    text = _NON_WORD.sub(" ", text.replace("_", " "))
    return " ".join(text.split())


#: Ethiopic punctuation as the ASCII punctuation the NLU's tokenizer knows (፡ is a word space).
_ETHIOPIC_PUNCTUATION: Final = str.maketrans({"፡": " ", "።": ".", "፣": ",", "፤": ";", "፥": ":", "፦": ":",
                                              "፧": "?", "፨": " "})
_ARABIC_MARKS: Final = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def for_nlu(text: str) -> str:
    """The light normalisation Rasa's NLU sees (bot/components/normalizer.py): invisible and
    control characters, Arabic vowel marks and tatweel, and Ethiopic punctuation, which people
    type or not at will. Letters and case stay, so entity values still read as typed."""
    text = strip_controls(text).translate(_ETHIOPIC_PUNCTUATION)
    return " ".join(_ARABIC_MARKS.sub("", text).split())
