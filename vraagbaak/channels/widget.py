"""What the embeddable chat widget (static/widget.js) learns from the server at start.

``GET /api/widget-config`` returns this configuration: the widget's own labels in every language
(from the gettext catalogs, so a translator edits one place), the languages with their native
names and writing direction, the municipalities with their phone numbers, and where the Ge'ez
font is. The widget caches it, so that it can still say "call your municipality on 14 070" when
this server stops answering later.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import translator
from vraagbaak.knowledge.model import Municipality
from vraagbaak.languages import LANGUAGES, NATIVE_NAMES, RTL_LANGUAGES
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.widget")

#: Where the web server serves the Ethiopic font (the file itself: ``Settings.widget_font``).
FONT_URL = "/widget/fonts/noto-sans-ethiopic.woff2"

#: The widget's label keys and their source texts. Placeholders ({phone}, {date} ...) are filled
#: in by the widget. ``sourceLine`` lets it recognise the answer's own source line and show the
#: source and date as a link under the answer instead.
UI_TEXTS: dict[str, str] = {
    "open": texts.WIDGET_OPEN,
    "close": texts.WIDGET_CLOSE,
    "subtitle": texts.WIDGET_SUBTITLE,
    "inputLabel": texts.WIDGET_INPUT_LABEL,
    "placeholder": texts.WIDGET_PLACEHOLDER,
    "send": texts.WIDGET_SEND,
    "newConversation": texts.WIDGET_NEW_CONVERSATION,
    "language": texts.WIDGET_LANGUAGE,
    "typing": texts.WIDGET_TYPING,
    "you": texts.WIDGET_YOU,
    "source": texts.WIDGET_SOURCE,
    "checkedOn": texts.WIDGET_CHECKED_ON,
    "newTab": texts.WIDGET_NEW_TAB,
    "call": texts.WIDGET_CALL,
    "retry": texts.WIDGET_RETRY,
    "unavailable": texts.UNAVAILABLE,
    "humanWithPhone": texts.HUMAN_WITH_PHONE,
    "humanGeneral": texts.HUMAN_GENERAL,
    "sourceLine": texts.SOURCE_LINE,
    # Above a volunteer's answer pushed to the widget (the desk's own texts, as on Telegram).
    "volunteerSays": texts.DESK_VOLUNTEER_SAYS,
    "volunteerUnnamed": texts.DESK_VOLUNTEER_SAYS_UNNAMED,
    "volunteerDefault": texts.DESK_DEFAULT_NAME,
}


def font_available(settings: Settings) -> bool:
    """True when the font file is there (``make install`` runs ``npm ci``, which puts it there)."""
    return Path(settings.widget_font).is_file()


def widget_config(settings: Settings, municipalities: dict[str, Municipality]) -> dict[str, Any]:
    """The JSON document the widget fetches at start (see the module docstring)."""
    font = FONT_URL if font_available(settings) else None
    if font is None:
        log.warning("widget font missing at %s: run `make install`; Tigrinya then needs a system font",
                    settings.widget_font)
    return {
        "version": 1,
        "languages": [{"code": lang, "name": NATIVE_NAMES[lang], "dir": "rtl" if lang in RTL_LANGUAGES else "ltr"}
                      for lang in LANGUAGES],
        "municipalities": [{"code": code, "name": m.name, "phone": m.phone, "website": m.website}
                           for code, m in municipalities.items()],
        "texts": {lang: {key: translator(settings.translations_dir, lang)(source) for key, source in UI_TEXTS.items()}
                  for lang in LANGUAGES},
        "font": font,
    }
