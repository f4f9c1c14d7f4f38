"""normalize(): the same word typed differently must become the same text, per script."""

from __future__ import annotations

import pytest

from vraagbaak.i18n.normalize import normalize, strip_controls


# --- Latin (Dutch, English) -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("één", "een"),
        ("Eén keer", "een keer"),
        ("café", "cafe"),
        ("België", "belgie"),
        ("coöperatie", "cooperatie"),
        ("ideeën", "ideeen"),
        ("reünie", "reunie"),
        ("Ĳsselmeer", "ijsselmeer"),
    ],
)
def test_dutch_diacritics_are_removed(typed, expected):
    assert normalize(typed) == expected


def test_case_is_folded():
    assert normalize("ZORGTOESLAG") == "zorgtoeslag"
    assert normalize("Zorgtoeslag Aanvragen") == "zorgtoeslag aanvragen"
    assert normalize("Straße") == "strasse"
    assert normalize("CAFÉ") == normalize("café") == "cafe"


def test_latin_punctuation_and_spacing_become_single_spaces():
    assert normalize("  Hoe vraag ik zorgtoeslag aan?!  ") == "hoe vraag ik zorgtoeslag aan"
    assert normalize("grof-vuil, (bank) & matras...") == "grof vuil bank matras"
    assert normalize("eigen_risico") == "eigen risico"


# --- Arabic -----------------------------------------------------------------------------------

def test_arabic_harakat_are_removed():
    assert normalize("مَدْرَسَةٌ") == normalize("مدرسة")
    assert normalize("مُسْتَشْفَى") == "مستشفي"
    assert normalize("شُكْرًا") == "شكرا"


@pytest.mark.parametrize("alef", ["أ", "إ", "آ", "ٱ"])
def test_arabic_alef_variants_become_bare_alef(alef):
    assert normalize(alef) == "ا"
    assert normalize(f"{alef}حمد") == "احمد"


def test_arabic_alef_variants_in_words():
    assert normalize("أحمد إبراهيم آمنة") == "احمد ابراهيم امنه"


def test_arabic_alef_maksura_becomes_ya():
    assert normalize("مستشفى") == "مستشفي"
    assert normalize("على") == normalize("علي")


def test_arabic_ta_marbuta_becomes_ha():
    assert normalize("مدرسة") == "مدرسه"
    assert normalize("البلدية") == normalize("البلديه")


def test_arabic_tatweel_is_removed():
    assert normalize("كـتـاب") == "كتاب"
    assert normalize("مـــرحبا") == "مرحبا"


def test_arabic_indic_digits_become_ascii():
    assert normalize("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert normalize("۰۱۲۳۴۵۶۷۸۹") == "0123456789"  # Persian/Urdu forms
    assert normalize("اتصل على ١٤ ٠٧٠") == "اتصل علي 14 070"


def test_arabic_punctuation_is_removed():
    assert normalize("ما هذا، ولماذا؟") == "ما هذا ولماذا"
    assert normalize("أولا؛ ثانيا") == "اولا ثانيا"
    assert "،" not in normalize("نعم،لا") and normalize("نعم،لا") == "نعم لا"


def test_arabic_presentation_forms_become_letters():
    assert normalize("ﻻ") == "لا"


# --- Ethiopic (Tigrinya) ----------------------------------------------------------------------

def test_ethiopic_punctuation_is_removed():
    assert normalize("ሰላም። ከመይ፣ ኣለኻ፧") == "ሰላም ከመይ ኣለኻ"
    assert normalize("ሓደ፡ክልተ") == "ሓደ ክልተ"  # wordspace
    assert normalize("ሰላም።ከመይ") == "ሰላም ከመይ"


def test_ethiopic_se_variants_are_folded():
    assert normalize("ሠላም") == normalize("ሰላም") == "ሰላም"
    assert normalize("ሡሢሣሤሥሦሧ") == "ሱሲሳሴስሶሷ"


def test_ethiopic_tsade_variants_are_folded():
    assert normalize("ፀሓይ") == normalize("ጸሓይ") == "ጸሓይ"
    assert normalize("ፁፂፃፄፅፆፇ") == "ጹጺጻጼጽጾጿ"


def test_other_ethiopic_letters_are_kept():
    assert normalize("ዓበይቲ ጓሓፍ") == "ዓበይቲ ጓሓፍ"


# --- control characters, emoji, mixed ---------------------------------------------------------

def test_control_characters_are_removed():
    assert normalize("zorg\x00toeslag") == "zorg toeslag"
    assert normalize("\x07hallo\x1b") == "hallo"
    assert normalize("hallo\u200bwereld") == "hallo wereld"  # zero-width space
    assert normalize("\ufeffhallo") == "hallo"  # byte order mark
    assert normalize("regel een\r\nregel\ttwee") == "regel een regel twee"


def test_soft_hyphen_and_direction_marks_do_not_split_words():
    assert normalize("zorg\u00adtoeslag") == "zorgtoeslag"
    assert normalize("\u200fمرحبا\u200e") == "مرحبا"


def test_strip_controls_keeps_joiners_and_replaces_others_by_spaces():
    assert strip_controls("a\x00b\u200bc") == "a b c"
    assert strip_controls("a\u200cb\u200dc") == "a\u200cb\u200dc"


@pytest.mark.parametrize("text", ["😀", "😀👍🎉", "👨‍👩‍👧", "🇳🇱", "❤️", " 🙏 ", ""])
def test_emoji_only_gives_empty_string(text):
    assert normalize(text) == ""


def test_emoji_between_words_is_a_separator():
    assert normalize("bedankt🙏voor de hulp") == "bedankt voor de hulp"


def test_mixed_scripts_keep_both():
    assert normalize("Wat is ZORGTOESLAG؟ ما هي") == "wat is zorgtoeslag ما هي"
    assert normalize("ከመይ zorgtoeslag ይሓትት፧") == "ከመይ zorgtoeslag ይሓትት"
    assert normalize("Café مدرسة ሠላም") == "cafe مدرسه ሰላም"


def test_normalize_is_idempotent():
    for text in ("Één café", "مَدْرَسَةٌ أحمد ١٢", "ሠላም። ፀሓይ", "Wat is ZORGTOESLAG؟"):
        once = normalize(text)
        assert normalize(once) == once
