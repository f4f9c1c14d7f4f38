"""detect_language(): script for Arabic and Tigrinya, words (then letters) for Dutch and English."""

from __future__ import annotations

import pytest

from vraagbaak.i18n.detect import Detection, detect_language
from vraagbaak.i18n.scripts import ARABIC, ETHIOPIC, LATIN, letter_count, script_counts, script_of


# --- by script --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("كيف أحصل على إعانة الرعاية الصحية؟", "ar"),
        ("أين أضع الثلاجة القديمة", "ar"),
        ("ኣረጊት ሶፋ ከመይ ገይረ ይድርብዮ?", "ti"),
        ("ሰላም", "ti"),
    ],
)
def test_script_decides_arabic_and_tigrinya(text, lang):
    assert detect_language(text) == Detection(lang, "script")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("ما هي zorgtoeslag؟", "ar"),
        ("كيف أدفع eigen risico", "ar"),
        ("ከመይ ጌረ zorgtoeslag ይሓትት?", "ti"),
        ("huisarts ኣበይ ይረክብ", "ti"),
        ("Hoe vraag ik een afspraak aan bij de huisarts ሰላም", "ti"),  # more Latin letters, still ti
        ("Waar is de gemeente? شكرا", "ar"),
    ],
)
def test_mixed_with_a_dutch_word_in_latin_keeps_the_non_latin_language(text, lang):
    assert detect_language(text) == Detection(lang, "script")


def test_arabic_and_ethiopic_together_go_to_the_larger_one():
    assert detect_language("ሰላም ከመይ ኣለኻ مرحبا").lang == "ti"
    assert detect_language("مرحبا كيف حالك اليوم ሰላም").lang == "ar"


# --- Dutch vs English -------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "Hoe vraag ik zorgtoeslag aan?",
        "Waar kan ik mijn grofvuil kwijt?",
        "Ik wil graag een afspraak maken bij de gemeente",
        "Wat moet ik doen met mijn oude bank?",
        "Is er een huisarts in de buurt?",
        "Mijn naam is Ahmed en ik woon in Enschede",
        "wanneer wordt het afval opgehaald",
        "HOE KRIJG IK EEN BURGERSERVICENUMMER",
    ],
)
def test_dutch_sentences(text):
    assert detect_language(text, default="en") == Detection("nl", "words")


@pytest.mark.parametrize(
    "text",
    [
        "How do I apply for health care allowance?",
        "Where can I leave my old sofa?",
        "I would like to make an appointment",
        "What should I do with my old fridge?",
        "My name is Ahmed and I live in Enschede",
        "Do I have to pay for the dentist?",
        "WHEN IS THE WASTE COLLECTED",
    ],
)
def test_english_sentences(text):
    assert detect_language(text) == Detection("en", "words")


def test_single_words_fall_back_to_letter_patterns():
    assert detect_language("zorgtoeslag", default="en") == Detection("nl", "letters")
    assert detect_language("washing", default="nl") == Detection("en", "letters")


def test_dutch_diacritics_do_not_hide_dutch_words():
    # Without normalisation none of these words would be in the Dutch word list.
    assert detect_language("Hoé wérkt dít?", default="en") == Detection("nl", "words")


# --- no signal: the default -------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "   ", "😀", "👍🙏", "12345", "14 070", "?!", "١٢٣", "ok"])
def test_no_signal_gives_the_default(text):
    assert detect_language(text) == Detection("nl", "default")
    assert detect_language(text, default="en") == Detection("en", "default")


def test_emoji_next_to_words_does_not_matter():
    assert detect_language("Thank you 🙏").lang == "en"
    assert detect_language("😀 مرحبا").lang == "ar"


# --- scripts ----------------------------------------------------------------------------------

def test_script_of_letters_digits_and_punctuation():
    assert script_of("a") == LATIN and script_of("é") == LATIN
    assert script_of("م") == ARABIC
    assert script_of("ሰ") == ETHIOPIC
    assert script_of("٣") is None  # Arabic-Indic digit is not a letter
    assert script_of("؟") is None
    assert script_of("7") is None and script_of("😀") is None and script_of(" ") is None
    assert script_of("ж") is None  # Cyrillic is none of ours


def test_script_counts_and_letter_count():
    counts = script_counts("zorg مدرسة ሰላም 123 😀")
    assert counts == {LATIN: 4, ARABIC: 5, ETHIOPIC: 3}
    assert letter_count("zorg 123 😀 !") == 4
    assert letter_count("😀 123") == 0


@pytest.mark.parametrize("text", ["kif b3mel DigiD 3al mobile?", "shu a7san sherke lal internet",
                                  "bdi sa2el 3an el huurtoeslag"])
def test_arabic_in_latin_letters_is_arabic(text: str) -> None:
    assert detect_language(text) == Detection("ar", "arabizi")


@pytest.mark.parametrize(("text", "lang"), [("wat is het verschil tussen a2 en b1", "nl"),
                                            ("my phone has 3g and 5g, is that ok", "en"),
                                            ("hoe werkt de MAP module bij B1", "nl")])
def test_language_levels_and_network_names_are_not_arabizi(text: str, lang: str) -> None:
    assert detect_language(text).lang == lang


def test_arabizi_questions_are_held_to_a_threshold_of_their_own() -> None:
    from vraagbaak.search.calibration import ARABIZI, calibration_key

    assert calibration_key("ar", "kif b3mel DigiD 3al mobile?") == ARABIZI
    assert calibration_key("ar", "كيف أعمل DigiD؟") == "ar"
    assert calibration_key("en", "how do I get DigiD?") == "en"
