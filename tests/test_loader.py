"""The loader on good files and on the field mistakes volunteers make.

Every broken case asserts the problem code, severity, file and exact line, and that the English
and Dutch messages say what is wrong in plain words (see ``assert_reported``).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from knowledge_factory import (
    ALL_LANGS, FRESH, OMIT, TODAY, KnowledgeFactory, assert_reported, line_of, problems_with,
)
from vraagbaak.knowledge.loader import REQUIRED_FIELDS, expected_path, load_knowledge


@pytest.fixture
def kb(tmp_path) -> KnowledgeFactory:
    return KnowledgeFactory(tmp_path)


def errors(problems):
    return [p for p in problems if p.severity == "error"]


# --- good files -------------------------------------------------------------------------------

def test_valid_article_in_all_languages_loads_without_problems(kb):
    paths = kb.article_in(ALL_LANGS)
    result = kb.load()
    assert result.problems == []
    assert sorted(v.lang for v in result.knowledge.versions) == sorted(ALL_LANGS)
    nl = next(v for v in result.knowledge.versions if v.lang == "nl")
    assert nl.path == paths["nl"]
    assert nl.key == ("huisvuil/grofvuil", "nl", None)
    assert nl.topic == "huisvuil"
    assert nl.title == "Grofvuil kwijtraken"
    assert nl.questions == ("Hoe word ik mijn oude bank kwijt?", "Waar laat ik een kapotte koelkast?",
                            "Grofvuil ophalen")
    assert nl.reviewed == FRESH
    assert nl.body.startswith("Grote spullen") and nl.body.endswith("op te laten halen.")
    assert nl.body_line == line_of(paths["nl"], "Grote spullen")
    assert nl.line_of("source") == line_of(paths["nl"], "source:")
    assert result.knowledge.ids() == ["huisvuil/grofvuil"]
    assert set(result.knowledge.municipalities) == {"den-haag", "enschede", "haarlem"}
    assert result.knowledge.municipalities["den-haag"].phone == "14 070"
    assert set(result.knowledge.topics) == {"basiszaken", "wonen", "geld", "werk", "zorgverzekering", "kinderen",
                                            "inburgering", "huisvuil"}


def test_municipal_variant_loads_with_its_municipality(kb):
    path = kb.article(municipality="den-haag")
    assert path.name == "grofvuil.den-haag.md"
    result = kb.load()
    assert result.problems == []
    [version] = result.knowledge.versions
    assert version.key == ("huisvuil/grofvuil", "nl", "den-haag")
    assert result.knowledge.municipal_ids() == {"huisvuil/grofvuil"}


def test_expected_path_follows_the_readme(kb):
    assert expected_path(kb.root, "huisvuil/grofvuil", "ar", "den-haag") == kb.root / "ar/huisvuil/grofvuil.den-haag.md"
    assert expected_path(kb.root, "werk/cv", "ti", None) == kb.root / "ti/werk/cv.md"


def test_readme_at_the_top_is_not_an_article(kb):
    kb.write_raw("README.md", "# The knowledge base\nNo front matter here.\n")
    kb.article()
    result = kb.load()
    assert result.problems == []
    assert len(result.knowledge.versions) == 1


def test_tigrinya_text_with_a_phone_number_and_website_is_not_wrong_script(kb):
    kb.article(lang="ti", body="ምስ ማዘጋጃ ቤት ቆጸራ ግበሩ። ብ 14 070 ደውሉ ወይ ናብ https://www.denhaag.nl ኪዱ።")
    result = kb.load()
    assert result.problems == []


# --- missing and empty fields -----------------------------------------------------------------

@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_missing_required_field(kb, field):
    assert field in ("id", "lang", "topic", "title", "questions", "source", "reviewed")
    if field == "lang":  # the factory's lang also picks the folder, so remove the line itself
        path = kb.edit(kb.article(), "lang: nl\n", "")
    else:
        path = kb.article(**{field: OMIT})
    assert f"{field}:" not in path.read_text(encoding="utf-8").split("\n---\n")[0]
    result = kb.load()
    assert_reported(kb, result.problems, code="missing_field", severity="error", path=path, line=1,
                    en=[f"'{field}'", "is missing", f"{field}: ..."], nl=[f"'{field}'", "ontbreekt"])
    assert result.knowledge.versions == []


def test_required_field_without_value_is_reported_at_its_line(kb):
    path = kb.article(reviewed="")
    result = kb.load()
    assert_reported(kb, result.problems, code="missing_field", severity="error", path=path,
                    line=line_of(path, "reviewed:"), en=["'reviewed'", "missing"], nl=["'reviewed'", "ontbreekt"])


def test_empty_text_field(kb):
    path = kb.article(title='""')
    result = kb.load()
    assert_reported(kb, result.problems, code="empty_text", severity="error", path=path,
                    line=line_of(path, "title:"), en=["'title'", "empty"], nl=["'title'", "leeg"])
    assert result.knowledge.versions == []


# --- dates ------------------------------------------------------------------------------------

def test_date_in_day_month_year_format(kb):
    path = kb.article(reviewed="23-11-2026")
    result = kb.load()
    assert_reported(kb, result.problems, code="bad_date", severity="error", path=path,
                    line=line_of(path, "reviewed:"),
                    en=["'reviewed' must be a date", "23-11-2026", "YYYY-MM-DD"],
                    nl=["'reviewed' moet een datum", "23-11-2026", "JJJJ-MM-DD"])
    assert result.knowledge.versions == []


def test_date_in_the_future(kb):
    path = kb.article(reviewed=TODAY + timedelta(days=1))
    result = kb.load()
    assert_reported(kb, result.problems, code="future_date", severity="error", path=path,
                    line=line_of(path, "reviewed:"), en=["in the future", "2026-11-24"],
                    nl=["in de toekomst", "2026-11-24"])
    assert result.knowledge.versions == []


def test_date_of_today_is_accepted(kb):
    kb.article(reviewed=TODAY)
    result = kb.load()
    assert result.problems == []
    assert result.knowledge.versions[0].reviewed == TODAY


def test_quoted_date_is_accepted(kb):
    kb.article(reviewed='"2026-11-01"')
    result = kb.load()
    assert result.problems == []
    assert result.knowledge.versions[0].reviewed == date(2026, 11, 1)


@pytest.mark.parametrize("value", ["2026-23-11", "2026-02-30"])
def test_impossible_calendar_date_is_a_problem_not_a_crash(kb, value):
    good = kb.article("huisvuil/ophaaldagen")
    path = kb.article(reviewed=value)
    result = kb.load()
    assert_reported(kb, result.problems, code="bad_date", severity="error", path=path,
                    line=line_of(path, "reviewed:"), en=["'reviewed' must be a date"],
                    nl=["'reviewed' moet een datum"])
    assert [v.path for v in result.knowledge.versions] == [good]


def test_date_with_a_time_is_a_problem_not_a_crash(kb):
    good = kb.article("huisvuil/ophaaldagen")
    path = kb.article(reviewed="2026-11-20 10:00:00")
    result = kb.load()
    bad = [p for p in errors(result.problems) if p.path == path]
    assert bad, "a date with a time is not YYYY-MM-DD"
    assert bad[0].code == "bad_date" and bad[0].line == line_of(path, "reviewed:")
    assert [v.path for v in result.knowledge.versions] == [good]


# --- codes and names --------------------------------------------------------------------------

def test_misspelled_language_code(kb):
    path = kb.edit(kb.article(lang="ti"), "lang: ti", "lang: tl")
    result = kb.load()
    assert_reported(kb, result.problems, code="unknown_lang", severity="error", path=path,
                    line=line_of(path, "lang: tl"), en=["Unknown language 'tl'", "nl, en, ar, ti"],
                    nl=["Onbekende taal 'tl'", "nl, en, ar, ti"])
    assert result.knowledge.versions == []


def test_id_with_a_capital_letter(kb):
    path = kb.article(path="nl/huisvuil/grofvuil.md", id="huisvuil/Grofvuil")
    result = kb.load()
    assert_reported(kb, result.problems, code="bad_id", severity="error", path=path,
                    line=line_of(path, "id:"), en=["'huisvuil/Grofvuil'", "not valid", "small letters"],
                    nl=["'huisvuil/Grofvuil'", "niet geldig", "kleine letters"])
    assert result.knowledge.versions == []


@pytest.mark.parametrize("bad_id", ["grofvuil", "huisvuil/grof vuil", "huisvuil/grofvuil/extra", "huisvuil/grofvuil_2"])
def test_other_invalid_ids(kb, bad_id):
    path = kb.article(path="nl/huisvuil/grofvuil.md", id=f'"{bad_id}"')
    result = kb.load()
    [problem] = problems_with(result.problems, "bad_id", path)
    assert problem.line == line_of(path, "id:")
    assert problem.params["value"] == bad_id


def test_id_whose_topic_part_differs_from_topic(kb):
    path = kb.article("huisvuil/grofvuil", topic="werk")
    result = kb.load()
    assert_reported(kb, result.problems, code="id_topic_mismatch", severity="error", path=path,
                    line=line_of(path, "id:"), en=["starts with 'huisvuil'", "topic is 'werk'"],
                    nl=["begint met 'huisvuil'", "is 'werk'"])
    assert result.knowledge.versions == []


def test_unknown_topic(kb):
    path = kb.article("afval/grofvuil")
    result = kb.load()
    assert_reported(kb, result.problems, code="unknown_topic", severity="error", path=path,
                    line=line_of(path, "topic: afval"), en=["Unknown topic 'afval'", "huisvuil"],
                    nl=["Onbekend onderwerp", "'afval'", "huisvuil"])
    assert result.knowledge.versions == []


def test_unknown_municipality(kb):
    path = kb.article(municipality="amsterdam")
    assert path.name == "grofvuil.amsterdam.md"
    result = kb.load()
    assert_reported(kb, result.problems, code="unknown_municipality", severity="error", path=path,
                    line=line_of(path, "municipality:"),
                    en=["Unknown municipality 'amsterdam'", "den-haag, enschede, haarlem"],
                    nl=["Onbekende gemeente 'amsterdam'", "den-haag, enschede, haarlem"])
    assert result.knowledge.versions == []


# --- questions, source, body ------------------------------------------------------------------

def test_questions_not_a_list(kb):
    path = kb.article(questions="Hoe word ik mijn oude bank kwijt?")
    result = kb.load()
    assert_reported(kb, result.problems, code="bad_questions", severity="error", path=path,
                    line=line_of(path, "questions:"), en=["must be a list"], nl=["moet een lijst"])
    assert result.knowledge.versions == []


def test_fewer_than_three_questions_is_a_warning(kb):
    path = kb.article(questions=["Grofvuil ophalen", "Hoe word ik mijn oude bank kwijt?"])
    result = kb.load()
    assert_reported(kb, result.problems, code="few_questions", severity="warning", path=path,
                    line=line_of(path, "questions:"), en=["Only 2", "question"], nl=["Maar 2", "voorbeeldvra"])
    [version] = result.knowledge.versions  # a warning: still served
    assert len(version.questions) == 2


@pytest.mark.parametrize("source", ["www.denhaag.nl/afval", "denhaag.nl", "Gemeente Den Haag", "https://denhaag"])
def test_source_that_is_not_a_url(kb, source):
    path = kb.article(source=source)
    result = kb.load()
    assert_reported(kb, result.problems, code="bad_source", severity="error", path=path,
                    line=line_of(path, "source:"), en=[f"'{source}'", "not a web address", "https://"],
                    nl=[f"'{source}'", "geen webadres", "https://"])
    assert result.knowledge.versions == []


@pytest.mark.parametrize(
    ("body", "closing_to_empty_line"),
    [
        pytest.param("", 1, id="nothing-after-dashes"),
        pytest.param("   \n\n", 1, id="only-blank-lines"),
        pytest.param(None, 1, id="file-ends-on-dashes-newline"),
    ],
)
def test_empty_answer_body(kb, body, closing_to_empty_line):
    path = kb.article()
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("\n---\n") + len("\n---")]
    if body is None:
        kb.write_raw(path, head + "\n")
    elif body == "":
        kb.write_raw(path, head)  # no newline after the closing ---
    else:
        kb.write_raw(path, head + "\n" + body)
    closing = line_of(path, "---", occurrence=2)
    result = kb.load()
    # The answer belongs on the line right after the closing ---.
    assert_reported(kb, result.problems, code="empty_body", severity="error", path=path,
                    line=closing + closing_to_empty_line,
                    en=["no answer text", "second ---"], nl=["geen antwoordtekst", "tweede ---"])
    assert result.knowledge.versions == []


def test_arabic_text_in_a_file_that_says_tigrinya(kb):
    path = kb.article(lang="ti", title="التخلص من النفايات الكبيرة",
                      body="\n\nالأشياء الكبيرة مثل الأريكة أو الفراش هي نفايات كبيرة.\nاحجز موعدا مع البلدية.")
    result = kb.load()
    assert_reported(kb, result.problems, code="wrong_script", severity="error", path=path,
                    line=line_of(path, "الأشياء"), en=["lang: ti", "arabic script"],
                    nl=["lang: ti", "arabic schrift"])
    assert result.knowledge.versions == []


def test_dutch_text_in_a_file_that_says_arabic(kb):
    path = kb.article(lang="ar", title="Grofvuil kwijtraken", body="Grote spullen zijn grofvuil. Bel de gemeente.")
    result = kb.load()
    [problem] = problems_with(result.problems, "wrong_script", path)
    assert problem.params == {"lang": "ar", "script": "latin"}
    assert problem.line == line_of(path, "Grote spullen")


# --- where the file is ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("kwargs", "wrong_place", "right_place"),
    [
        pytest.param({"lang": "nl"}, "en/huisvuil/grofvuil.md", "knowledge/nl/huisvuil/grofvuil.md", id="language-folder"),
        pytest.param({"lang": "nl"}, "nl/werk/grofvuil.md", "knowledge/nl/huisvuil/grofvuil.md", id="topic-folder"),
        pytest.param({"lang": "nl"}, "nl/huisvuil/grof-vuil.md", "knowledge/nl/huisvuil/grofvuil.md", id="file-name"),
        pytest.param({"lang": "nl", "municipality": "den-haag"}, "nl/huisvuil/grofvuil.md",
                     "knowledge/nl/huisvuil/grofvuil.den-haag.md", id="variant-without-suffix"),
        pytest.param({"lang": "nl"}, "nl/huisvuil/grofvuil.den-haag.md", "knowledge/nl/huisvuil/grofvuil.md",
                     id="suffix-without-municipality-field"),
        pytest.param({"lang": "nl"}, "nl/grofvuil.md", "knowledge/nl/huisvuil/grofvuil.md", id="no-topic-folder"),
    ],
)
def test_file_in_the_wrong_place(kb, kwargs, wrong_place, right_place):
    path = kb.article("huisvuil/grofvuil", path=wrong_place, **kwargs)
    result = kb.load()
    assert_reported(kb, result.problems, code="path_mismatch", severity="error", path=path,
                    line=line_of(path, "id:"), en=["file name does not fit", right_place],
                    nl=["bestandsnaam past niet", right_place])
    assert result.knowledge.versions == []


def test_file_in_the_wrong_place_is_named_relative_to_a_relative_root(kb, monkeypatch):
    kb.article(path="en/huisvuil/grofvuil.md")
    monkeypatch.chdir(kb.root.parent)
    result = load_knowledge(kb.root.relative_to(kb.root.parent), TODAY)
    [problem] = result.problems
    assert problem.code == "path_mismatch"
    assert "knowledge/nl/huisvuil/grofvuil.md" in problem.message("en")


# --- fields the loader does not know ----------------------------------------------------------

def test_unknown_field_is_a_warning(kb):
    path = kb.article(extra=["tags: afval, bank"])
    result = kb.load()
    assert_reported(kb, result.problems, code="unknown_field", severity="warning", path=path,
                    line=line_of(path, "tags:"), en=["Unknown field 'tags'", "ignored", "reviewed"],
                    nl=["Onbekend veld 'tags'", "genegeerd", "reviewed"])
    assert len(result.knowledge.versions) == 1  # still served


def test_misspelled_field_name_is_unknown_and_the_real_one_missing(kb):
    path = kb.article(title=OMIT, extra=["titel: Grofvuil kwijtraken"])
    result = kb.load()
    assert {(p.code, p.severity, p.line) for p in result.problems} == {
        ("unknown_field", "warning", line_of(path, "titel:")),
        ("missing_field", "error", 1),
    }
    assert problems_with(result.problems, "missing_field")[0].params["field"] == "title"


# --- one broken file never stops the others ---------------------------------------------------

def test_broken_files_never_stop_other_files_from_loading(kb):
    good = [kb.article("huisvuil/grofvuil"), kb.article("huisvuil/grofvuil", "en"),
            kb.article("werk/cv", "ar")]
    broken = [
        kb.article("werk/bijstand", reviewed="23-11-2026"),
        kb.article("werk/opleiding", lang="ti", body="نص عربي طويل في ملف تغرينيا"),
        kb.article("zorgverzekering/kiezen", municipality="amsterdam"),
        kb.article("inburgering/kosten", questions="geen lijst"),
        kb.article("inburgering/examens", path="en/inburgering/examens.md"),
        kb.article("huisvuil/ophaaldagen", id=OMIT),
        kb.write_raw("nl/werk/cv.md", b"\xff\xfe-\x00-\x00-\x00"),
        kb.write_raw("nl/huisvuil/bijplaatsen.md", "no front matter at all\n"),
    ]
    result = kb.load()
    assert sorted(v.path for v in result.knowledge.versions) == sorted(good)
    assert {p.path for p in errors(result.problems)} == set(broken)
