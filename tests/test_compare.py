"""`vraagbaak compare`: the generated Rasa FAQ project, the baseline's counting rules and the report."""

from __future__ import annotations

import ast
import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from knowledge_factory import ALL_LANGS, DEFAULT_TEXT, KnowledgeFactory
from vraagbaak.evaluation import rasa_faq_parse
from vraagbaak.evaluation.compare import (
    RasaProject,
    comparison_table,
    generate_project,
    render_comparison,
    response_key,
    score_baseline,
)
from vraagbaak.evaluation.questions import EvalQuestion
from vraagbaak.runtime import rasa
from vraagbaak.search.calibration import load_out_of_scope

BOT_CONFIG = rasa.BOT_DIR / "config.yml"
CV_QUESTIONS = {
    "nl": ["Hoe schrijf ik een cv?", "cv maken", "Wat zet ik in mijn cv?"],
    "en": ["How do I write a CV?", "make a resume", "What goes in my CV?"],
    "ar": ["كيف أكتب سيرة ذاتية؟", "عمل سيرة ذاتية", "ماذا أكتب في سيرتي الذاتية؟"],
    "ti": ["ሲቪ ብኸመይ ይጽሕፍ?", "ሲቪ ምድላው", "ኣብ ሲቪ እንታይ ይጽሓፍ?"],
}
CV_TITLES = {"nl": "Een cv schrijven", "en": "Writing a CV", "ar": "كتابة سيرة ذاتية", "ti": "ሲቪ ምጽሓፍ"}
OUT_OF_SCOPE = {"nl": ["wat voor weer wordt het morgen?"], "en": ["tell me a joke"],
                "ar": ["من فاز بالمباراة أمس؟"], "ti": ["ሎሚ መዓልቲ ኩዕሶ እግሪ ኣሎ ድዩ?"]}


@pytest.fixture
def project(tmp_path: Path) -> tuple[RasaProject, KnowledgeFactory]:
    factory = KnowledgeFactory(tmp_path)
    factory.article_in()  # huisvuil/grofvuil, general, four languages
    factory.article("huisvuil/grofvuil", "nl", "haarlem", title="Grofvuil in Haarlem",
                    questions=["Wanneer haalt Spaarnelanden grofvuil op?", "grofvuil haarlem", "Grofvuil ophalen"])
    for lang in ALL_LANGS:
        factory.article("werk/cv", lang, title=CV_TITLES[lang], questions=CV_QUESTIONS[lang])
    factory.write_raw("out-of-scope.yaml", yaml.safe_dump(OUT_OF_SCOPE, allow_unicode=True))
    kb = factory.load().knowledge
    target = tmp_path / "faq-project"
    return generate_project(kb, load_out_of_scope(factory.root), BOT_CONFIG, target), factory


def _nlu(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load((path / "data" / "nlu.yml").read_text(encoding="utf-8"))
    return {item["intent"]: [line[2:] for line in item["examples"].splitlines()] for item in data["nlu"]}


def test_nlu_holds_every_version_in_every_language_under_one_faq_intent(project) -> None:
    generated, _ = project
    nlu = _nlu(generated.path)
    assert set(nlu) == {"faq/huisvuil_grofvuil", "faq/werk_cv", "out_of_scope"}
    for lang in ALL_LANGS:
        assert DEFAULT_TEXT[lang]["title"] in nlu["faq/huisvuil_grofvuil"]
        assert set(DEFAULT_TEXT[lang]["questions"]) <= set(nlu["faq/huisvuil_grofvuil"])
        assert CV_TITLES[lang] in nlu["faq/werk_cv"]
        assert set(CV_QUESTIONS[lang]) <= set(nlu["faq/werk_cv"])
    # The municipal version adds its own title and questions to the same article, once each.
    assert {"Grofvuil in Haarlem", "Wanneer haalt Spaarnelanden grofvuil op?"} <= set(nlu["faq/huisvuil_grofvuil"])
    assert nlu["faq/huisvuil_grofvuil"].count("Grofvuil ophalen") == 1
    assert generated.articles == 2
    assert generated.faq_examples == len(nlu["faq/huisvuil_grofvuil"]) + len(nlu["faq/werk_cv"])


def test_out_of_scope_examples_in_all_languages(project) -> None:
    generated, _ = project
    examples = _nlu(generated.path)["out_of_scope"]
    assert examples == [q for lang in ALL_LANGS for q in OUT_OF_SCOPE[lang]]
    assert generated.out_of_scope_examples == 4


def test_one_response_per_article_and_the_rules(project) -> None:
    generated, _ = project
    domain = yaml.safe_load((generated.path / "domain.yml").read_text(encoding="utf-8"))
    assert set(domain["intents"]) == {"faq", "out_of_scope"}
    faq_responses = {name for name in domain["responses"] if name.startswith("utter_faq/")}
    assert faq_responses == {"utter_faq/huisvuil_grofvuil", "utter_faq/werk_cv"}
    assert all(domain["responses"][name][0]["text"] for name in faq_responses)
    rules = yaml.safe_load((generated.path / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    assert {"steps": [{"intent": "faq"}, {"action": "utter_faq"}]}.items() <= rules[0].items()
    ids = json.loads((generated.path / "article-ids.json").read_text(encoding="utf-8"))
    assert ids == {"huisvuil_grofvuil": "huisvuil/grofvuil", "werk_cv": "werk/cv"}
    assert response_key("huisvuil/grofvuil") == "huisvuil_grofvuil"


def test_config_copies_the_bot_pipeline_and_adds_a_response_selector(project) -> None:
    generated, _ = project
    bot = yaml.safe_load(BOT_CONFIG.read_text(encoding="utf-8"))
    config = yaml.safe_load((generated.path / "config.yml").read_text(encoding="utf-8"))
    assert config["language"] == bot["language"]
    names = [c["name"] for c in config["pipeline"]]
    assert [n for n in names if n != "ResponseSelector"] == [c["name"] for c in bot["pipeline"]]
    assert names.index("ResponseSelector") == names.index("DIETClassifier") + 1
    by_name = {c["name"]: c for c in config["pipeline"]}
    bot_by_name = {c["name"]: c for c in bot["pipeline"]}
    assert by_name["ResponseSelector"]["retrieval_intent"] == "faq"
    assert by_name["ResponseSelector"]["epochs"] == bot_by_name["DIETClassifier"]["epochs"]
    assert by_name["DIETClassifier"] == bot_by_name["DIETClassifier"]
    assert by_name["FallbackClassifier"] == bot_by_name["FallbackClassifier"]
    featurisers = [c for c in config["pipeline"] if "Featurizer" in c["name"]]
    assert featurisers == [c for c in bot["pipeline"] if "Featurizer" in c["name"]]
    # The bot's own components (components.<module>.<Class>) come along, so the pipeline runs there.
    for name in names:
        if "." in name:
            module = name.rsplit(".", 1)[0].replace(".", "/")
            assert (generated.path / f"{module}.py").is_file(), name


def test_examples_are_one_line_without_entity_markup_and_never_in_two_intents(tmp_path: Path) -> None:
    factory = KnowledgeFactory(tmp_path)
    factory.article("werk/cv", "nl", title="Een cv", questions=["Wat is een [cv](werk)?", "hoe  werkt  dat", "cv"])
    factory.article("werk/bijstand", "nl", title="Bijstand", questions=["hoe werkt dat", "bijstand", "uitkering"])
    factory.write_raw("out-of-scope.yaml", "nl:\n  - bijstand\n  - vertel een grap\n")
    generated = generate_project(factory.load().knowledge, load_out_of_scope(factory.root), BOT_CONFIG,
                                 tmp_path / "p")
    nlu = _nlu(generated.path)
    assert "Wat is een (cv)(werk)?" in nlu["faq/werk_cv"]
    assert "hoe werkt dat" in nlu["faq/werk_bijstand"] and "hoe werkt dat" not in nlu["faq/werk_cv"]
    assert nlu["out_of_scope"] == ["vertel een grap"]


def test_baseline_counting_rules() -> None:
    questions = [EvalQuestion("first", "nl", "x/a"), EvalQuestion("third", "nl", "x/a"),
                 EvalQuestion("fallback", "nl", "x/a"), EvalQuestion("municipal", "en", "x/a", "haarlem"),
                 EvalQuestion("off-refused", "ar", None), EvalQuestion("off-answered", "ti", None)]
    parses = [{"intent": "faq", "ranking": ["x/a", "x/b", "x/c"]},
              {"intent": "faq", "ranking": ["x/b", "x/c", "x/a"]},
              {"intent": "nlu_fallback", "ranking": ["x/a"]},
              {"intent": "faq", "ranking": ["x/a"]},
              {"intent": "out_of_scope", "ranking": ["x/a"]},
              {"intent": "faq", "ranking": ["x/a"]}]
    report = score_baseline(questions, parses)
    assert report["by_lang"] == {"nl": {"n": 3, "top1": 0.3333, "top3": 0.6667}, "en": {"n": 1, "top1": 1.0, "top3": 1.0}}
    assert report["abstain"] == {"n": 2, "correct": 1}
    assert report["false_abstain"] == 1
    assert [r["abstained"] for r in report["questions"]] == [False, False, True, False, True, False]


def _engine_row(lang: str, expect: str | None, abstained: bool) -> dict:
    return {"q": "q", "lang": lang, "expect": expect, "abstained": abstained, "got": [], "correct": False}


def test_report_formatting_on_given_numbers() -> None:
    engine = {"by_lang": {"nl": {"n": 4, "top1": 0.75, "top3": 1.0}, "ar": {"n": 2, "top1": 0.5, "top3": 0.5}},
              "abstain": {"n": 3, "correct": 2}, "false_abstain": 1,
              "questions": [*[_engine_row("nl", "x/a", False)] * 4, _engine_row("nl", None, True),
                            _engine_row("nl", None, True), _engine_row("ar", "x/a", False),
                            _engine_row("ar", "x/a", True), _engine_row("ar", None, False)]}
    baseline = {"by_lang": {"nl": {"n": 4, "top1": 0.5, "top3": 0.75}, "ar": {"n": 2, "top1": 0.0, "top3": 0.5}},
                "abstain": {"n": 3, "correct": 1}, "false_abstain": 3,
                "questions": [_engine_row("nl", "x/a", True), *[_engine_row("nl", "x/a", False)] * 3,
                              _engine_row("nl", None, True), _engine_row("nl", None, False),
                              _engine_row("ar", "x/a", True), _engine_row("ar", "x/a", True),
                              _engine_row("ar", None, False)]}
    table = comparison_table(engine, baseline)
    assert list(table) == ["nl", "ar", "all"]
    assert table["all"]["n"] == 6 and table["all"]["off_topic_n"] == 3
    assert table["all"]["engine"] == {"top1": 0.6667, "top3": 0.8333, "off_topic_refused": 2, "in_scope_refused": 1}
    assert table["all"]["rasa_faq"] == {"top1": 0.3333, "top3": 0.6667, "off_topic_refused": 1, "in_scope_refused": 3}
    result = {"questions_file": "q.yaml", "n_questions": 9, "municipal_questions": 2,
              "expected_articles_missing": {"wonen/huurtoeslag": 2}, "table": table,
              "baseline": {"training_seconds": 754.2, "articles": 24, "faq_examples": 2613,
                           "out_of_scope_examples": 160, "epochs": 100,
                           "refused_by_intent": {"out_of_scope": 3, "nlu_fallback": 1}, "project": None}}
    text = render_comparison(result)
    lines = text.splitlines()
    assert lines[0].startswith("q.yaml: 9 questions.")
    assert lines[3].split() == ["lang", "n", "engine", "rasa", "engine", "rasa", "engine", "rasa", "engine", "rasa"]
    assert lines[4].split() == ["nl", "4", "0.75", "0.50", "1.00", "0.75", "2/2", "1/2", "0", "1"]
    assert lines[5].split() == ["ar", "2", "0.50", "0.00", "0.50", "0.50", "0/1", "0/1", "1", "2"]
    assert lines[6].split() == ["all", "6", "0.67", "0.33", "0.83", "0.67", "2/3", "1/3", "1", "3"]
    assert "trained in 12 min 34 s" in text
    assert "out_of_scope 3, nlu_fallback 1" in text
    assert "2 in-scope questions expect 1 articles that are not in the knowledge base" in text
    assert "2 municipal questions: the baseline counts when the article id is right" in text
    assert "top-1" in lines[2] and "expect: null refused" in lines[2] and "in-scope wrongly refused" in lines[2]


def test_parse_script_summary_and_no_imports_from_our_package() -> None:
    parse = {"intent": {"name": "faq", "confidence": 0.912345},
             "response_selector": {"all_retrieval_intents": ["faq"], "faq": {"ranking": [
                 {"id": 1, "confidence": 0.8, "intent_response_key": "faq/werk_cv"},
                 {"id": 2, "confidence": 0.1, "intent_response_key": "faq/huisvuil_grofvuil"},
                 {"id": 3, "confidence": 0.05, "intent_response_key": "faq/werk_bijstand"},
                 {"id": 4, "confidence": 0.05, "intent_response_key": "faq/werk_opleiding"}]}}}
    ids = {"werk_cv": "werk/cv", "huisvuil_grofvuil": "huisvuil/grofvuil", "werk_bijstand": "werk/bijstand"}
    assert rasa_faq_parse.summarise(7, parse, ids) == {
        "i": 7, "intent": "faq", "confidence": 0.9123, "ranking": ["werk/cv", "huisvuil/grofvuil", "werk/bijstand"],
        "ranking_confidence": [0.8, 0.1, 0.05]}
    fallback = rasa_faq_parse.summarise(0, {"intent": {"name": "nlu_fallback", "confidence": 0.3}}, ids)
    assert fallback["intent"] == "nlu_fallback" and fallback["ranking"] == []
    tree = ast.parse(Path(rasa_faq_parse.__file__).read_text(encoding="utf-8"))
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert not any(name.split(".")[0] == "vraagbaak" for name in imported)


@pytest.mark.slow
@pytest.mark.e2e
def test_rasa_validates_the_generated_project(project) -> None:
    generated, _ = project
    if not rasa.rasa_executable().is_file():
        pytest.fail("Rasa is not installed: run `make install` (scripts/install-rasa.sh)")
    done = subprocess.run([str(rasa.rasa_executable()), "data", "validate", "--fail-on-warnings"],
                          cwd=generated.path, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
