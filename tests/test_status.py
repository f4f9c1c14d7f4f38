"""`kb status`: which article exists in which language and municipality, and what is stale."""

from __future__ import annotations

from datetime import timedelta

import pytest

from knowledge_factory import ALL_LANGS, TODAY, KnowledgeFactory
from vraagbaak.knowledge.status import MISSING, OK, STALE, CoverageRow, coverage, render_table

OLD = TODAY - timedelta(days=400)


@pytest.fixture
def rows(tmp_path) -> list[CoverageRow]:
    kb = KnowledgeFactory(tmp_path)
    kb.article_in(ALL_LANGS, "werk/cv")                                   # complete
    kb.article("huisvuil/bijplaatsen", "nl")
    kb.article("huisvuil/bijplaatsen", "en", reviewed=OLD)                # stale
    kb.article_in(("nl", "en"), "huisvuil/grofvuil")
    kb.article("huisvuil/grofvuil", "nl", "den-haag")
    kb.article("huisvuil/grofvuil", "ar", "den-haag", reviewed=OLD)
    result = kb.load()
    assert result.problems == []
    return coverage(result.knowledge, TODAY, 365)


def cells(*states: str) -> dict[str, str]:
    return dict(zip(ALL_LANGS, states))


def test_one_row_per_article_and_per_municipality_of_a_municipal_article(rows):
    assert [(r.article_id, r.municipality) for r in rows] == [
        ("huisvuil/bijplaatsen", None),
        ("huisvuil/grofvuil", None),
        ("huisvuil/grofvuil", "den-haag"),
        ("huisvuil/grofvuil", "enschede"),
        ("huisvuil/grofvuil", "haarlem"),
        ("werk/cv", None),
    ]


def test_cells_are_present_missing_or_stale(rows):
    by_key = {(r.article_id, r.municipality): r.cells for r in rows}
    assert by_key[("werk/cv", None)] == cells(OK, OK, OK, OK)
    assert by_key[("huisvuil/bijplaatsen", None)] == cells(OK, STALE, MISSING, MISSING)
    assert by_key[("huisvuil/grofvuil", None)] == cells(OK, OK, MISSING, MISSING)
    assert by_key[("huisvuil/grofvuil", "den-haag")] == cells(OK, MISSING, STALE, MISSING)
    assert by_key[("huisvuil/grofvuil", "enschede")] == cells(MISSING, MISSING, MISSING, MISSING)
    assert by_key[("huisvuil/grofvuil", "haarlem")] == cells(MISSING, MISSING, MISSING, MISSING)


def test_stale_limit_comes_from_the_argument(tmp_path):
    kb = KnowledgeFactory(tmp_path)
    kb.article("werk/cv", reviewed=TODAY - timedelta(days=40))
    knowledge = kb.load().knowledge
    assert coverage(knowledge, TODAY, 30)[0].cells["nl"] == STALE
    assert coverage(knowledge, TODAY, 40)[0].cells["nl"] == OK


def test_render_table_lists_ids_symbols_and_summary(rows):
    table = render_table(rows)
    lines = table.split("\n")
    assert lines[0].split() == ["article", "nl", "en", "ar", "ti"]
    for label in ("huisvuil/bijplaatsen", "huisvuil/grofvuil @den-haag", "huisvuil/grofvuil @enschede",
                  "huisvuil/grofvuil @haarlem", "werk/cv"):
        assert any(line.startswith(label + " ") for line in lines), label
    assert next(line for line in lines if line.startswith("werk/cv")).split() == ["werk/cv", "✓", "✓", "✓", "✓"]
    assert next(line for line in lines if line.startswith("huisvuil/bijplaatsen")).split() == \
        ["huisvuil/bijplaatsen", "✓", "old", "·", "·"]
    assert next(line for line in lines if line.startswith("huisvuil/grofvuil @den-haag")).split() == \
        ["huisvuil/grofvuil", "@den-haag", "✓", "·", "old", "·"]
    # columns line up: every symbol row is as wide as the header
    header_width = len(lines[0])
    assert all(len(line) == header_width for line in lines[1:7])
    assert lines[7] == ""
    assert lines[8].split() == ["ok", "nl", "4", "en", "2", "ar", "1", "ti", "1"]
    assert lines[9].split() == ["missing", "nl", "2", "en", "3", "ar", "4", "ti", "5"]
    assert lines[10].split() == ["stale", "nl", "0", "en", "1", "ar", "1", "ti", "0"]
    assert lines[11].split() == ["outdated", "nl", "0", "en", "0", "ar", "0", "ti", "0"]
    assert lines[12] == ("(✓ present, · missing, old reviewed too long ago, "
                         "nl± the Dutch text changed since it was translated)")
    assert len(lines) == 13


def test_render_table_of_an_empty_knowledge_base(tmp_path):
    kb = KnowledgeFactory(tmp_path)
    rows = coverage(kb.load().knowledge, TODAY, 365)
    assert rows == []
    lines = render_table(rows).split("\n")
    assert lines[0].split() == ["article", "nl", "en", "ar", "ti"]
    assert lines[2].split() == ["ok", "nl", "0", "en", "0", "ar", "0", "ti", "0"]
