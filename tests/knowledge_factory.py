"""Write small knowledge bases into a temporary folder, the way a volunteer would.

``KnowledgeFactory(tmp_path)`` creates ``tmp_path/knowledge`` with the repository's real
``municipalities.yaml`` and ``topics.yaml``. :meth:`KnowledgeFactory.article` writes one valid
article at its correct path (``knowledge/<lang>/<topic>/<name>[.<municipality>].md``); tests then
break it with :meth:`KnowledgeFactory.edit` (replace a piece of text), :meth:`write_raw` or
field overrides, and check what :func:`load_knowledge` / :func:`check_knowledge` report.

:func:`line_of` finds line numbers by content, independently of the code under test, so tests
can assert exact lines without counting by hand.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from vraagbaak.knowledge.checker import CheckReport, check_knowledge
from vraagbaak.knowledge.loader import LoadResult, load_knowledge
from vraagbaak.knowledge.problems import Problem

REPO_ROOT = Path(__file__).resolve().parent.parent
REPO_KNOWLEDGE = REPO_ROOT / "knowledge"
ALL_LANGS = ("nl", "en", "ar", "ti")

#: A fixed "today" so dates in tests never depend on the clock.
TODAY = date(2026, 11, 23)
FRESH = TODAY - timedelta(days=30)
OFFICIAL_SOURCE = "https://www.rijksoverheid.nl/onderwerpen/afval"


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: Pass as a field value to leave the field out of the front matter entirely.
OMIT: Any = _Omit()

#: Realistic text per language, in the script that language is written in.
DEFAULT_TEXT: dict[str, dict[str, Any]] = {
    "nl": {
        "title": "Grofvuil kwijtraken",
        "questions": ["Hoe word ik mijn oude bank kwijt?", "Waar laat ik een kapotte koelkast?",
                      "Grofvuil ophalen"],
        "body": "Grote spullen zoals een bank, matras of koelkast zijn grofvuil.\n"
                "Maak een afspraak met de gemeente om het op te laten halen.",
    },
    "en": {
        "title": "Getting rid of bulky waste",
        "questions": ["How do I get rid of my old sofa?", "Where do I leave a broken fridge?",
                      "Bulky waste collection"],
        "body": "Large items such as a sofa, mattress or fridge are bulky waste.\n"
                "Make an appointment with the municipality to have it collected.",
    },
    "ar": {
        "title": "التخلص من النفايات الكبيرة",
        "questions": ["كيف أتخلص من الأريكة القديمة؟", "أين أضع الثلاجة المعطلة؟",
                      "جمع النفايات الكبيرة"],
        "body": "الأشياء الكبيرة مثل الأريكة أو الفراش أو الثلاجة هي نفايات كبيرة.\n"
                "احجز موعدا مع البلدية لجمعها من بيتك.",
    },
    "ti": {
        "title": "ዓበይቲ ጓሓፍ ምውጋድ",
        "questions": ["ኣረጊት ሶፋ ከመይ ገይረ ይድርብዮ?", "ዝተበላሸወ ፍሪጅ ኣበይ ይገድፎ?",
                      "ዓበይቲ ጓሓፍ ምልዓል"],
        "body": "ከም ሶፋን ፍራሽን ፍሪጅን ዝኣመሰሉ ዓበይቲ ነገራት ዓበይቲ ጓሓፍ እዮም።\n"
                "ንምልዓሎም ምስ ማዘጋጃ ቤት ቆጸራ ግበሩ።",
    },
}

FIELD_ORDER = ("id", "lang", "topic", "municipality", "title", "questions", "source", "reviewed")


def _render_value(name: str, value: Any) -> list[str]:
    if name == "questions" and isinstance(value, (list, tuple)):
        return ["questions:"] + [f'  - "{q}"' for q in value]
    if isinstance(value, date):
        value = value.isoformat()
    return [f"{name}: {value}"]


def render_article(
    article_id: str = "huisvuil/grofvuil",
    lang: str = "nl",
    municipality: str | None = None,
    *,
    body: str | None = None,
    extra: Sequence[str] = (),
    **fields: Any,
) -> str:
    """The text of a valid article; ``fields`` override (raw YAML text, a list for questions,
    a date, or :data:`OMIT`); ``extra`` lines are added at the end of the front matter."""
    defaults = DEFAULT_TEXT.get(lang, DEFAULT_TEXT["nl"])
    values: dict[str, Any] = {
        "id": article_id,
        "lang": lang,
        "topic": article_id.split("/", 1)[0],
        "municipality": municipality if municipality is not None else OMIT,
        "title": defaults["title"],
        "questions": list(defaults["questions"]),
        "source": OFFICIAL_SOURCE,
        "reviewed": FRESH,
    }
    unknown = set(fields) - set(values)
    values.update(fields)
    lines = ["---"]
    for name in (*FIELD_ORDER, *sorted(unknown)):
        if values[name] is not OMIT:
            lines += _render_value(name, values[name])
    lines += list(extra)
    lines.append("---")
    lines.append(defaults["body"] if body is None else body)
    return "\n".join(lines) + "\n"


def article_path(root: Path, article_id: str, lang: str, municipality: str | None = None) -> Path:
    """Where the README says a file with these fields belongs (written independently of the
    loader's own ``expected_path``)."""
    topic, name = article_id.split("/", 1)
    return root / lang / topic / (f"{name}.{municipality}.md" if municipality else f"{name}.md")


def line_of(path: Path, needle: str, occurrence: int = 1) -> int:
    """1-based number of the line of ``path`` holding ``needle`` (the n-th such line)."""
    found = 0
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").split("\n"), start=1):
        if needle in line:
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found in {path}")


class KnowledgeFactory:
    """A knowledge folder in ``tmp_path`` with the real municipalities, topics and safety files."""

    def __init__(self, tmp_path: Path) -> None:
        self.root = tmp_path / "knowledge"
        self.root.mkdir(parents=True, exist_ok=True)
        for name in ("municipalities.yaml", "topics.yaml"):
            shutil.copyfile(REPO_KNOWLEDGE / name, self.root / name)
        shutil.copytree(REPO_KNOWLEDGE / "safety", self.root / "safety")

    def article(self, article_id: str = "huisvuil/grofvuil", lang: str = "nl",
                municipality: str | None = None, *, path: str | Path | None = None, **kwargs: Any) -> Path:
        """Write one article (valid unless ``kwargs`` break it) and return its path.
        ``path`` (relative to the knowledge folder) puts it somewhere else than it belongs."""
        text = render_article(article_id, lang, municipality, **kwargs)
        target = self.root / path if path is not None else article_path(self.root, article_id, lang, municipality)
        return self.write_raw(target, text)

    def article_in(self, langs: Iterable[str] = ALL_LANGS, article_id: str = "huisvuil/grofvuil",
                   municipality: str | None = None, **kwargs: Any) -> dict[str, Path]:
        """The same article in several languages."""
        return {lang: self.article(article_id, lang, municipality, **kwargs) for lang in langs}

    def write_raw(self, path: str | Path, content: str | bytes) -> Path:
        target = Path(path)
        if not target.is_absolute():
            target = self.root / target
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_bytes(content.encode("utf-8"))  # no newline translation
        return target

    def edit(self, path: Path, old: str, new: str) -> Path:
        """Replace ``old`` (which must occur exactly once) by ``new``, like a volunteer's edit."""
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
        path.write_bytes(text.replace(old, new).encode("utf-8"))
        return path

    def load(self, today: date = TODAY) -> LoadResult:
        return load_knowledge(self.root, today)

    def check(self, today: date = TODAY, stale_after_days: int = 365) -> CheckReport:
        return check_knowledge(self.root, today, stale_after_days)

    def relative(self, path: Path) -> str:
        """How messages name a file: relative to the folder that holds knowledge/."""
        return path.resolve().relative_to(self.root.parent.resolve()).as_posix()


def problems_with(problems: Iterable[Problem], code: str, path: Path | None = None) -> list[Problem]:
    return [p for p in problems if p.code == code and (path is None or p.path.resolve() == path.resolve())]


def assert_reported(
    factory: KnowledgeFactory,
    problems: Iterable[Problem],
    *,
    code: str,
    severity: str,
    path: Path,
    line: int,
    en: Sequence[str],
    nl: Sequence[str],
) -> Problem:
    """Exactly one ``code`` problem for ``path``, at ``line``, with ``severity``, whose English
    and Dutch messages (``file:line: label: text``) contain the given words."""
    problems = list(problems)
    found = problems_with(problems, code, path)
    assert len(found) == 1, f"expected one {code} for {path}, got: " + "\n".join(p.format() for p in problems)
    problem = found[0]
    assert problem.severity == severity
    assert problem.line == line, f"{code} reported at line {problem.line}, expected {line}"
    where = f"{factory.relative(path)}:{line}: "
    labels = {"en": {"error": "error", "warning": "warning"}, "nl": {"error": "fout", "warning": "waarschuwing"}}
    for lang, words in (("en", en), ("nl", nl)):
        text = problem.format(lang, relative_to=factory.root.parent)
        assert text.startswith(f"{where}{labels[lang][severity]}: "), text
        assert "{" not in text and "}" not in text, f"unfilled placeholder: {text}"
        for word in words:
            assert word.lower() in text.lower(), f"{word!r} not in {lang} message: {text}"
    return problem
