"""Links between articles, as something a user can tap in every channel.

Volunteers link one article to another with a relative Markdown link (`[zorgtoeslag](../zorgverzekering/zorgtoeslag.md)`).
A reader on Telegram or in the web widget cannot open a file path: the link text stays in the
answer as plain words, and the linked article becomes a button that shows it in the reader's
own language and municipality (:func:`vraagbaak.assistant.payloads.article`).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Final

from vraagbaak.knowledge.loader import ID_PATTERN

#: A Markdown link to another article's file: ``[text](../topic/name.md)`` or ``[text](name.md)``,
#: optionally to a municipal variant (``name.den-haag.md``) or with an ``#anchor``.
_ARTICLE_LINK: Final = re.compile(r"\[([^\]\n]+)\]\(\s*([^)\s:]+?\.md)(?:#[^)\s]*)?\s*\)")


@dataclass(frozen=True)
class ArticleLink:
    text: str
    article_id: str


def article_id_of(target: str, from_article: str) -> str | None:
    """The article id a relative link from ``from_article`` points to (a municipal variant's
    file points to its article), or None when the target is not an article file."""
    topic = from_article.split("/", 1)[0]
    path = posixpath.normpath(posixpath.join(topic, target))
    parts = path.split("/")
    if len(parts) != 2 or not parts[1].endswith(".md"):
        return None
    name = parts[1][: -len(".md")].split(".", 1)[0]
    article_id = f"{parts[0]}/{name}"
    return article_id if ID_PATTERN.fullmatch(article_id) else None


def split_links(body: str, from_article: str) -> tuple[str, list[ArticleLink]]:
    """The body with article links as their plain text, and each linked article once, in order
    (never the article itself)."""
    links: dict[str, ArticleLink] = {}

    def plain(match: re.Match[str]) -> str:
        text, target = match.group(1), match.group(2)
        article_id = article_id_of(target, from_article)
        if article_id is not None and article_id != from_article:
            links.setdefault(article_id, ArticleLink(text.strip(), article_id))
        return text

    return _ARTICLE_LINK.sub(plain, body), list(links.values())
