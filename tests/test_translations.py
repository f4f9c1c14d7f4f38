"""Every assistant sentence exists in every language, with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import Translator, compile_catalogs
from vraagbaak.languages import LANGUAGES
from vraagbaak.settings import PROJECT_ROOT

TRANSLATIONS = PROJECT_ROOT / "translations"
SOURCE_TEXTS = {v for k, v in vars(texts).items() if k.isupper() and isinstance(v, str)}


def _catalog(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    catalog = _catalog(lang)
    translated = {m.id: m.string for m in catalog if m.id}
    missing = sorted(t for t in SOURCE_TEXTS if not translated.get(t))
    assert not missing, f"{lang}: untranslated: {missing}"
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not fuzzy, f"{lang}: fuzzy (needs review): {fuzzy}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_placeholders_survive_translation(lang: str) -> None:
    for message in _catalog(lang):
        if message.id:
            assert set(re.findall(r"{\w+}", message.string)) == set(re.findall(r"{\w+}", message.id)), message.id


def test_the_template_lists_every_source_text() -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    assert SOURCE_TEXTS <= template, "run: .venv/bin/pybabel extract (see the Makefile's translations target)"


def test_catalogs_compile_and_translate(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(TRANSLATIONS, tmp_path / "translations", ignore=shutil.ignore_patterns("*.mo"))
    written = compile_catalogs(tmp_path / "translations")
    assert len(written) == len(LANGUAGES)
    assert compile_catalogs(tmp_path / "translations") == []  # up to date: nothing to do
    arabic = Translator(tmp_path / "translations", "ar")
    assert arabic(texts.GOODBYE) != texts.GOODBYE
    assert re.search("[\u0600-\u06ff]", arabic(texts.GOODBYE))
    tigrinya = Translator(tmp_path / "translations", "ti")
    violence = tigrinya(texts.EMERGENCY_VIOLENCE, alarm="112", veilig_thuis="0800-2000")
    assert re.search("[\u1200-\u137f]", violence) and "112" in violence and "0800-2000" in violence
    assert "Haarlem" in Translator(tmp_path / "translations", "nl")(texts.MUNICIPALITY_SET, municipality="Haarlem")
