"""Button payloads: the only way a channel may send Rasa a command (``/intent{...}``).

Typed text is always text: a user who types ``/restart`` or ``/choose_language{"x": 1}`` gets
words searched, not a command run (:func:`as_typed_text`). A payload is accepted only when it is
one that the assistant itself offers (:func:`is_allowed`); the channels send it apart from typed
text, and the web gateway and the Telegram bridge check it here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from typing import Final

from vraagbaak.knowledge.loader import ID_PATTERN
from vraagbaak.languages import LANGUAGES

GREET: Final = "/greet"
HELPFUL: Final = "/feedback_helpful"
NOT_HELPFUL: Final = "/feedback_not_helpful"
HUMAN: Final = "/request_human"
CHOOSE_LANGUAGE: Final = "/choose_language"
CHOOSE_MUNICIPALITY: Final = "/choose_municipality"
#: Show one article (a link between articles, as a button): public text, any valid id.
SHOW_ARTICLE: Final = "/show_article"
#: The volunteers' desk (vraagbaak/desk/handoff.py): yes or no to a volunteer, and "done".
DESK_YES: Final = "/desk_consent"
DESK_NO: Final = "/desk_decline"
DESK_DONE: Final = "/desk_done"
#: The municipality choice "none of these": general answers.
OTHER_MUNICIPALITY: Final = "other"

#: Payloads without entities that a button or a command may send.
_PLAIN: Final = frozenset({GREET, HELPFUL, NOT_HELPFUL, HUMAN, CHOOSE_LANGUAGE, CHOOSE_MUNICIPALITY,
                           DESK_YES, DESK_NO, DESK_DONE})
_WITH_ENTITY: Final = re.compile(r"(/choose_language|/choose_municipality|/show_article)(\{.*\})", re.DOTALL)


def language(code: str) -> str:
    return f'{CHOOSE_LANGUAGE}{{"language":"{code}"}}'


def municipality(code: str) -> str:
    return f'{CHOOSE_MUNICIPALITY}{{"municipality":"{code}"}}'


def article(article_id: str) -> str:
    return f'{SHOW_ARTICLE}{{"article":"{article_id}"}}'


def is_allowed(payload: str, municipalities: Collection[str]) -> bool:
    """True for exactly the payloads the assistant's buttons and commands send."""
    if payload in _PLAIN:
        return True
    match = _WITH_ENTITY.fullmatch(payload)
    if match is None:
        return False
    try:
        entities = json.loads(match.group(2))
    except ValueError:
        return False
    if not isinstance(entities, dict):
        return False
    if match.group(1) == CHOOSE_LANGUAGE:
        return entities == {"language": entities.get("language")} and entities["language"] in LANGUAGES
    if match.group(1) == SHOW_ARTICLE:
        article_id = entities.get("article")
        return (entities == {"article": article_id} and isinstance(article_id, str)
                and ID_PATTERN.fullmatch(article_id) is not None)
    code = entities.get("municipality")
    return entities == {"municipality": code} and (code in municipalities or code == OTHER_MUNICIPALITY)


def as_typed_text(text: str) -> str:
    """Typed text that Rasa will read as words, never as a command: leading slashes go (a lone
    "/" becomes a full-width solidus, still not a command)."""
    stripped = text.lstrip().lstrip("/")
    return stripped if stripped.strip() else text.replace("/", "\uff0f")
