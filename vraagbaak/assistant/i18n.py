"""Translated assistant texts: gettext catalogs compiled from translations/*.po when needed."""

from __future__ import annotations

import gettext
import os
import threading
from datetime import date
from functools import lru_cache
from pathlib import Path

from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES

DOMAIN = "messages"
_compile_lock = threading.Lock()


def compile_catalogs(translations_dir: Path) -> list[Path]:
    """Compile every language's .po into the .mo next to it, when the .mo is missing or older."""
    written = []
    with _compile_lock:
        for lang in LANGUAGES:
            po = translations_dir / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
            mo = po.with_suffix(".mo")
            if not po.is_file() or (mo.is_file() and mo.stat().st_mtime >= po.stat().st_mtime):
                continue
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
            with tmp.open("wb") as handle:
                write_mo(handle, catalog)
            os.replace(tmp, mo)
            written.append(mo)
    return written


class Translator:
    """Texts in one language; a missing translation falls back to the source text."""

    def __init__(self, translations_dir: Path, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else FALLBACK_LANGUAGE
        compile_catalogs(translations_dir)
        self._catalog = gettext.translation(DOMAIN, str(translations_dir), languages=[self.lang], fallback=True)

    def __call__(self, message: str, **values: object) -> str:
        text = self._catalog.gettext(message)
        return text.format(**values) if values else text

    def date(self, value: date) -> str:
        """A date as people of this language write it (23 november 2026, 23 ኖቬምበር 2026 ...)."""
        return format_date(value, format="long", locale=self.lang)


@lru_cache(maxsize=16)
def translator(translations_dir: Path, lang: str) -> Translator:
    return Translator(translations_dir, lang)
