"""Links between articles work in every channel: the link's words stay in the text, the linked
article becomes a button that shows it in the reader's language and municipality."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from vraagbaak.assistant import payloads
from vraagbaak.assistant.links import ArticleLink, article_id_of, split_links
from vraagbaak.desk.records import Records
from vraagbaak.assistant.replies import Assistant, Context, Turn
from vraagbaak.knowledge.loader import load_knowledge, load_municipalities
from vraagbaak.safety.data import load_services
from vraagbaak.search.engine import SearchEngine


@pytest.mark.parametrize(("target", "article_id"), [
    ("../zorgverzekering/zorgtoeslag.md", "zorgverzekering/zorgtoeslag"),
    ("kiezen.md", "zorgverzekering/kiezen"),
    ("../huisvuil/grofvuil.haarlem.md", "huisvuil/grofvuil"),  # a variant's file: its article
    ("../../nl/zorgverzekering/kiezen.md", None),  # another language's folder is not a link target
    ("../zorgverzekering/Kiezen.md", None),
])
def test_a_relative_link_names_an_article(target: str, article_id: str | None) -> None:
    assert article_id_of(target, "zorgverzekering/verplicht") == article_id


def test_links_become_plain_words_and_each_article_one_link() -> None:
    body = ("Kies een [zorgverzekering](../zorgverzekering/kiezen.md) en vraag "
            "[zorgtoeslag](../zorgverzekering/zorgtoeslag.md#aanvragen) aan. Lees [meer](kiezen.md), "
            "[dit artikel](verplicht.md) of [de site](https://www.rijksoverheid.nl/zorg).")
    text, links = split_links(body, "zorgverzekering/verplicht")
    assert text == ("Kies een zorgverzekering en vraag zorgtoeslag aan. Lees meer, dit artikel of "
                    "[de site](https://www.rijksoverheid.nl/zorg).")
    assert links == [ArticleLink("zorgverzekering", "zorgverzekering/kiezen"),
                     ArticleLink("zorgtoeslag", "zorgverzekering/zorgtoeslag")]


def test_a_link_button_is_an_offered_payload_and_nothing_else_is() -> None:
    assert payloads.is_allowed(payloads.article("zorgverzekering/kiezen"), ())
    for forged in ('/show_article{"article":"../../etc/passwd"}', '/show_article{"article":"Kiezen"}',
                   '/show_article{"article":"a/b","lang":"ar"}', '/show_article{"article":["a/b"]}'):
        assert not payloads.is_allowed(forged, ())


def test_every_link_in_the_knowledge_base_opens_an_article(real_engine: SearchEngine, real_settings) -> None:
    kb = load_knowledge(real_settings.knowledge_dir).knowledge
    linked = 0
    for version in kb.versions:
        text, links = split_links(version.body, version.id)
        assert "](" not in text.replace("](http", ""), version.path
        for link in links:
            linked += 1
            assert real_engine.article(link.article_id, version.lang, version.municipality) is not None, \
                (version.path, link.article_id)
    assert linked >= 10  # the knowledge base does link its articles


@pytest.fixture()
def assistant(real_engine: SearchEngine, real_settings, tmp_path: Path) -> Assistant:
    settings = replace(real_settings, var_dir=tmp_path)
    return Assistant(settings, real_engine, load_municipalities(settings.knowledge_dir, []),
                     Records.open(settings), load_services(settings.knowledge_dir))


def press(assistant: Assistant, article_id: str, context: Context):  # noqa: ANN201
    turn = Turn(payloads.article(article_id), intent="show_article", article=article_id, is_payload=True)
    return assistant.respond(turn, context)


@pytest.mark.slow
def test_an_answer_offers_its_links_as_buttons_in_the_users_language(assistant: Assistant) -> None:
    context = Context("ar", "haarlem")
    answer = assistant.engine.article("zorgverzekering/verplicht", "ar", "haarlem")
    assert answer is not None
    (reply,) = [assistant.article_reply(answer, context)]
    assert "](" not in (reply.text or "")
    link_payloads = [b.payload for b in reply.buttons if b.payload.startswith(payloads.SHOW_ARTICLE)]
    assert link_payloads == [payloads.article("zorgverzekering/kiezen"), payloads.article("zorgverzekering/zorgtoeslag")]
    assert reply.custom and reply.custom["links"] == ["zorgverzekering/kiezen", "zorgverzekering/zorgtoeslag"]
    assert all(any("\u0600" <= ch <= "\u06ff" for ch in b.title) for b in reply.buttons)

    shown = press(assistant, "zorgverzekering/zorgtoeslag", context)
    custom = shown.replies[0].custom or {}
    assert shown.kind == "answer" and custom["article_id"] == "zorgverzekering/zorgtoeslag" and custom["lang"] == "ar"
    assert shown.remember == {"last_article_id": "zorgverzekering/zorgtoeslag"}


@pytest.mark.slow
def test_a_linked_article_is_the_users_municipal_variant(assistant: Assistant) -> None:
    shown = press(assistant, "huisvuil/grofvuil", Context("nl", "haarlem"))
    custom = shown.replies[0].custom or {}
    assert custom["article_id"] == "huisvuil/grofvuil" and custom["municipality"] == "haarlem"


@pytest.mark.slow
def test_a_link_to_an_article_that_is_gone_says_so_politely(assistant: Assistant) -> None:
    shown = press(assistant, "huisvuil/bestaat-niet", Context("ti", None))
    assert shown.kind == "no_answer" and any("\u1200" <= ch <= "\u137f" for ch in shown.replies[0].text or "")
