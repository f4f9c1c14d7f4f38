"""Tools that write knowledge files for volunteers: a new article or translation, and the
record of which Dutch version a translation translates (so outdated translations show up)."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import yaml

from vraagbaak.knowledge.loader import ID_PATTERN, TRANSLATE_MARKER, expected_path
from vraagbaak.knowledge.model import ArticleVersion, KnowledgeBase
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES

#: Front-matter field of a translation: the fingerprint of the Dutch text it translates.
TRANSLATED_FROM = "translated_from"


def source_fingerprint(source: ArticleVersion) -> str:
    """Changes when the Dutch title or answer change; not for `reviewed` or a new example
    question (those are search aids, not content a translation must follow)."""
    text = "\n".join([source.title, source.body])
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:12]


def dutch_source(kb: KnowledgeBase, version: ArticleVersion) -> ArticleVersion | None:
    """The Dutch version a translation is made from (the same municipality, else general)."""
    if version.lang == FALLBACK_LANGUAGE:
        return None
    by_key = {v.key: v for v in kb.versions}
    return by_key.get((version.id, FALLBACK_LANGUAGE, version.municipality)) or \
        by_key.get((version.id, FALLBACK_LANGUAGE, None))


def is_outdated(kb: KnowledgeBase, version: ArticleVersion) -> bool:
    """A translation whose recorded Dutch fingerprint differs from the Dutch text now. One with
    no record is untracked, not outdated: `kb new` and `kb translated` write the record."""
    source = dutch_source(kb, version)
    return source is not None and version.translated_from is not None \
        and version.translated_from != source_fingerprint(source)


def _front_matter(fields: dict[str, object]) -> str:
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, default_flow_style=False, width=1000)


def new_article(kb: KnowledgeBase, article_id: str, lang: str, municipality: str | None = None,
                today: date | None = None) -> Path:
    """Create the file for (id, lang, municipality); a translation starts from the Dutch text."""
    if not ID_PATTERN.match(article_id):
        raise ValueError(f"'{article_id}' is not a valid id: use topic/name in small letters, e.g. huisvuil/grofvuil")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}': use one of {', '.join(LANGUAGES)}")
    topic = article_id.split("/")[0]
    if topic not in kb.topics:
        raise ValueError(f"unknown topic '{topic}': use one of {', '.join(kb.topics)}")
    if municipality is not None and municipality not in kb.municipalities:
        raise ValueError(f"unknown municipality '{municipality}': use one of {', '.join(kb.municipalities)}")
    path = expected_path(kb.root, article_id, lang, municipality)
    if path.exists():
        raise FileExistsError(f"{path} already exists: edit that file instead")
    fields: dict[str, object] = {"id": article_id, "lang": lang, "topic": topic}
    if municipality:
        fields["municipality"] = municipality
    by_key = {v.key: v for v in kb.versions}
    source = None if lang == FALLBACK_LANGUAGE else (
        by_key.get((article_id, FALLBACK_LANGUAGE, municipality)) or by_key.get((article_id, FALLBACK_LANGUAGE, None)))
    if source is not None:
        fields.update(title=source.title, questions=list(source.questions), source=source.source)
        body = f"{TRANSLATE_MARKER}\n\n{source.body}\n"
    else:
        fields.update(title="", questions=[], source="https://")
        body = "\n"
    fields["reviewed"] = (today or date.today()).isoformat()
    if source is not None:
        fields[TRANSLATED_FROM] = source_fingerprint(source)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{_front_matter(fields)}---\n{body}", encoding="utf-8")
    return path


def mark_translated(kb: KnowledgeBase, path: Path) -> str:
    """Record in a translation's front matter that it now matches the current Dutch text."""
    version = next((v for v in kb.versions if v.path.resolve() == path.resolve()), None)
    if version is None:
        raise ValueError(f"{path} is not a valid article (run 'vraagbaak kb check')")
    source = dutch_source(kb, version)
    if source is None:
        raise ValueError(f"{path} has no Dutch source to be a translation of")
    fingerprint = source_fingerprint(source)
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n")
    line = f"{TRANSLATED_FROM}: {fingerprint}"
    if re.search(rf"^{TRANSLATED_FROM}:.*$", head, flags=re.M):
        head = re.sub(rf"^{TRANSLATED_FROM}:.*$", line, head, flags=re.M)
    else:
        head = f"{head}\n{line}"
    path.write_text(f"{head}{sep}{body}", encoding="utf-8")
    return fingerprint
