"""The front matter: ``---`` / YAML / ``---`` / body, with line numbers a volunteer can follow.

The first half tests :func:`parse_markdown` directly; the second half breaks a real file the way
volunteers do and checks what the loader reports (code, severity, file, line, message).
"""

from __future__ import annotations

import pytest

from knowledge_factory import KnowledgeFactory, assert_reported, line_of, problems_with
from vraagbaak.knowledge.frontmatter import FrontMatterError, parse_markdown

GOOD = """---
id: huisvuil/grofvuil
lang: nl
topic: huisvuil
title: Grofvuil kwijtraken
questions:
  - Hoe word ik mijn oude bank kwijt?
  - Waar laat ik een kapotte koelkast?
  - Grofvuil ophalen
source: https://www.denhaag.nl/nl/afval/grofvuil/
reviewed: 2026-11-01
---
Grote spullen zijn grofvuil.

Maak een afspraak.
"""


@pytest.fixture
def kb(tmp_path) -> KnowledgeFactory:
    return KnowledgeFactory(tmp_path)


# --- parse_markdown ---------------------------------------------------------------------------

def test_parse_good_file_fields_key_lines_and_body():
    parsed = parse_markdown(GOOD)
    assert parsed.data["id"] == "huisvuil/grofvuil"
    assert parsed.data["questions"] == ["Hoe word ik mijn oude bank kwijt?",
                                        "Waar laat ik een kapotte koelkast?", "Grofvuil ophalen"]
    assert str(parsed.data["reviewed"]) == "2026-11-01"
    assert parsed.key_lines == {"id": 2, "lang": 3, "topic": 4, "title": 5, "questions": 6,
                                "source": 10, "reviewed": 11}
    assert parsed.duplicate_keys == []
    assert parsed.body == "Grote spullen zijn grofvuil.\n\nMaak een afspraak."
    assert parsed.body_line == 13


def test_body_line_skips_blank_lines_after_the_closing_dashes():
    text = GOOD.replace("---\nGrote", "---\n\n\n   \nGrote")
    parsed = parse_markdown(text)
    assert parsed.body_line == 16
    assert parsed.body.startswith("Grote spullen")


def test_closing_dashes_with_trailing_spaces_are_accepted():
    parsed = parse_markdown(GOOD.replace("reviewed: 2026-11-01\n---\n", "reviewed: 2026-11-01\n---   \n"))
    assert parsed.body_line == 13


def test_bom_at_start_is_ignored_and_lines_are_unchanged():
    parsed = parse_markdown("\ufeff" + GOOD)
    assert parsed.data["id"] == "huisvuil/grofvuil"
    assert parsed.key_lines["id"] == 2
    assert parsed.body_line == 13


def test_windows_line_endings_parse_with_the_same_lines():
    parsed = parse_markdown(GOOD.replace("\n", "\r\n"))
    assert parsed.data["title"] == "Grofvuil kwijtraken"
    assert parsed.data["source"] == "https://www.denhaag.nl/nl/afval/grofvuil/"
    assert parsed.key_lines["reviewed"] == 11
    assert parsed.body_line == 13
    assert parsed.body.replace("\r", "") == "Grote spullen zijn grofvuil.\n\nMaak een afspraak."


def test_duplicate_key_is_recorded_with_the_line_of_the_second_one():
    text = GOOD.replace("source:", "title: Nog een titel\nsource:")
    parsed = parse_markdown(text)
    assert parsed.duplicate_keys == [("title", 10)]
    assert parsed.key_lines["title"] == 5  # where it first stands


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        pytest.param("", "no_start", 1, id="empty-file"),
        pytest.param(GOOD[4:], "no_start", 1, id="no-opening-dashes"),
        pytest.param("\n" + GOOD, "no_start", 1, id="blank-line-before-dashes"),
        pytest.param("---\n---\nBody\n", "empty_front_matter", 1, id="nothing-between-dashes"),
        pytest.param("---\n- id\n- lang\n---\nBody\n", "not_mapping", 2, id="list-instead-of-fields"),
        pytest.param(GOOD.replace("  - Waar", "\t- Waar"), "tab", 8, id="tab-indent"),
        pytest.param(GOOD.replace("lang: nl", "lang:\tnl"), "tab", 3, id="tab-after-colon"),
        pytest.param(GOOD.replace("title: Grofvuil kwijtraken", "title: Let op: grofvuil"), "bad_yaml", 5,
                     id="colon-in-unquoted-value"),
    ],
)
def test_parse_errors_carry_code_and_line(text, code, line):
    with pytest.raises(FrontMatterError) as info:
        parse_markdown(text)
    assert info.value.code == code
    assert info.value.line == line


def test_tab_inside_the_body_is_allowed():
    parsed = parse_markdown(GOOD.replace("Maak een afspraak.", "Maak\teen afspraak."))
    assert "\t" in parsed.body


def test_bad_yaml_detail_is_passed_on():
    with pytest.raises(FrontMatterError) as info:
        parse_markdown(GOOD.replace("title: Grofvuil kwijtraken", "title: Let op: grofvuil"))
    assert "mapping values are not allowed" in info.value.params["detail"]


# --- the same mistakes in a real file, through the loader -------------------------------------

def test_tab_in_the_yaml(kb):
    path = kb.article()
    kb.edit(path, '  - "Waar laat', '\t- "Waar laat')
    result = kb.load()
    assert_reported(kb, result.problems, code="tab", severity="error", path=path,
                    line=line_of(path, "Waar laat"), en=["tab", "spaces"], nl=["tab", "spaties"])
    assert result.knowledge.versions == []


def test_missing_opening_dashes(kb):
    path = kb.article()
    kb.edit(path, "---\nid:", "id:")
    result = kb.load()
    assert_reported(kb, result.problems, code="no_start", severity="error", path=path, line=1,
                    en=["must start with", "three dashes"], nl=["moet beginnen", "drie streepjes"])
    assert result.knowledge.versions == []


def test_missing_closing_dashes(kb):
    path = kb.article()
    kb.edit(path, "\n---\nGrote", "\nGrote")
    # Reported at the end of the file: the (empty) line after the file's final newline.
    end_of_file = path.read_text(encoding="utf-8").count("\n") + 1
    result = kb.load()
    assert_reported(kb, result.problems, code="no_end", severity="error", path=path, line=end_of_file,
                    en=["never closed", "three dashes"], nl=["niet afgesloten", "drie streepjes"])
    assert result.knowledge.versions == []


@pytest.mark.parametrize(
    ("old", "new", "bad_line_text"),
    [
        pytest.param("title: Grofvuil kwijtraken", "title: Let op: grofvuil weg", "title: Let op",
                     id="colon-in-value"),
        pytest.param("reviewed: ", "reviewed ", "reviewed ", id="missing-colon-last-field"),
        pytest.param(
            "title: Grofvuil kwijtraken", "title Grofvuil kwijtraken", "title Grofvuil",
            id="missing-colon",
        ),
        pytest.param(
            "title: Grofvuil kwijtraken", 'title: "Grofvuil kwijtraken', 'title: "Grofvuil',
            id="unclosed-double-quote",
        ),
        pytest.param(
            "title: Grofvuil kwijtraken", "title: 'Grofvuil kwijtraken", "title: 'Grofvuil",
            id="unclosed-single-quote",
        ),
    ],
)
def test_bad_yaml(kb, old, new, bad_line_text):
    path = kb.article()
    kb.edit(path, old, new)
    result = kb.load()
    assert_reported(kb, result.problems, code="bad_yaml", severity="error", path=path,
                    line=line_of(path, bad_line_text),
                    en=["cannot be read", "colon"], nl=["niet leesbaar", "dubbele punt"])
    assert result.knowledge.versions == []


def test_duplicate_key(kb):
    path = kb.article(extra=["title: Grofvuil weggooien"])
    result = kb.load()
    assert_reported(kb, result.problems, code="duplicate_key", severity="error", path=path,
                    line=line_of(path, "title: Grofvuil weggooien"),
                    en=["'title'", "appears twice"], nl=["'title'", "twee keer"])
    assert result.knowledge.versions == []


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-16"])
def test_file_that_is_not_utf8(kb, encoding):
    text = kb.article().read_text(encoding="utf-8").replace("Grote", "Caf\u00e9 Grote")
    path = kb.write_raw("nl/huisvuil/grofvuil.md", text.encode(encoding))
    result = kb.load()
    assert_reported(kb, result.problems, code="not_utf8", severity="error", path=path, line=1,
                    en=["not saved as UTF-8"], nl=["niet als UTF-8"])
    assert result.knowledge.versions == []


def test_horizontal_rule_in_the_body_is_not_the_end_of_the_fields(kb):
    path = kb.article(body="Grote spullen zijn grofvuil.\n\n---\n\nBel de gemeente.")
    result = kb.load()
    assert result.problems == []
    [version] = result.knowledge.versions
    assert version.body == "Grote spullen zijn grofvuil.\n\n---\n\nBel de gemeente."
    assert version.body_line == line_of(path, "Grote spullen")


def test_bom_at_start_still_parses(kb):
    path = kb.article()
    kb.write_raw(path, "\ufeff" + path.read_text(encoding="utf-8"))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf---")
    result = kb.load()
    assert result.problems == []
    [version] = result.knowledge.versions
    assert version.id == "huisvuil/grofvuil"
    assert version.line_of("id") == 2
    assert version.line_of("reviewed") == line_of(path, "reviewed:")


def test_windows_line_endings_load_cleanly(kb):
    path = kb.article()
    kb.write_raw(path, path.read_text(encoding="utf-8").replace("\n", "\r\n"))
    result = kb.load()
    assert result.problems == []
    [version] = result.knowledge.versions
    assert version.title == "Grofvuil kwijtraken"
    assert version.source.endswith("/afval")


def test_syntax_errors_do_not_stop_other_files(kb):
    good = kb.article("huisvuil/grofvuil")
    tab = kb.edit(kb.article("huisvuil/ophaaldagen"), "lang: nl", "lang:\tnl")
    no_start = kb.edit(kb.article("huisvuil/bijplaatsen"), "---\nid:", "id:")
    bad = kb.edit(kb.article("werk/cv"), "title: Grofvuil kwijtraken", 'title: "Grofvuil')
    latin1 = kb.write_raw("nl/werk/bijstand.md", "---\nid: werk/bijstand\ntitle: Caf\u00e9\n---\nx\n".encode("latin-1"))
    result = kb.load()
    assert [v.path for v in result.knowledge.versions] == [good]
    assert {(p.path, p.code) for p in result.problems} == {
        (tab, "tab"), (no_start, "no_start"), (bad, "bad_yaml"), (latin1, "not_utf8")}
    assert problems_with(result.problems, "tab")[0].line == 3
