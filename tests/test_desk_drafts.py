"""/artikel's drafts: what goes into one, that the knowledge base never loads one (`kb check`, the
index's fingerprint), that `kb todo` lists them, and the nearest article the search suggests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from search_helpers import knowledge_subset
from vraagbaak.cli import main
from vraagbaak.desk import drafts
from vraagbaak.desk.database import open_database
from vraagbaak.desk.records import Records
from vraagbaak.desk.tickets import Ticket, TicketStore
from vraagbaak.knowledge.checker import check_knowledge
from vraagbaak.knowledge.frontmatter import parse_markdown
from vraagbaak.search.builder import knowledge_fingerprint
from vraagbaak.search.engine import SearchEngine
from vraagbaak.settings import Settings

DAY = date(2026, 11, 23)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(Settings(), var_dir=tmp_path / "var", database_url="")


def ticket_with(settings: Settings, said: list[tuple[str, str]], lang: str = "ti") -> tuple[Ticket, TicketStore]:
    store = TicketStore(open_database(settings))
    ticket = store.open("tg-drafts", "telegram", lang, "enschede", "tandarts")
    for author, text in said:
        store.add_message(ticket.id, author, text)
    return ticket, store


EXCHANGE = [
    ("newcomer", "ናብ ሓኪም ስኒ ክኸይድ ደልየ፣ መን እዩ ዝኸፍል?"),
    ("assistant", "Sorry, dat weet ik niet."),
    ("newcomer", "ናብ  ሓኪም ስኒ ክኸይድ ደልየ፣ መን እዩ ዝኸፍል?"),  # asked again: one example question
    ("volunteer", "ንዓበይቲ፣ ሓኪም ስኒ ኣብ መሰረታዊ ውሕስነት ኣይእቶን።"),
    ("newcomer", "BSN ቁጽረይ 123456789 እዩ"),
    ("volunteer", "ተወሳኺ ውሕስነት ክትገዝኡ ትኽእሉ ኢኹም።"),
]


def test_a_draft_holds_the_questions_the_answer_and_the_suggestion(settings: Settings) -> None:
    ticket, store = ticket_with(settings, EXCHANGE)
    seen: list[tuple[tuple[str, ...], str | None, str | None]] = []

    def nearest(questions, lang, municipality):  # noqa: ANN001, ANN202 - a stand-in for the search
        seen.append((tuple(questions), lang, municipality))
        return "zorgverzekering/tandarts"

    draft = drafts.compose(ticket, store.messages(ticket.id), nearest, today=DAY)
    store.database.close()
    assert draft is not None
    assert draft.questions == ("ናብ ሓኪም ስኒ ክኸይድ ደልየ፣ መን እዩ ዝኸፍል?", "BSN ቁጽረይ ********* እዩ")
    assert draft.answer == "ንዓበይቲ፣ ሓኪም ስኒ ኣብ መሰረታዊ ውሕስነት ኣይእቶን።\n\nተወሳኺ ውሕስነት ክትገዝኡ ትኽእሉ ኢኹም።"
    assert seen == [(draft.questions, "ti", "enschede")]

    path = drafts.write(settings, draft)
    assert path == settings.var_dir / "drafts" / "ti" / f"ticket-{ticket.id}-20261123.md"
    parsed = parse_markdown(path.read_text(encoding="utf-8"))
    assert parsed.data == {"status": "draft", "ticket": ticket.id, "lang": "ti", "municipality": "enschede",
                           "ticket_topic": "tandarts", "suggested_article": "zorgverzekering/tandarts",
                           "created": "2026-11-23", "questions": list(draft.questions)}
    assert parsed.body.startswith("<!-- DRAFT") and "vraagbaak kb new <topic/name> --lang ti" in parsed.body
    assert parsed.body.endswith(draft.answer)
    assert "Sorry, dat weet ik niet." not in path.read_text(encoding="utf-8")
    assert "tg-drafts" not in path.read_text(encoding="utf-8")  # nothing about who asked
    # /artikel again on the same ticket rewrites the same file.
    assert drafts.write(settings, draft) == path and len(list(path.parent.iterdir())) == 1


def test_no_volunteer_answer_no_draft_and_a_failing_suggestion_is_no_suggestion(settings: Settings) -> None:
    ticket, store = ticket_with(settings, EXCHANGE[:3])
    assert drafts.compose(ticket, store.messages(ticket.id), None) is None
    store.add_message(ticket.id, "volunteer", "Antwoord.")

    def broken(questions, lang, municipality):  # noqa: ANN001, ANN202
        raise RuntimeError("the index is being rebuilt")

    draft = drafts.compose(ticket, store.messages(ticket.id), broken)
    store.database.close()
    assert draft is not None and draft.suggested_article is None and draft.answer == "Antwoord."


def test_drafts_are_never_loaded_as_articles(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    knowledge = knowledge_subset(tmp_path, ["werk/cv"], langs=("nl", "ti"), municipal=False)
    settings = replace(settings, knowledge_dir=knowledge)
    before = check_knowledge(knowledge)
    fingerprint = knowledge_fingerprint(knowledge)
    ticket, store = ticket_with(settings, EXCHANGE)
    drafts.write(settings, drafts.compose(ticket, store.messages(ticket.id), None))  # type: ignore[arg-type]
    store.database.close()

    after = check_knowledge(knowledge)
    assert [v.path for v in after.knowledge.versions] == [v.path for v in before.knowledge.versions]
    assert not any(settings.var_dir in problem.path.parents for problem in after.errors + after.warnings)
    assert knowledge_fingerprint(knowledge) == fingerprint  # the servers do not rebuild their index for it
    monkeypatch.setenv("VRAAGBAAK_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(settings.var_dir))
    assert main(["kb", "check"]) == 0
    assert f"{len(before.knowledge.versions)} articles checked: 0 errors" in capsys.readouterr().out


def test_kb_todo_lists_the_drafts_newest_first(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(settings.var_dir))
    monkeypatch.delenv("VRAAGBAAK_DATABASE_URL", raising=False)
    assert main(["kb", "todo"]) == 0
    assert "Draft articles from volunteers' answers" in capsys.readouterr().out  # none yet, still said

    for number, (lang, question, suggested, day) in enumerate([
            ("ti", "ናብ ሓኪም ስኒ ክኸይድ ደልየ", "zorgverzekering/tandarts", date(2026, 11, 20)),
            ("ar", "كيف أجد طبيب أسنان؟", None, date(2026, 11, 22))], start=7):
        drafts.write(settings, drafts.Draft(number, lang, None, None, (question,), "Antwoord.", suggested, day))
    (settings.var_dir / "drafts" / "ar" / "notes.md").write_text("no front matter\n", encoding="utf-8")
    listed = drafts.list_drafts(settings)
    assert [(d.lang, d.ticket) for d in listed] == [("ar", 8), ("ti", 7)]

    assert main(["kb", "todo"]) == 0  # no records database: the drafts are still listed
    out = capsys.readouterr().out
    assert "No questions recorded yet" in out
    assert "Draft articles from volunteers' answers" in out and ": 2" in out
    assert "[ti] ti/ticket-7-20261120.md (ticket #7, 2026-11-20, nearest article: zorgverzekering/tandarts)" in out
    assert "      ናብ ሓኪም ስኒ ክኸይድ ደልየ" in out
    assert out.index("ar/ticket-8") < out.index("ti/ticket-7")

    Records.open(Settings.from_env()).database.close()  # with the records database, below its work list
    assert main(["kb", "todo"]) == 0
    out = capsys.readouterr().out
    assert out.index("Requests for a person") < out.index("ti/ticket-7-20261120.md")


def test_without_an_index_nothing_is_suggested_and_nothing_is_built(settings: Settings) -> None:
    nearest = drafts.SearchNearest(settings)
    assert nearest(["Hoe vind ik een tandarts?"], "nl", None) is None
    assert not (settings.index_dir / "current").exists()


@pytest.mark.slow
def test_the_search_suggests_the_nearest_article(real_settings: Settings, real_engine: SearchEngine) -> None:
    """Over the session's index of the real knowledge base (built once for every slow test)."""
    nearest = drafts.SearchNearest(real_settings)
    assert nearest(["ናብ ሓኪም ስኒ ክኸይድ ደልየ፣ መን እዩ ዝኸፍል?", "ሓኪም ስኒ"], "ti", "enschede") == "zorgverzekering/tandarts"
    assert nearest(["Hoe zet ik mijn oude bank bij het grofvuil?"], "nl", "haarlem") == "huisvuil/grofvuil"
