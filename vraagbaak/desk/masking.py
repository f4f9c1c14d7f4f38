"""Numbers that identify a person, masked before a desk message is stored or shown to volunteers.

Newcomers paste their BSN (citizen service number) or passport number into a chat to "speed
things up"; a volunteer never needs it, and a ticket must not become a store of them. Masked:

- BSN-like numbers: 8 or 9 digits, also written in groups joined by single spaces or dots
  (``123456789``, ``1234.56.789``, ``123 456 789``), and in a longer run of groups, each group
  of exactly 8 or 9 digits (``06 12345678`` loses its 8 digits). A longer number such as a
  helpline's ``0800 1234 567`` or ``0612345678`` is left alone, and so is a date written with
  dots (``12.03.2024``). Any script's digits count (Arabic-Indic too).
- Passport-like codes: 2 letters then 6 or 7 letters and digits with at least one digit
  (``NW1234567``, ``ab12cd345``): a word without a digit is never one.

- IBAN-like bank account numbers: 2 letters, 2 digits, then 11 to 30 letters and digits, written
  whole or in groups of four (``NL91ABNA0417164300``, ``NL91 ABNA 0417 1643 00``).

Each masked character becomes ``*`` (separators stay), so the volunteer sees that a number was
there and can say that it is not needed.
"""

from __future__ import annotations

import re

MASK = "*"

#: A whole number: groups of digits joined by single spaces or dots.
_NUMBER = re.compile(r"(?<!\d)\d+(?:[ .]\d+)*")
#: One group of exactly 8 or 9 digits.
_GROUP = re.compile(r"(?<!\d)\d{8,9}(?!\d)")
#: A date written with dots or spaces: day, month, four-digit year.
_DATE = re.compile(r"(\d{1,2})[ .](\d{1,2})[ .](\d{4})")
#: 2 letters, then 6-7 letters and digits of which at least one is a digit; a whole word.
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}(?=[A-Za-z]*[0-9])[A-Za-z0-9]{6,7}(?![A-Za-z0-9])")

#: The shortest IBAN (Norway's) has 15 characters.
IBAN_MIN_CHARS = 15
#: 2 letters, 2 digits, then groups of letters and digits (11-30 characters), whole or by four.
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![A-Za-z0-9])")


def _mask_iban(match: re.Match[str]) -> str:
    found = match.group()
    if sum(char.isalnum() for char in found) < IBAN_MIN_CHARS:
        return found
    return re.sub(r"[A-Za-z0-9]", MASK, found)


def _digits_masked(text: str) -> str:
    return re.sub(r"\d", MASK, text)


def _mask_number(match: re.Match[str]) -> str:
    found = match.group()
    date = _DATE.fullmatch(found)
    if date and 1 <= int(date[1]) <= 31 and 1 <= int(date[2]) <= 12:
        return found
    if 8 <= sum(char.isdigit() for char in found) <= 9:
        return _digits_masked(found)
    return _GROUP.sub(lambda group: _digits_masked(group.group()), found)


def mask_identifiers(text: str) -> str:
    """``text`` with BSN-like numbers, passport-like codes and bank account numbers masked."""
    text = _IBAN.sub(_mask_iban, text)
    text = _PASSPORT.sub(lambda match: MASK * len(match.group()), text)
    return _NUMBER.sub(_mask_number, text)
