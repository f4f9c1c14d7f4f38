"""BSN-like numbers, passport-like codes and bank account numbers are masked before a desk message is stored."""

from __future__ import annotations

import pytest

from vraagbaak.desk.masking import mask_identifiers


@pytest.mark.parametrize(("text", "masked"), [
    ("Mijn BSN is 123456789.", "Mijn BSN is *********."),
    ("bsn 12345678", "bsn ********"),  # 8 digits: an old number without its leading 0
    ("1234.56.789", "****.**.***"),
    ("123 456 789 is mijn nummer", "*** *** *** is mijn nummer"),
    ("123.456.789", "***.***.***"),
    ("رقمي ١٢٣٤٥٦٧٨٩ من فضلك", "رقمي ********* من فضلك"),  # Arabic-Indic digits
    ("ቁጽሪ123456789", "ቁጽሪ*********"),  # glued to Tigrinya letters
    ("geboren 1990 123456789", "geboren 1990 *********"),
    ("bel 06 12345678", "bel 06 ********"),  # a group of 8 inside a longer number
    ("Paspoort NW1234567 verlopen", "Paspoort ********* verlopen"),
    ("paspoort: ab12cd345", "paspoort: *********"),
    ("ID XN12345T", "ID ********"),  # 2 letters + 6 letters and digits
    ("IBAN NL91 ABNA 0417 1643 00 graag", "IBAN **** **** **** **** ** graag"),  # in groups of four
    ("rekening NL91ABNA0417164300.", "rekening ******************."),
    ("DE89370400440532013000", "**********************"),
])
def test_identifying_numbers_are_masked(text: str, masked: str) -> None:
    assert mask_identifiers(text) == masked


@pytest.mark.parametrize("text", [
    "Bel de gemeente: 14 070",
    "Helpdesk 0800 1234 567 (gratis)",  # 11 digits: not a BSN
    "0612345678",  # 10 digits
    "Afspraak op 12.03.2024 om 10.30 uur",  # a date
    "postcode 2511 AB, huisnummer 12",
    "Gemeente Amsterdam en DigiD",  # words without digits
    "Ik betaal 1.250 euro huur en 1234567 is zeven cijfers",
    "mp3 en covid19 en A4-papier",
    "NW12345678901",  # too long for a passport; 11 digits
    "Ik woon in NL sinds 2023 bij de ABNA",  # a country code and a year are no bank account
])
def test_other_numbers_and_words_stay(text: str) -> None:
    assert mask_identifiers(text) == text
