"""`kb new` and translation freshness: what a volunteer does, end to end through the checker."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from search_helpers import knowledge_subset
from vraagbaak.knowledge.authoring import is_outdated, mark_translated, new_article, source_fingerprint
from vraagbaak.knowledge.loader import TRANSLATE_MARKER
from vraagbaak.knowledge.checker import check_knowledge
from vraagbaak.knowledge.loader import load_knowledge
from vraagbaak.knowledge.status import OUTDATED, coverage


@pytest.fixture()
def knowledge(tmp_path: Path) -> Path:
    return knowledge_subset(tmp_path, ["werk/cv", "huisvuil/grofvuil"])


def codes(root: Path) -> dict[str, list[str]]:
    report = check_knowledge(root, today=date(2026, 11, 23))
    found: dict[str, list[str]] = {}
    for p in report.problems:
        found.setdefault(p.code, []).append(str(p.path.relative_to(root)))
    return found


def test_the_real_translations_are_up_to_date() -> None:
    from vraagbaak.settings import PROJECT_ROOT

    kb = load_knowledge(PROJECT_ROOT / "knowledge").knowledge
    outdated = [str(v.path) for v in kb.versions if is_outdated(kb, v)]
    assert outdated == []


def test_changing_the_dutch_text_marks_its_translations_outdated(knowledge: Path) -> None:
    assert "outdated_translation" not in codes(knowledge)
    dutch = knowledge / "nl" / "werk" / "cv.md"
    dutch.write_text(dutch.read_text(encoding="utf-8").rstrip() + "\nEen nieuwe zin.\n", encoding="utf-8")
    outdated = codes(knowledge)["outdated_translation"]
    assert sorted(outdated) == ["ar/werk/cv.md", "en/werk/cv.md", "ti/werk/cv.md"]
    kb = load_knowledge(knowledge).knowledge
    assert {r.article_id: r.cells for r in coverage(kb, date(2026, 11, 23), 365)}["werk/cv"]["ar"] == OUTDATED

    mark_translated(kb, knowledge / "ar" / "werk" / "cv.md")
    assert sorted(codes(knowledge)["outdated_translation"]) == ["en/werk/cv.md", "ti/werk/cv.md"]


def test_a_new_dutch_example_question_does_not_outdate_translations(knowledge: Path) -> None:
    dutch = knowledge / "nl" / "werk" / "cv.md"
    dutch.write_text(dutch.read_text(encoding="utf-8").replace("questions:\n", 'questions:\n  - "cv hulp"\n', 1),
                     encoding="utf-8")
    assert "outdated_translation" not in codes(knowledge)


def test_kb_new_translation_starts_from_the_dutch_text_and_cannot_be_published_untranslated(knowledge: Path) -> None:
    (knowledge / "ti" / "werk" / "cv.md").unlink()
    kb = load_knowledge(knowledge).knowledge
    path = new_article(kb, "werk/cv", "ti", today=date(2026, 11, 23))
    assert path == knowledge / "ti" / "werk" / "cv.md"
    text = path.read_text(encoding="utf-8")
    assert TRANSLATE_MARKER in text and "translated_from:" in text
    assert (knowledge / "nl" / "werk" / "cv.md").read_text(encoding="utf-8").split("\n---\n", 1)[1].strip()[:40] in text
    assert codes(knowledge)["untranslated_text"] == ["ti/werk/cv.md"]
    with pytest.raises(FileExistsError):
        new_article(load_knowledge(knowledge).knowledge, "werk/cv", "ti")


def test_kb_new_dutch_article_starts_empty_and_cannot_be_published(knowledge: Path) -> None:
    kb = load_knowledge(knowledge).knowledge
    path = new_article(kb, "werk/stage", "nl", today=date(2026, 11, 23))
    assert path == knowledge / "nl" / "werk" / "stage.md"
    assert "id: werk/stage" in path.read_text(encoding="utf-8")
    errors = {p.code for p in check_knowledge(knowledge, today=date(2026, 11, 23)).errors
              if p.path == path}
    assert {"empty_text", "empty_body", "bad_source"} <= errors  # title, answer, source to fill in


def test_kb_new_municipal_variant_translates_that_municipalitys_dutch_text(knowledge: Path) -> None:
    """The translation of Haarlem's variant starts from Haarlem's Dutch text, not the general one."""
    target = knowledge / "en" / "huisvuil" / "grofvuil.haarlem.md"
    target.unlink()  # the fixture has it: take it away, as for a variant nobody translated yet
    kb = load_knowledge(knowledge).knowledge
    path = new_article(kb, "huisvuil/grofvuil", "en", "haarlem", today=date(2026, 11, 23))
    assert path == target and path.is_file()

    haarlem_dutch = next(v for v in kb.versions if v.key == ("huisvuil/grofvuil", "nl", "haarlem"))
    general_dutch = next(v for v in kb.versions if v.key == ("huisvuil/grofvuil", "nl", None))
    text = path.read_text(encoding="utf-8")
    assert "municipality: haarlem" in text and f"translated_from: {source_fingerprint(haarlem_dutch)}" in text
    assert haarlem_dutch.body.strip() in text and general_dutch.body.strip() not in text
    assert codes(knowledge)["untranslated_text"] == ["en/huisvuil/grofvuil.haarlem.md"]
    # The volunteer translates: the marker and the Dutch text go, and the variant is published.
    head, _, _ = text.partition(TRANSLATE_MARKER)
    path.write_text(head + "Bulky waste in Haarlem: make an appointment with Spaarnelanden.\n", encoding="utf-8")
    after = load_knowledge(knowledge).knowledge
    created = next(v for v in after.versions if v.path.resolve() == path.resolve())
    assert created.key == ("huisvuil/grofvuil", "en", "haarlem") and not is_outdated(after, created)
    assert "untranslated_text" not in codes(knowledge)


@pytest.mark.parametrize("article_id, lang, municipality, message", [
    ("Werk/CV", "nl", None, "not a valid id"),
    ("werk/cv-nieuw", "de", None, "unknown language"),
    ("verkeer/rijbewijs", "nl", None, "unknown topic"),
    ("werk/cv-nieuw", "nl", "utrecht", "unknown municipality"),
])
def test_kb_new_explains_bad_arguments(knowledge: Path, article_id: str, lang: str, municipality: str | None,
                                       message: str) -> None:
    with pytest.raises(ValueError, match=message):
        new_article(load_knowledge(knowledge).knowledge, article_id, lang, municipality)


def test_html_report_counts_outdated_and_missing(knowledge: Path) -> None:
    from vraagbaak.knowledge.report import render_html

    dutch = knowledge / "nl" / "werk" / "cv.md"
    dutch.write_text(dutch.read_text(encoding="utf-8").rstrip() + "\nEen nieuwe zin.\n", encoding="utf-8")
    (knowledge / "ti" / "huisvuil" / "grofvuil.md").unlink()
    page = render_html(load_knowledge(knowledge).knowledge, date(2026, 11, 23), 365)
    assert page.startswith("<!doctype html>")
    assert "outdated translations (3)" in page and "knowledge/ar/werk/cv.md" in page
    assert "ontbreekt / missing" in page
    assert "<script" not in page
