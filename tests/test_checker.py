"""`kb check`: problems across files (duplicates, missing languages, links) and per version
(official source, stale), plus the real knowledge base in the repository."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest

from knowledge_factory import (
    ALL_LANGS, REPO_KNOWLEDGE, TODAY, KnowledgeFactory, assert_reported, line_of, problems_with,
)
from vraagbaak.knowledge.checker import check_knowledge, is_official, is_stale
from vraagbaak.languages import LANGUAGES


@pytest.fixture
def kb(tmp_path) -> KnowledgeFactory:
    return KnowledgeFactory(tmp_path)


def test_complete_article_has_no_problems(kb):
    kb.article_in(ALL_LANGS)
    kb.article_in(ALL_LANGS, municipality="den-haag")
    report = kb.check()
    assert report.problems == []
    assert len(report.knowledge.versions) == 8


# --- the same article twice -------------------------------------------------------------------

def test_copied_file_with_the_same_id_lang_and_municipality_is_an_error(kb):
    original = kb.article()
    copy = kb.write_raw("nl/huisvuil/grofvuil-kopie.md", original.read_text(encoding="utf-8"))
    report = kb.check()
    copy_errors = [p for p in report.errors if p.path == copy]
    assert copy_errors, "a second file with the same id, lang and municipality must be an error"
    assert all(p.line == line_of(copy, "id:") for p in copy_errors)
    assert [v.path for v in report.knowledge.versions] == [original]  # never served twice
    assert not [p for p in report.errors if p.path == original]


def test_copied_file_is_reported_as_a_duplicate_naming_the_other_file(kb):
    original = kb.article()
    copy = kb.write_raw("nl/huisvuil/grofvuil-kopie.md", original.read_text(encoding="utf-8"))
    report = kb.check()
    assert_reported(kb, report.problems, code="duplicate_version", severity="error", path=copy,
                    line=line_of(copy, "id:"),
                    en=["same id, language and municipality", "knowledge/nl/huisvuil/grofvuil.md"],
                    nl=["dezelfde id, taal en gemeente", "knowledge/nl/huisvuil/grofvuil.md"])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_same_version_reachable_twice_is_a_duplicate(kb):
    original = kb.article()
    link = kb.root / "nl" / "huisvuil" / "grofvuil-link.md"
    link.symlink_to(original.name)
    report = kb.check()
    duplicates = problems_with(report.problems, "duplicate_version")
    assert len(duplicates) == 1
    assert duplicates[0].severity == "error"
    assert duplicates[0].line == line_of(original, "id:")
    assert "knowledge/nl/huisvuil/" in duplicates[0].message("en")
    assert "Another file has the same id, language and municipality" in duplicates[0].message("en")


# --- languages and municipalities -------------------------------------------------------------

def test_article_missing_a_language_is_a_warning(kb):
    paths = kb.article_in(("nl", "en", "ar"))
    report = kb.check()
    assert report.errors == []
    assert_reported(kb, report.problems, code="missing_language", severity="warning", path=paths["nl"], line=1,
                    en=["huisvuil/grofvuil", "no ti version"], nl=["huisvuil/grofvuil", "geen ti-versie"])
    assert len(report.problems) == 1
    assert len(report.knowledge.versions) == 3  # still served


def test_article_without_dutch_version_warns_about_nl(kb):
    paths = kb.article_in(("en", "ar", "ti"))
    report = kb.check()
    [problem] = report.problems
    assert problem.code == "missing_language" and problem.severity == "warning"
    assert problem.params["lang"] == "nl"
    assert problem.path in paths.values()


def test_municipal_variant_missing_languages_names_the_municipality(kb):
    kb.article_in(ALL_LANGS)
    variant = kb.article(municipality="enschede")
    report = kb.check()
    missing = problems_with(report.problems, "missing_language")
    assert sorted(p.params["lang"] for p in missing) == ["ar", "en", "ti"]
    assert all(p.path == variant and p.severity == "warning" for p in missing)
    assert "Article huisvuil/grofvuil has no en version for enschede." in \
        next(p for p in missing if p.params["lang"] == "en").message("en")


def test_municipal_variant_without_general_version_is_a_warning(kb):
    kb.article_in(ALL_LANGS, municipality="den-haag")
    kb.article_in(("en", "ar", "ti"))  # general version exists, except in Dutch
    variant = kb.root / "nl/huisvuil/grofvuil.den-haag.md"
    report = kb.check()
    assert report.errors == []
    assert_reported(kb, report.problems, code="variant_without_general", severity="warning", path=variant,
                    line=line_of(variant, "municipality:"),
                    en=["municipal variant", "no general nl version", "huisvuil/grofvuil"],
                    nl=["gemeentelijke versie", "geen algemene nl-versie", "huisvuil/grofvuil"])
    assert len(report.knowledge.versions) == 7


# --- links ------------------------------------------------------------------------------------

LINKS_BODY = """

Grote spullen zijn grofvuil.
Lees ook [ophaaldagen](ophaaldagen.md) en [zorgtoeslag](../zorgverzekering/zorgtoeslag.md#hoeveel).
Kijk op [de gemeente](https://www.denhaag.nl/nl/afval/) of [een onbekende site](https://does-not-exist.invalid/x).
Bel [14 070](tel:14070), mail [ons](mailto:info@example.nl) of lees [hieronder](#kosten).
Zie ook [scheiden](afval-scheiden.md "Afval scheiden")."""


def test_links_to_existing_files_and_web_links_are_fine(kb):
    kb.article("huisvuil/ophaaldagen")
    kb.article("zorgverzekering/zorgtoeslag")
    kb.article("huisvuil/afval-scheiden")
    kb.article(body=LINKS_BODY)
    report = kb.check(stale_after_days=365)
    assert problems_with(report.problems, "broken_link") == []
    assert report.errors == []


def test_broken_relative_link_is_an_error_at_the_line_of_the_link(kb):
    kb.article("huisvuil/ophaaldagen")
    kb.article("zorgverzekering/zorgtoeslag")
    path = kb.article(body=LINKS_BODY.replace("afval-scheiden.md", "afvalscheiden.md"))
    report = kb.check()
    assert_reported(kb, report.problems, code="broken_link", severity="error", path=path,
                    line=line_of(path, "afvalscheiden.md"),
                    en=["'afvalscheiden.md'", "does not exist"], nl=["'afvalscheiden.md'", "niet bestaat"])


def test_two_broken_links_on_one_line_are_both_reported(kb):
    path = kb.article(body="Eerste regel.\n\nLees [a](../werk/cv.md) en [b](../../nl/werk/bijstand.md).")
    report = kb.check()
    broken = problems_with(report.problems, "broken_link", path)
    assert sorted(p.params["target"] for p in broken) == ["../../nl/werk/bijstand.md", "../werk/cv.md"]
    assert {p.line for p in broken} == {line_of(path, "Lees [a]")}


def test_link_to_a_folder_is_broken(kb):
    kb.article("werk/cv")
    path = kb.article(body="Lees [werk](../werk/) voor meer.")
    report = kb.check()
    [problem] = problems_with(report.problems, "broken_link", path)
    assert problem.line == line_of(path, "Lees [werk]")


def test_web_link_is_not_checked(kb):
    kb.article_in(("en", "ar", "ti"))
    kb.article(body="Kijk op [de site](https://nowhere.invalid/page-that-does-not-exist).\n"
                    "Of op [deze](http://localhost:1/nope) en [die](HTTPS://EXAMPLE.INVALID/nope).")
    report = kb.check()
    assert report.problems == []


# --- sources ----------------------------------------------------------------------------------

def test_unofficial_source_is_a_warning(kb):
    path = kb.article(source="https://www.wikipedia.org/wiki/Grofvuil")
    report = kb.check()
    assert_reported(kb, report.problems, code="unofficial_source", severity="warning", path=path,
                    line=line_of(path, "source:"), en=["wikipedia.org", "not on a known official site"],
                    nl=["wikipedia.org", "niet op een bekende officiële site"])
    assert len(report.knowledge.versions) == 1


@pytest.mark.parametrize(
    ("url", "official"),
    [
        ("https://www.rijksoverheid.nl/onderwerpen/zorgtoeslag", True),
        ("https://rijksoverheid.nl/x", True),
        ("https://www.denhaag.nl/nl/afval/", True),
        ("http://WWW.DUO.NL/particulier", True),
        ("https://rijksoverheid.nl.example.com/x", False),
        ("https://nietrijksoverheid.nl/x", False),
        ("https://www.hetbegintmettaal.nl/", False),
    ],
)
def test_is_official(url, official):
    assert is_official(url) is official


# --- stale ------------------------------------------------------------------------------------

def test_stale_reviewed_date_is_a_warning(kb):
    path = kb.article(reviewed=TODAY - timedelta(days=366))
    report = kb.check(stale_after_days=365)
    assert_reported(kb, report.problems, code="stale", severity="warning", path=path,
                    line=line_of(path, "reviewed:"), en=["2025-11-22", "more than 365 days"],
                    nl=["2025-11-22", "meer dan 365 dagen"])
    assert len(report.knowledge.versions) == 1


def test_reviewed_exactly_at_the_limit_is_fresh(kb):
    kb.article(reviewed=TODAY - timedelta(days=365))
    report = kb.check(stale_after_days=365)
    assert problems_with(report.problems, "stale") == []


def test_stale_after_days_is_honoured(kb):
    kb.article(reviewed=TODAY - timedelta(days=31))
    assert problems_with(kb.check(stale_after_days=30).problems, "stale")
    assert not problems_with(kb.check(stale_after_days=31).problems, "stale")
    version = kb.load().knowledge.versions[0]
    assert is_stale(version, TODAY, 30) and not is_stale(version, TODAY, 31)


# --- the report -------------------------------------------------------------------------------

def test_errors_come_before_warnings_and_are_split(kb):
    kb.article("huisvuil/grofvuil", reviewed=TODAY - timedelta(days=400))  # warnings (stale, languages)
    kb.article("werk/cv", "en", topic="huisvuil")  # error
    report = kb.check()
    assert [p.code for p in report.errors] == ["id_topic_mismatch"]
    assert {p.code for p in report.warnings} == {"stale", "missing_language"}
    assert report.problems[0].severity == "error"
    assert report.problems == report.errors + report.warnings


def test_broken_settings_file_is_reported(kb):
    kb.write_raw("municipalities.yaml", "den-haag:\n  name: Den Haag\n  phone: [14 070\n")
    kb.article()
    report = kb.check()
    [problem] = problems_with(report.problems, "bad_config")
    assert problem.path == kb.root / "municipalities.yaml"
    assert "cannot be read" in problem.message("en")


# --- the real knowledge base ------------------------------------------------------------------

def test_real_knowledge_base_has_no_errors():
    report = check_knowledge(REPO_KNOWLEDGE)
    assert [p.format(relative_to=REPO_KNOWLEDGE.parent) for p in report.errors] == []
    assert len(report.knowledge.versions) >= 132
    kb = report.knowledge
    ids = kb.ids()
    assert ids
    for article_id in ids:
        versions = kb.versions_of(article_id)
        for municipality in {v.municipality for v in versions}:
            langs = sorted(v.lang for v in versions if v.municipality == municipality)
            assert langs == sorted(LANGUAGES), (article_id, municipality, langs)
        assert {v.lang for v in versions if v.municipality is None} == set(LANGUAGES), article_id
