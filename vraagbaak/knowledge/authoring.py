"""Tools that write knowledge files for volunteers: a new article or translation, the record of
which Dutch version a translation translates (so outdated translations show up), and whether a
native speaker checked it."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import yaml

from vraagbaak.knowledge.loader import HANDLE_PATTERN, ID_PATTERN, NATIVE_FIELDS, TRANSLATE_MARKER, expected_path
from vraagbaak.knowledge.model import MACHINE, NATIVE, ArticleVersion, KnowledgeBase
from vraagbaak.knowledge.problems import Problem
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES

#: Front-matter field of a translation: the fingerprint of the Dutch text it translates.
TRANSLATED_FROM = "translated_from"


class Refused(Exception):
    """A command will not change this file; ``problem`` says why and how to fix it."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message())
        self.problem = problem


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
    if lang != FALLBACK_LANGUAGE:
        fields["review"] = MACHINE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{_front_matter(fields)}---\n{body}", encoding="utf-8")
    return path


def _scalar(value: str) -> str:
    """``value`` as YAML that reads back as the same text (a handle like ``null`` is quoted)."""
    return value if yaml.safe_load(value) == value else f'"{value}"'


def set_front_matter(path: Path, changes: dict[str, str | None]) -> None:
    """Set (or, for None, remove) top-level fields of a file's front matter, each value written
    as given (YAML); a new field goes last. Every other byte of the file stays as it was, the
    answer text above all."""
    lines = path.read_bytes().decode("utf-8").splitlines(keepends=True)
    closing = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    head = lines[1:closing]
    for key, value in changes.items():
        start = next((i for i, line in enumerate(head) if re.match(rf"{re.escape(key)}\s*:", line)), None)
        new = [] if value is None else [f"{key}: {value}{newline}"]
        if start is None:
            head += new
            continue
        end = start + 1
        while end < len(head) and head[end][:1] in (" ", "\t"):  # the value continues on indented lines
            end += 1
        head[start:end] = new
    path.write_bytes("".join([lines[0], *head, *lines[closing:]]).encode("utf-8"))


def _version_at(kb: KnowledgeBase, path: Path) -> ArticleVersion | None:
    return next((v for v in kb.versions if v.path.resolve() == path.resolve()), None)


def mark_translated(kb: KnowledgeBase, path: Path) -> str:
    """Record in a translation's front matter that it now matches the current Dutch text. The
    text changed since any native review, so it is a machine translation again until the next."""
    version = _version_at(kb, path)
    if version is None:
        raise ValueError(f"{path} is not a valid article (run 'vraagbaak kb check')")
    source = dutch_source(kb, version)
    if source is None:
        raise ValueError(f"{path} has no Dutch source to be a translation of")
    fingerprint = source_fingerprint(source)
    set_front_matter(path, {TRANSLATED_FROM: fingerprint, "review": MACHINE, **dict.fromkeys(NATIVE_FIELDS)})
    return fingerprint


def _refusal(kb: KnowledgeBase, path: Path, version: ArticleVersion | None) -> Problem | None:
    """Why `kb reviewed` may not mark this file (None when it may)."""
    if version is None:
        inside = path.suffix == ".md" and path.resolve().is_relative_to(kb.root.resolve())
        code = "reviewed_invalid" if path.is_file() and inside else "reviewed_not_article"
        return Problem(path, 1, "error", code)
    if version.lang == FALLBACK_LANGUAGE:
        return Problem(path, version.line_of("lang"), "error", "reviewed_source")
    source = dutch_source(kb, version)
    if source is not None and is_outdated(kb, version):
        return Problem(path, version.line_of(TRANSLATED_FROM), "error", "reviewed_outdated",
                       {"source": source.path.relative_to(kb.root.parent),
                        "path": version.path.relative_to(kb.root.parent)})
    return None


def mark_native_reviewed(kb: KnowledgeBase, path: Path, handle: str, today: date | None = None) -> None:
    """Record that a native speaker, named by a handle (a user name), checked this translation
    against the Dutch text today. Raises :class:`Refused` with the reason for anything else."""
    refusal = _refusal(kb, path, _version_at(kb, path))
    if refusal is None and not HANDLE_PATTERN.match(handle):
        refusal = Problem(path, 1, "error", "bad_handle", {"value": handle})
    if refusal is not None:
        raise Refused(refusal)
    set_front_matter(path, {"review": NATIVE, "native_reviewer": _scalar(handle),
                            "native_reviewed": (today or date.today()).isoformat()})
