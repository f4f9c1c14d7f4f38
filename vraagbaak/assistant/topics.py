"""The topics the assistant answers about, as the welcome and the out-of-scope reply name them
in the user's language. knowledge/topics.yaml is the one list: a new topic there is named in
every channel without touching the translations."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.lists import format_list

from vraagbaak.assistant import texts
from vraagbaak.assistant.i18n import Translator
from vraagbaak.knowledge.loader import load_topics
from vraagbaak.languages import FALLBACK_LANGUAGE

#: Topic names are headings ("Werk en inkomen"); inside a sentence these scripts use lower case.
_LOWER_CASE_IN_SENTENCE = frozenset({"nl", "en"})


@lru_cache(maxsize=4)
def _topic_names(knowledge_dir: Path) -> tuple[dict[str, str], ...]:
    return tuple(load_topics(knowledge_dir, []).values())


def topic_list(knowledge_dir: Path, lang: str) -> str:
    """"a, b en c" in ``lang``, from topics.yaml (a missing name falls back to Dutch)."""
    names = [n.get(lang) or n.get(FALLBACK_LANGUAGE, "") for n in _topic_names(knowledge_dir)]
    names = [n.lower() if lang in _LOWER_CASE_IN_SENTENCE else n for n in names if n]
    return format_list(names, locale=lang)


def welcome_text(t: Translator, knowledge_dir: Path) -> str:
    return t(texts.WELCOME, topics=topic_list(knowledge_dir, t.lang))


def out_of_scope_text(t: Translator, knowledge_dir: Path) -> str:
    return t(texts.OUT_OF_SCOPE, topics=topic_list(knowledge_dir, t.lang))


def help_text(t: Translator, knowledge_dir: Path) -> str:
    """How to ask, then what about: the help reply in every channel."""
    return f"{t(texts.HELP)}\n\n{out_of_scope_text(t, knowledge_dir)}"
