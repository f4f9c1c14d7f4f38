"""`vraagbaak eval`: the report's counting rules, and its JSON through the real command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from vraagbaak.evaluation.questions import EvalQuestion, load_questions
from vraagbaak.evaluation.report import evaluate
from vraagbaak.search.engine import SearchEngine
from vraagbaak.search.types import Answer, SearchRequest, SearchResult


def _answer(article_id: str, municipality: str | None = None) -> Answer:
    return Answer(article_id, "nl", municipality, "t", "b", "https://x.nl", "2026-11-23", "p")


class ScriptedSearcher:
    """Returns prepared results: this tests the report's arithmetic, not the engine."""

    def __init__(self, results: dict[str, SearchResult]) -> None:
        self.results = results

    def search(self, request: SearchRequest) -> SearchResult:
        return self.results[request.text]


def test_counting_rules() -> None:
    a, b, c = _answer("x/a"), _answer("x/b"), _answer("x/c")
    local = _answer("x/a", "haarlem")
    searcher = ScriptedSearcher({
        "first": SearchResult("nl", "nl", a, alternatives=[a, b, c]),
        "third": SearchResult("nl", "nl", b, alternatives=[b, c, a]),
        "miss": SearchResult("nl", "nl", c, alternatives=[c, b]),
        "refused": SearchResult("nl", "nl", None, abstain_reason="low_confidence", alternatives=[a]),
        "general-not-local": SearchResult("nl", "nl", a, alternatives=[a]),
        "local": SearchResult("nl", "nl", local, alternatives=[local]),
        "offtopic-refused": SearchResult("nl", "nl", None, abstain_reason="low_confidence"),
        "offtopic-answered": SearchResult("nl", "nl", a, alternatives=[a]),
    })
    questions = [EvalQuestion("first", "nl", "x/a"), EvalQuestion("third", "nl", "x/a"),
                 EvalQuestion("miss", "nl", "x/a"), EvalQuestion("refused", "nl", "x/a"),
                 EvalQuestion("general-not-local", "en", "x/a", "haarlem"),
                 EvalQuestion("local", "en", "x/a", "haarlem"),
                 EvalQuestion("offtopic-refused", "ar", None), EvalQuestion("offtopic-answered", "ti", None)]
    report = evaluate(searcher, questions)
    assert report["by_lang"]["nl"] == {"n": 4, "top1": 0.25, "top3": 0.5}
    assert report["by_lang"]["en"] == {"n": 2, "top1": 0.5, "top3": 0.5}
    assert "ar" not in report["by_lang"] and "ti" not in report["by_lang"]
    assert report["abstain"] == {"n": 2, "correct": 1}
    assert report["false_abstain"] == 1
    assert [q["got"] for q in report["questions"]][:2] == [["x/a", "x/b", "x/c"], ["x/b", "x/c", "x/a"]]


def test_question_file_errors_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(yaml.safe_dump([{"q": "hoi", "lang": "nl"}]), encoding="utf-8")
    with pytest.raises(ValueError, match="question 1 needs q, lang and expect"):
        load_questions(path)


@pytest.mark.slow
def test_real_engine_report_is_consistent(real_engine: SearchEngine, tmp_path: Path) -> None:
    questions = [EvalQuestion("Wat kost de afvalstoffenheffing?", "nl", "huisvuil/afvalstoffenheffing", "haarlem"),
                 EvalQuestion("How do I register with a GP?", "en", "zorgverzekering/huisarts"),
                 EvalQuestion("Wie wint de Champions League dit jaar?", "nl", None)]
    report = evaluate(real_engine, questions)
    for lang, stats in report["by_lang"].items():
        assert 0 <= stats["top1"] <= stats["top3"] <= 1
    rows = report["questions"]
    assert rows[0]["answer_municipality"] in ("haarlem", None)
    assert report["by_lang"]["nl"]["top1"] == float(rows[0]["got"][:1] == ["huisvuil/afvalstoffenheffing"]
                                                     and rows[0]["answer_municipality"] == "haarlem")


@pytest.mark.slow
def test_eval_command_prints_the_documented_json(real_settings, real_engine, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(yaml.safe_dump([
        {"q": "Hoe vind ik werk?", "lang": "nl", "expect": "werk/werk-zoeken"},
        {"q": "ሎሚ መዓልቲ ኩዕሶ እግሪ ኣሎ ድዩ?", "lang": "ti", "expect": None},
    ], allow_unicode=True), encoding="utf-8")
    env = {"VRAAGBAAK_VAR_DIR": str(real_settings.var_dir), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "vraagbaak.cli", "eval", str(questions), "--json"],
                          capture_output=True, text=True, env=env, timeout=600, check=True)
    report = json.loads(done.stdout)
    assert set(report) >= {"by_lang", "abstain", "false_abstain", "questions"}
    assert set(report["by_lang"]["nl"]) == {"n", "top1", "top3"}
    assert report["abstain"]["n"] == 1
    assert report["questions"][0]["expect"] == "werk/werk-zoeken"
    assert isinstance(report["questions"][0]["got"], list)
