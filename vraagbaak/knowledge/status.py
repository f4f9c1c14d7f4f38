"""`kb status`: which article exists in which language and municipality, what is stale, which
figures must be checked again soon, and which translations await a native speaker's review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vraagbaak.knowledge.authoring import is_outdated
from vraagbaak.knowledge.checker import REVIEW_DUE_DAYS, is_review_due, is_stale
from vraagbaak.knowledge.model import ArticleVersion, KnowledgeBase
from vraagbaak.languages import FALLBACK_LANGUAGE, LANGUAGES

OK, MISSING, STALE, OUTDATED = "ok", "missing", "stale", "outdated"
SYMBOLS = {OK: "✓", MISSING: "·", STALE: "old", OUTDATED: "nl±"}


@dataclass(frozen=True)
class CoverageRow:
    article_id: str
    municipality: str | None
    cells: dict[str, str]  # language -> OK / MISSING / STALE


def coverage(kb: KnowledgeBase, today: date, stale_after_days: int) -> list[CoverageRow]:
    """One row per article and per municipal variant it has or should have."""
    by_key = {v.key: v for v in kb.versions}
    rows = []
    municipal = kb.municipal_ids()
    for article_id in kb.ids():
        places: list[str | None] = [None]
        if article_id in municipal:
            places += sorted(kb.municipalities)
        for place in places:
            cells = {}
            for lang in LANGUAGES:
                version = by_key.get((article_id, lang, place))
                if version is None:
                    cells[lang] = MISSING
                elif is_outdated(kb, version):
                    cells[lang] = OUTDATED
                else:
                    cells[lang] = STALE if is_stale(version, today, stale_after_days) else OK
            rows.append(CoverageRow(article_id, place, cells))
    return rows


def render_table(rows: list[CoverageRow]) -> str:
    """A plain-text table with a summary line per language."""
    label = lambda r: r.article_id + (f" @{r.municipality}" if r.municipality else "")  # noqa: E731
    width = max([len(label(r)) for r in rows] + [10])
    lines = [f"{'article':<{width}}  " + "  ".join(f"{lang:>4}" for lang in LANGUAGES)]
    for row in rows:
        lines.append(f"{label(row):<{width}}  " + "  ".join(f"{SYMBOLS[row.cells[lang]]:>4}" for lang in LANGUAGES))
    lines.append("")
    for state in (OK, MISSING, STALE, OUTDATED):
        counts = "  ".join(f"{lang} {sum(r.cells[lang] == state for r in rows)}" for lang in LANGUAGES)
        lines.append(f"{state:<8} {counts}")
    lines.append(f"({SYMBOLS[OK]} present, {SYMBOLS[MISSING]} missing, {SYMBOLS[STALE]} reviewed too long ago, "
                 f"{SYMBOLS[OUTDATED]} the Dutch text changed since it was translated)")
    return "\n".join(lines)


def review_due(kb: KnowledgeBase, today: date) -> list[ArticleVersion]:
    """Versions whose `review_by` is within REVIEW_DUE_DAYS or past, the earliest first."""
    due = [v for v in kb.versions if is_review_due(v, today)]
    return sorted(due, key=lambda v: (v.review_by, str(v.path)))


def awaiting_native_review(kb: KnowledgeBase) -> dict[str, int]:
    """Per translation language, how many versions no native speaker has checked yet."""
    return {lang: sum(v.lang == lang and not v.native_review for v in kb.versions)
            for lang in LANGUAGES if lang != FALLBACK_LANGUAGE}


def render_reviews(kb: KnowledgeBase, today: date) -> str:
    """The text after the table: figures to check again, and native reviews still to do."""
    due = review_due(kb, today)
    lines = [f"Figures to check again (review_by within {REVIEW_DUE_DAYS} days or past): {len(due)}"]
    for version in due:
        assert version.review_by is not None
        state = "past" if version.review_by < today else "due"
        lines.append(f"  {version.review_by.isoformat()} {state:<4} {version.path.relative_to(kb.root.parent)}")
    waiting = awaiting_native_review(kb)
    lines.append("Awaiting a native speaker's review (review: machine): "
                 + "  ".join(f"{lang} {count}" for lang, count in waiting.items()))
    return "\n".join(lines)
