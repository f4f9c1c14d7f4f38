"""Rasa's plain answer text to Telegram HTML, in pieces that Telegram accepts.

Answers come from volunteers' Markdown articles and from translators: any ``<``, ``>`` or ``&``
in them is text, never markup, so everything is escaped first and only what this module adds
(bold, links) is HTML. A long answer is split at paragraph boundaries, each piece rendered on
its own so that no tag or entity is ever cut in half.
"""

from __future__ import annotations

import html
import re

from telegram.constants import MessageLimit

#: Telegram refuses longer message texts (Bot API sendMessage: 1-4096 characters).
MAX_MESSAGE_LENGTH: int = MessageLimit.MAX_TEXT_LENGTH

_URL = re.compile(r"https?://[^\s<>\"']+")
#: Punctuation that ends a sentence after a URL rather than belonging to it.
_URL_TRAILING = ".,;:!?)]}'\"»؟،"
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_BULLET = re.compile(r"^([ \t]*)[-*][ \t]+", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?؟።])\s+")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _split_url(candidate: str) -> tuple[str, str]:
    """A URL match without the sentence punctuation that followed it; a ``)`` stays when the URL
    opened one (https://nl.wikipedia.org/wiki/Gemeente_(Nederland))."""
    url = candidate
    while url and url[-1] in _URL_TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url, candidate[len(url):]


def _inline(text: str) -> str:
    """Escape one stretch of non-URL text and turn ``**bold**`` into ``<b>``."""
    escaped = html.escape(text, quote=False)
    return _BOLD.sub(r"<b>\1</b>", escaped)


def _bullets(text: str) -> str:
    """``- item`` lines as ``• item``: done once on the whole text, since a line start is a
    property of the text and not of the piece a split puts it in."""
    return _BULLET.sub(lambda m: f"{m.group(1)}• ", text)


def to_html(text: str) -> str:
    """Plain text (with the articles' light Markdown) as Telegram HTML: escaped, URLs as links,
    ``**bold**`` as bold, ``- item`` as a bullet."""
    return _render(_bullets(text))


def _render(text: str) -> str:
    """Escape, link and embolden (no bullets: see :func:`_bullets`)."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url, rest = _split_url(match.group(0))
        if not url.split("://", 1)[1]:
            continue
        parts.append(_inline(text[position:match.start()]))
        parts.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url, quote=False)}</a>')
        parts.append(_inline(rest))
        position = match.end()
    parts.append(_inline(text[position:]))
    return "".join(parts)


def _hard_pieces(text: str, limit: int) -> list[str]:
    """A paragraph longer than a message: cut at line ends, then sentence ends, then spaces,
    and only as a last resort inside a word."""
    for separator in ("\n", _SENTENCE_END, " "):
        units = re.split(separator, text) if isinstance(separator, re.Pattern) else text.split(separator)
        if len(units) > 1:
            joiner = " " if isinstance(separator, re.Pattern) else separator
            return _pack(units, joiner, limit)
    cut = limit
    while cut > 1 and telegram_length(_render(text[:cut])) > limit:
        cut = cut * 9 // 10
    return [text[:cut], *(_hard_pieces(text[cut:], limit) if text[cut:] else [])]


def _pack(units: list[str], joiner: str, limit: int) -> list[str]:
    """Greedily join units while the rendered piece fits; a unit that alone is too long is cut."""
    pieces: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{joiner}{unit}" if current else unit
        if telegram_length(_render(candidate)) <= limit:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if telegram_length(_render(unit)) <= limit:
            current = unit
        else:
            *full, current = _hard_pieces(unit, limit)
            pieces.extend(full)
    if current:
        pieces.append(current)
    return pieces


def split_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """``text`` as one or more Telegram HTML messages of at most ``limit`` characters each, split
    between paragraphs where possible. Empty text gives no messages."""
    text = _bullets(text.strip())
    if not text:
        return []
    paragraphs = [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    return [_render(piece) for piece in _pack(paragraphs, "\n\n", limit)]
