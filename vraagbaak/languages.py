"""The languages Vraagbaak speaks: the one place that lists them."""

from __future__ import annotations

from typing import Final

#: Language codes in the order they are shown. Dutch first: it is the fallback language.
LANGUAGES: Final[tuple[str, ...]] = ("nl", "en", "ar", "ti")

#: The language whose version answers when the user's language has none.
FALLBACK_LANGUAGE: Final[str] = "nl"

#: Each language's own name for itself, for pickers and reports.
NATIVE_NAMES: Final[dict[str, str]] = {
    "nl": "Nederlands",
    "en": "English",
    "ar": "العربية",
    "ti": "ትግርኛ",
}

#: Languages written right to left.
RTL_LANGUAGES: Final[frozenset[str]] = frozenset({"ar"})


def is_supported(code: str) -> bool:
    """True when ``code`` is one of the languages we answer in."""
    return code in LANGUAGES
