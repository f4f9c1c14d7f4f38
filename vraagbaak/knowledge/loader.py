"""Read knowledge/ into a :class:`KnowledgeBase`, collecting a :class:`Problem` for every file
that cannot be used. A broken file is left out; it never stops the others from loading."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml

from vraagbaak.i18n.scripts import ARABIC, ETHIOPIC, LATIN, script_counts
from vraagbaak.knowledge.frontmatter import FrontMatterError, parse_markdown
from vraagbaak.knowledge.model import NATIVE, REVIEW_KINDS, ArticleVersion, KnowledgeBase, Municipality
from vraagbaak.knowledge.problems import Problem
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES

REQUIRED_FIELDS: Final = ("id", "lang", "topic", "title", "questions", "source", "reviewed")
OPTIONAL_FIELDS: Final = ("municipality", "translated_from", "review_by", "review", "native_reviewer",
                          "native_reviewed")
#: The fields that record a native speaker's review of a translation.
NATIVE_FIELDS: Final = ("native_reviewer", "native_reviewed")
#: A reviewer is named by a handle (a user name), never checked against anything but this form.
HANDLE_PATTERN: Final = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
ID_PATTERN: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Marks Dutch text still waiting for translation (written by `kb new`); never published.
TRANSLATE_MARKER: Final = "<!-- VERTAAL / TRANSLATE: vervang de tekst hieronder / replace the text below -->"
MUNICIPALITIES_FILE: Final = "municipalities.yaml"
TOPICS_FILE: Final = "topics.yaml"
#: Which script each language is written in, for the wrong-language check.
EXPECTED_SCRIPT: Final = {"nl": LATIN, "en": LATIN, "ar": ARABIC, "ti": ETHIOPIC}


@dataclass
class LoadResult:
    knowledge: KnowledgeBase
    problems: list[Problem]
    #: Valid files in the wrong place: not served, but kept to recognise copies (duplicates).
    misplaced: list[ArticleVersion]


def iso_date(value: object) -> date | None:
    """A front-matter date written as YYYY-MM-DD, or None (2026-2-3 and 2026-02-30 are not dates)."""
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def expected_path(root: Path, article_id: str, lang: str, municipality: str | None) -> Path:
    """Where a file with these fields belongs: ``<lang>/<topic>/<name>[.<municipality>].md``."""
    topic, name = article_id.split("/", 1)
    suffix = f".{municipality}" if municipality else ""
    return root / lang / topic / f"{name}{suffix}.md"


def article_files(root: Path) -> list[Path]:
    """Every Markdown file below a language folder (files at the top, like README.md, are docs)."""
    return sorted(p for p in root.glob("*/**/*.md") if p.is_file())


def _load_yaml_config(path: Path, problems: list[Problem]) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError("expected 'name: fields' entries")
        return data
    except FileNotFoundError:
        problems.append(Problem(path, 1, "error", "bad_config", {"detail": "file not found"}))
    except (yaml.YAMLError, ValueError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", 0) + 1
        problems.append(Problem(path, line, "error", "bad_config", {"detail": str(exc).splitlines()[0]}))
    return {}


def load_municipalities(root: Path, problems: list[Problem]) -> dict[str, Municipality]:
    result: dict[str, Municipality] = {}
    path = root / MUNICIPALITIES_FILE
    for code, entry in _load_yaml_config(path, problems).items():
        try:
            result[str(code)] = Municipality(str(code), str(entry["name"]), str(entry["phone"]), str(entry["website"]))
        except (KeyError, TypeError) as exc:
            problems.append(Problem(path, 1, "error", "bad_config", {"detail": f"{code}: missing {exc}"}))
    return result


def load_topics(root: Path, problems: list[Problem]) -> dict[str, dict[str, str]]:
    raw = _load_yaml_config(root / TOPICS_FILE, problems)
    return {str(k): {str(lang): str(name) for lang, name in (v or {}).items()} for k, v in raw.items()}


def dominant_script(text: str) -> str | None:
    counts = script_counts(text)
    if not counts:
        return None
    script, count = counts.most_common(1)[0]
    return script if count >= 0.6 * sum(counts.values()) else None


class _FileReader:
    """Turns one file into an ArticleVersion or problems; one instance per file."""

    def __init__(self, path: Path, root: Path, municipalities: dict[str, Municipality],
                 topics: dict[str, dict[str, str]], today: date) -> None:
        self.path, self.root = path, root
        self.municipalities, self.topics, self.today = municipalities, topics, today
        self.problems: list[Problem] = []
        self.key_lines: dict[str, int] = {}

    def problem(self, code: str, field_or_line: str | int = 1, severity: str = "error", **params: Any) -> None:
        line = field_or_line if isinstance(field_or_line, int) else self.key_lines.get(field_or_line, 1)
        self.problems.append(Problem(self.path, line, severity, code, params))  # type: ignore[arg-type]

    def read(self) -> ArticleVersion | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.problem("not_utf8")
            return None
        try:
            parsed = parse_markdown(text)
        except FrontMatterError as exc:
            self.problem(exc.code, exc.line, **exc.params)
            return None
        self.key_lines = parsed.key_lines
        data = parsed.data
        for key, line in parsed.duplicate_keys:
            self.problem("duplicate_key", line, field=key)
        known = (*REQUIRED_FIELDS, *OPTIONAL_FIELDS)
        for key in data:
            if key not in known:
                self.problem("unknown_field", key, "warning", field=key, known=", ".join(known))
        for name in REQUIRED_FIELDS:
            if name not in data or data[name] is None:
                self.problem("missing_field", 1 if name not in data else name, field=name)
        article_id = self._text(data, "id")
        lang = self._text(data, "lang")
        topic = self._text(data, "topic")
        title = self._text(data, "title")
        source = self._text(data, "source")
        if article_id and not ID_PATTERN.match(article_id):
            self.problem("bad_id", "id", value=article_id)
        if lang and lang not in LANGUAGES:
            self.problem("unknown_lang", "lang", value=lang, known=", ".join(LANGUAGES))
        if topic and topic not in self.topics:
            self.problem("unknown_topic", "topic", value=topic, known=", ".join(self.topics))
        if article_id and topic and ID_PATTERN.match(article_id) and article_id.split("/")[0] != topic:
            self.problem("id_topic_mismatch", "id", prefix=article_id.split("/")[0], topic=topic)
        municipality = data.get("municipality")
        if municipality is not None:
            municipality = str(municipality).strip()
            if municipality not in self.municipalities:
                self.problem("unknown_municipality", "municipality", value=municipality,
                             known=", ".join(self.municipalities))
        if source and not re.match(r"^https?://[^\s/]+\.[^\s]+$", source):
            self.problem("bad_source", "source", value=source)
        questions = self._questions(data)
        reviewed = self._date(data)
        review_by = self._date_field(data, "review_by", allow_future=True)
        review, reviewer, native_reviewed = self._review(data, lang)
        if not parsed.body:
            self.problem("empty_body", parsed.body_line)
        body_lines = parsed.body.split("\n")
        if TRANSLATE_MARKER in body_lines:
            self.problem("untranslated_text", parsed.body_line + body_lines.index(TRANSLATE_MARKER))
        elif lang in EXPECTED_SCRIPT and parsed.body:
            script = dominant_script(f"{title} {parsed.body}")
            if script is not None and script != EXPECTED_SCRIPT[lang]:
                self.problem("wrong_script", parsed.body_line, lang=lang, script=script)
        if any(p.severity == "error" for p in self.problems):
            return None
        assert article_id and lang and topic and title and source and reviewed is not None
        expected = expected_path(self.root, article_id, lang, municipality)
        if expected.resolve() != self.path.resolve():
            # Still returned (as misplaced), so that a copy of another file is reported as a duplicate.
            self.problem("path_mismatch", "id", expected=expected.relative_to(self.root.parent))
        return ArticleVersion(
            path=self.path, id=article_id, lang=lang, topic=topic, title=title,
            questions=tuple(questions), source=source, reviewed=reviewed, body=parsed.body,
            municipality=municipality, body_line=parsed.body_line, field_lines=dict(parsed.key_lines),
            translated_from=str(data["translated_from"]).strip() if data.get("translated_from") else None,
            review_by=review_by, review=review, native_reviewer=reviewer, native_reviewed=native_reviewed,
        )

    def _text(self, data: dict[str, Any], name: str) -> str:
        value = data.get(name)
        if value is None:
            return ""
        if not isinstance(value, (str, int, float)) or not str(value).strip():
            self.problem("empty_text", name, field=name)
            return ""
        return str(value).strip()

    def _questions(self, data: dict[str, Any]) -> list[str]:
        value = data.get("questions")
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(q, (str, int, float)) for q in value):
            self.problem("bad_questions", "questions")
            return []
        questions = [str(q).strip() for q in value if str(q).strip()]
        if len(questions) < 3:
            self.problem("few_questions", "questions", "warning", count=len(questions))
        return questions

    def _date(self, data: dict[str, Any]) -> date | None:
        value = data.get("reviewed")
        if value is None:
            return None
        reviewed = iso_date(value)
        if reviewed is None:
            self.problem("bad_date", "reviewed", value=value)
            return None
        if reviewed > self.today:
            self.problem("future_date", "reviewed", value=reviewed.isoformat())
        return reviewed

    def _date_field(self, data: dict[str, Any], name: str, allow_future: bool) -> date | None:
        """An optional date other than `reviewed`; its messages name the field, since
        `review_by` lies ahead on purpose and `native_reviewed` does not."""
        value = data.get(name)
        if value is None:
            return None
        result = iso_date(value)
        if result is None:
            self.problem("bad_date_field", name, field=name, value=value)
            return None
        if not allow_future and result > self.today:
            self.problem("future_date_field", name, field=name, value=result.isoformat())
        return result

    def _review(self, data: dict[str, Any], lang: str) -> tuple[str | None, str | None, date | None]:
        """`review`, `native_reviewer` and `native_reviewed`: whether a native speaker checked
        a translation. Dutch is the source text, so there they mean nothing."""
        present = [name for name in ("review", *NATIVE_FIELDS) if data.get(name) is not None]
        if lang == FALLBACK_LANGUAGE:
            if present:
                self.problem("review_on_source", present[0], "warning", fields=", ".join(present))
            return None, None, None
        review = self._text(data, "review") or None
        reviewer = self._text(data, "native_reviewer") or None
        reviewed = self._date_field(data, "native_reviewed", allow_future=False)
        if review is not None and review not in REVIEW_KINDS:
            self.problem("unknown_review", "review", value=review, known=", ".join(REVIEW_KINDS))
        if reviewer is not None and not HANDLE_PATTERN.match(reviewer):
            self.problem("bad_handle", "native_reviewer", value=reviewer)
        if review == NATIVE:
            missing = [name for name in NATIVE_FIELDS if data.get(name) is None]
            if missing:
                self.problem("native_incomplete", "review", fields=", ".join(missing))
        elif any(data.get(name) is not None for name in NATIVE_FIELDS):
            self.problem("native_fields_unused", next(n for n in NATIVE_FIELDS if data.get(n) is not None),
                         "warning")
        return review, reviewer, reviewed


def load_knowledge(root: Path, today: date | None = None) -> LoadResult:
    """Load every article under ``root``; broken files become problems, not exceptions."""
    today = today or date.today()
    problems: list[Problem] = []
    municipalities = load_municipalities(root, problems)
    topics = load_topics(root, problems)
    versions: list[ArticleVersion] = []
    misplaced: list[ArticleVersion] = []
    for path in article_files(root):
        reader = _FileReader(path, root, municipalities, topics, today)
        version = reader.read()
        problems.extend(reader.problems)
        if version is not None:
            wrong_place = any(p.code == "path_mismatch" for p in reader.problems)
            (misplaced if wrong_place else versions).append(version)
    return LoadResult(KnowledgeBase(root, versions, municipalities, topics), problems, misplaced)
