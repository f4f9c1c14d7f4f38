"""The welcome, help and out-of-scope texts name the topics of knowledge/topics.yaml, in the
user's language and in that file's order: a new topic there is named in every channel."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vraagbaak.assistant.i18n import translator
from vraagbaak.assistant.topics import help_text, out_of_scope_text, topic_list, welcome_text
from vraagbaak.settings import Settings

SETTINGS = Settings()


@pytest.mark.parametrize("lang", ["nl", "en", "ar", "ti"])
def test_every_text_names_every_topic_in_the_users_language(lang: str) -> None:
    names = [n[lang] for n in yaml.safe_load((SETTINGS.knowledge_dir / "topics.yaml").read_text()).values()]
    t = translator(SETTINGS.translations_dir, lang)
    for text in (welcome_text(t, SETTINGS.knowledge_dir), help_text(t, SETTINGS.knowledge_dir),
                 out_of_scope_text(t, SETTINGS.knowledge_dir)):
        assert "{topics}" not in text
        for name in names:
            assert (name.lower() if lang in ("nl", "en") else name) in text, (lang, name, text)


def test_a_new_topic_is_named_without_a_new_translation(tmp_path: Path) -> None:
    (tmp_path / "topics.yaml").write_text("werk: {nl: Werk, en: Work, ar: العمل, ti: ስራሕ}\n"
                                          "verkeer: {nl: Verkeer, en: Traffic, ar: المرور, ti: ትራፊክ}\n",
                                          encoding="utf-8")
    assert topic_list(tmp_path, "nl") == "werk en verkeer"
    assert topic_list(tmp_path, "en") == "work and traffic"
