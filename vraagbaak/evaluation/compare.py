"""`vraagbaak compare`: our search side by side with the plain alternative, Rasa's own FAQ
mechanism (a retrieval intent and a ResponseSelector), trained on the current knowledge base.

The baseline is a throwaway Rasa project generated from knowledge/:

- a retrieval intent ``faq`` with one response per article, ``utter_faq/<key>`` (the key is the
  article id with ``/`` replaced by ``_``; general and municipal versions share one response);
- NLU examples for ``faq/<key>``: the title and example questions of every version of the
  article, in all four languages; an ``out_of_scope`` intent from knowledge/out-of-scope.yaml;
- the pipeline of bot/config.yml (same featurisers, DIETClassifier and FallbackClassifier
  threshold; the bot's own components copied from bot/) plus a ResponseSelector for ``faq``
  trained for as many epochs as DIET;
- a minimal domain and the rules faq -> utter_faq, out_of_scope -> utter_out_of_scope.

It is trained with Rasa's own command line in .venv-rasa, then every question is parsed by
rasa_faq_parse.py in that environment. A question counts as refused by the baseline when Rasa's
intent is anything but ``faq`` (``out_of_scope``, ``nlu_fallback``). The baseline has no
municipal variants, so a municipal question counts when its article id is right; the engine's
figures come from the ordinary `vraagbaak eval` code, where it must be the municipality's variant.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import yaml

from vraagbaak.evaluation.questions import EvalQuestion
from vraagbaak.evaluation.report import eval_report
from vraagbaak.knowledge.model import KnowledgeBase
from vraagbaak.languages import LANGUAGES
from vraagbaak.settings import Settings

RETRIEVAL_INTENT = "faq"
OUT_OF_SCOPE_INTENT = "out_of_scope"
#: What stands for ``/`` of an article id in a response key (ids are ``a-z 0-9 -`` and one ``/``).
KEY_SEPARATOR = "_"
MODEL_NAME = "faq"
IDS_FILE = "article-ids.json"
PARSE_SCRIPT = Path(__file__).with_name("rasa_faq_parse.py")
TRAIN_ENV = {"RASA_TELEMETRY_ENABLED": "false", "PYTHONHASHSEED": "0", "TF_DETERMINISTIC_OPS": "1"}
#: DIETClassifier's default when bot/config.yml does not set epochs.
DEFAULT_EPOCHS = 300
MUNICIPAL_NOTE = ("municipal questions: the baseline counts when the article id is right (it has no municipal "
                  "variants); the engine only when it answers with that municipality's variant")


class CompareFailed(Exception):
    """Training or parsing with Rasa did not work; the message says what to look at."""


def response_key(article_id: str) -> str:
    return article_id.replace("/", KEY_SEPARATOR)


def _example(text: str) -> str:
    """One NLU example line: one line of text, no Rasa entity markup (``[x](y)``)."""
    text = " ".join(text.split())
    return text.replace("[", "(").replace("]", ")")


@dataclass
class RasaProject:
    """What was generated: counts for the report, the folder to train in."""

    path: Path
    articles: int
    faq_examples: int
    out_of_scope_examples: int


def faq_examples(kb: KnowledgeBase) -> dict[str, list[str]]:
    """Article id -> its NLU examples: every version's title and questions (all languages,
    general and municipal), each example once in the whole file (the first article keeps it)."""
    seen: set[str] = set()
    examples: dict[str, list[str]] = {}
    for article_id in kb.ids():
        versions = sorted(kb.versions_of(article_id),
                          key=lambda v: (LANGUAGES.index(v.lang) if v.lang in LANGUAGES else 99, v.municipality or ""))
        texts = []
        for version in versions:
            for text in (version.title, *version.questions):
                example = _example(text)
                if example and example not in seen:
                    seen.add(example)
                    texts.append(example)
        examples[article_id] = texts
    return examples


def _pipeline(bot_config: dict[str, Any]) -> list[dict[str, Any]]:
    """bot/config.yml's pipeline with a ResponseSelector for ``faq`` right after DIETClassifier."""
    pipeline = [dict(component) for component in bot_config.get("pipeline") or []]
    names = [component.get("name") for component in pipeline]
    if "DIETClassifier" not in names:
        raise CompareFailed("bot/config.yml has no DIETClassifier to copy")
    diet = pipeline[names.index("DIETClassifier")]
    selector: dict[str, Any] = {"name": "ResponseSelector", "retrieval_intent": RETRIEVAL_INTENT,
                                "epochs": diet.get("epochs", DEFAULT_EPOCHS)}
    for option in ("constrain_similarities", "random_seed"):
        if option in diet:
            selector[option] = diet[option]
    pipeline.insert(names.index("DIETClassifier") + 1, selector)
    return pipeline


class _Literal(str):
    """A string written as a YAML literal block (``examples: |``), as Rasa's own files are."""


def _dump(data: Any) -> str:
    dumper = type("Dumper", (yaml.SafeDumper,), {})
    dumper.add_representer(_Literal, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|"))
    return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=1000)


def _examples_block(texts: list[str]) -> _Literal:
    return _Literal("".join(f"- {text}\n" for text in texts))


def generate_project(kb: KnowledgeBase, out_of_scope: dict[str, list[str]], bot_config_path: Path,
                     target: Path) -> RasaProject:
    """Write the baseline's Rasa project into ``target`` (config, domain, data, the id map)."""
    examples = faq_examples(kb)
    seen = {text for texts in examples.values() for text in texts}
    oos: list[str] = []
    for lang in LANGUAGES:
        for question in out_of_scope.get(lang) or []:
            example = _example(question)
            if example and example not in seen:
                seen.add(example)
                oos.append(example)

    bot_config = yaml.safe_load(bot_config_path.read_text(encoding="utf-8")) or {}
    config = {
        "recipe": bot_config.get("recipe", "default.v1"),
        "assistant_id": "vraagbaak-faq-baseline",
        "language": bot_config.get("language", "xx"),
        "pipeline": _pipeline(bot_config),
        "policies": [{"name": "RulePolicy"}],
    }
    responses: dict[str, Any] = {}
    for article_id in examples:
        versions = kb.versions_of(article_id)
        first = next((v for v in versions if v.lang == "nl" and not v.municipality), versions[0])
        responses[f"utter_{RETRIEVAL_INTENT}/{response_key(article_id)}"] = [
            {"text": f"{first.title} ({article_id}): {first.source}"}]
    responses[f"utter_{OUT_OF_SCOPE_INTENT}"] = [{"text": "Sorry, I cannot answer that."}]
    domain = {"version": "3.1", "intents": [RETRIEVAL_INTENT, OUT_OF_SCOPE_INTENT], "responses": responses,
              "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}
    nlu = [{"intent": f"{RETRIEVAL_INTENT}/{response_key(article_id)}", "examples": _examples_block(texts)}
           for article_id, texts in examples.items() if texts]
    if oos:
        nlu.append({"intent": OUT_OF_SCOPE_INTENT, "examples": _examples_block(oos)})
    rules = [
        {"rule": "answer from the FAQ", "steps": [{"intent": RETRIEVAL_INTENT}, {"action": f"utter_{RETRIEVAL_INTENT}"}]},
        {"rule": "out of scope", "steps": [{"intent": OUT_OF_SCOPE_INTENT}, {"action": f"utter_{OUT_OF_SCOPE_INTENT}"}]},
    ]

    header = "# Generated by `vraagbaak compare` from knowledge/ and bot/config.yml: do not edit.\n"
    (target / "data").mkdir(parents=True, exist_ok=True)
    (target / "config.yml").write_text(header + _dump(config), encoding="utf-8")
    (target / "domain.yml").write_text(header + _dump(domain), encoding="utf-8")
    (target / "data" / "nlu.yml").write_text(header + _dump({"version": "3.1", "nlu": nlu}), encoding="utf-8")
    (target / "data" / "rules.yml").write_text(header + _dump({"version": "3.1", "rules": rules}), encoding="utf-8")
    _copy_custom_components(config["pipeline"], bot_config_path.parent, target)
    (target / IDS_FILE).write_text(json.dumps({response_key(i): i for i in examples}, indent=1), encoding="utf-8")
    return RasaProject(target, len(examples), sum(len(t) for t in examples.values()), len(oos))


def _rasa_env(project: Path) -> dict[str, str]:
    """Rasa's environment: the project (its copied custom components) and our package (which
    those components may import) on the path, no telemetry, deterministic training."""
    from vraagbaak.settings import PROJECT_ROOT

    path = [str(project), str(PROJECT_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    return {**os.environ, **TRAIN_ENV, "PYTHONPATH": os.pathsep.join(path)}


def _copy_custom_components(pipeline: list[dict[str, Any]], bot_dir: Path, target: Path) -> list[str]:
    """Copy the bot's own components (``components.normalizer.TextNormalizer`` -> bot/components/)
    into the project, so that its pipeline runs there as in bot/. Returns what was copied."""
    copied = []
    for component in pipeline:
        name = str(component.get("name", ""))
        if "." not in name:
            continue
        top = name.split(".", 1)[0]
        if top in copied:
            continue
        if (bot_dir / top).is_dir():
            shutil.copytree(bot_dir / top, target / top, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns("__pycache__"))
        elif (bot_dir / f"{top}.py").is_file():
            shutil.copyfile(bot_dir / f"{top}.py", target / f"{top}.py")
        else:
            raise CompareFailed(f"bot/config.yml names {name}, but bot/ has no {top}/ or {top}.py to copy")
        copied.append(top)
    return copied


def train(project: Path, rasa_executable: Path) -> float:
    """Train the baseline with Rasa's command line; seconds taken. Rasa's output goes to
    ``train.log`` in the project."""
    if not rasa_executable.is_file():
        raise CompareFailed(f"Rasa is not installed ({rasa_executable} missing): run `make install`")
    log = project / "train.log"
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as handle:
        done = subprocess.run([str(rasa_executable), "train", "--fixed-model-name", MODEL_NAME,
                               "--out", str(project / "models"), "--force"],
                              cwd=project, env=_rasa_env(project), stdout=handle, stderr=subprocess.STDOUT)
    seconds = time.monotonic() - started
    if done.returncode != 0 or not (project / "models" / f"{MODEL_NAME}.tar.gz").is_file():
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-30:])
        raise CompareFailed(f"rasa train failed (exit {done.returncode}); end of {log}:\n{tail}")
    return seconds


def parse_questions(project: Path, rasa_python: Path, texts: list[str]) -> list[dict[str, Any]]:
    """One parse summary per question (see rasa_faq_parse.py), in order."""
    model = project / "models" / f"{MODEL_NAME}.tar.gz"
    stdin = "".join(json.dumps({"q": text}, ensure_ascii=False) + "\n" for text in texts)
    done = subprocess.run([str(rasa_python), "-P", str(PARSE_SCRIPT), str(model), "--ids", str(project / IDS_FILE)],
                          input=stdin, capture_output=True, text=True, cwd=project, env=_rasa_env(project))
    parsed: dict[int, dict[str, Any]] = {}
    for line in done.stdout.splitlines():
        if line.startswith("{"):
            try:
                item = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(item, dict) and "i" in item:
                parsed[item["i"]] = item
    if done.returncode != 0 or len(parsed) != len(texts):
        raise CompareFailed(f"parsing with the Rasa model failed (exit {done.returncode}, {len(parsed)} of "
                            f"{len(texts)} answers):\n{done.stderr[-3000:]}")
    return [parsed[i] for i in range(len(texts))]


def score_baseline(questions: list[EvalQuestion], parses: list[dict[str, Any]]) -> dict[str, Any]:
    """The baseline's report, shaped like `vraagbaak eval`'s (by_lang, abstain, false_abstain,
    questions). Refused: any intent but ``faq``; a hit: the article id (no municipal variants)."""
    by_lang: dict[str, dict[str, float]] = {}
    abstain = {"n": 0, "correct": 0}
    false_abstain = 0
    rows = []
    for question, parse in zip(questions, parses):
        refused = parse.get("intent") != RETRIEVAL_INTENT
        got = list(parse.get("ranking") or [])[:3]
        row: dict[str, Any] = {"q": question.q, "lang": question.lang, "expect": question.expect,
                               "municipality": question.municipality, "got": got, "intent": parse.get("intent"),
                               "confidence": parse.get("confidence"), "abstained": refused}
        if question.expect is None:
            abstain["n"] += 1
            abstain["correct"] += int(refused)
            row["correct"] = refused
        else:
            stats = by_lang.setdefault(question.lang, {"n": 0, "top1": 0, "top3": 0})
            top1 = not refused and got[:1] == [question.expect]
            top3 = not refused and question.expect in got
            stats["n"] += 1
            stats["top1"] += top1
            stats["top3"] += top3
            false_abstain += int(refused)
            row["correct"] = top1
        rows.append(row)
    return eval_report(by_lang, abstain, false_abstain, rows)


def _side(report: dict[str, Any], lang: str | None) -> dict[str, Any]:
    """One system's figures for one language (None: all), from an eval-shaped report."""
    rows = [r for r in report["questions"] if lang is None or r["lang"] == lang]
    in_scope = [r for r in rows if r["expect"] is not None]
    off = [r for r in rows if r["expect"] is None]
    if lang is not None:
        stats = report["by_lang"].get(lang, {"n": 0, "top1": 0.0, "top3": 0.0})
        top1, top3 = stats["top1"], stats["top3"]
    else:  # weighted by each language's n
        n = sum(s["n"] for s in report["by_lang"].values())
        top1 = round(sum(s["top1"] * s["n"] for s in report["by_lang"].values()) / n, 4) if n else 0.0
        top3 = round(sum(s["top3"] * s["n"] for s in report["by_lang"].values()) / n, 4) if n else 0.0
    return {"top1": top1, "top3": top3, "off_topic_refused": sum(r["abstained"] for r in off),
            "in_scope_refused": sum(r["abstained"] for r in in_scope), "n": len(in_scope), "off_topic_n": len(off)}


def comparison_table(engine: dict[str, Any], baseline: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per language, then ``all``: n (in scope), off-topic n, and both systems' figures."""
    langs = [lang for lang in LANGUAGES if any(r["lang"] == lang for r in engine["questions"])]
    langs += sorted({r["lang"] for r in engine["questions"]} - set(langs))
    table = {}
    for lang in [*langs, None]:
        ours, theirs = _side(engine, lang), _side(baseline, lang)
        table[lang or "all"] = {
            "n": ours.pop("n"), "off_topic_n": ours.pop("off_topic_n"),
            "engine": ours, "rasa_faq": {k: v for k, v in theirs.items() if k not in ("n", "off_topic_n")},
        }
    return table


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s" if minutes else f"{rest} s"


def render_comparison(result: dict[str, Any]) -> str:
    """The side-by-side table of `vraagbaak compare` (``result`` is its --json object)."""
    lines = [f"{result['questions_file']}: {result['n_questions']} questions. engine = Vraagbaak search, "
             f"rasa = Rasa FAQ baseline (ResponseSelector)",
             "",
             "                top-1          top-3          expect: null refused   in-scope wrongly refused",
             "lang     n   engine  rasa   engine  rasa   engine    rasa         engine    rasa"]
    for lang, row in result["table"].items():
        e, r = row["engine"], row["rasa_faq"]
        off = row["off_topic_n"]
        e_off, r_off = f"{e['off_topic_refused']}/{off}", f"{r['off_topic_refused']}/{off}"
        lines.append(f"{lang:<5} {row['n']:>4}   {e['top1']:>6.2f}  {r['top1']:>4.2f}   {e['top3']:>6.2f}  "
                     f"{r['top3']:>4.2f}   {e_off:>6}  {r_off:>6}         {e['in_scope_refused']:>6}  "
                     f"{r['in_scope_refused']:>6}")
    lines.append("")
    base = result["baseline"]
    lines.append(f"Rasa FAQ baseline: trained in {_duration(base['training_seconds'])} "
                 f"({base['articles']} articles, {base['faq_examples']} FAQ examples, "
                 f"{base['out_of_scope_examples']} out-of-scope examples; {base['epochs']} epochs).")
    intents = base.get("refused_by_intent") or {}
    if intents:
        lines.append("baseline refusals by Rasa intent: " + ", ".join(f"{k} {v}" for k, v in intents.items()))
    missing = result.get("expected_articles_missing") or {}
    if missing:
        lines.append(f"{sum(missing.values())} in-scope questions expect {len(missing)} articles that are not in the "
                     f"knowledge base (neither system can answer them): {', '.join(missing)}")
    if result.get("municipal_questions"):
        lines.append(f"{result['municipal_questions']} {MUNICIPAL_NOTE}.")
    if base.get("project"):
        lines.append(f"Rasa project kept in {base['project']}")
    return "\n".join(lines)


def run_compare(settings: Settings, questions_file: Path, keep: Path | None = None, log: TextIO = sys.stderr) -> dict[str, Any]:
    """Generate, train and parse the baseline, evaluate the engine, and return the --json object."""
    from vraagbaak.evaluation.questions import load_questions
    from vraagbaak.evaluation.report import evaluate
    from vraagbaak.knowledge.loader import load_knowledge
    from vraagbaak.runtime import rasa
    from vraagbaak.search.calibration import load_out_of_scope
    from vraagbaak.search.service import open_engine

    questions = load_questions(questions_file)
    loaded = load_knowledge(settings.knowledge_dir)
    errors = [p for p in loaded.problems if p.severity == "error"]
    if errors:
        print(f"compare: the knowledge base has {len(errors)} error(s) (see `vraagbaak kb check`); "
              "the baseline is trained on the valid files", file=log)
    kb = loaded.knowledge
    bot_config = rasa.BOT_DIR / "config.yml"

    print(f"compare: our engine on {len(questions)} questions ...", file=log, flush=True)
    engine_report = evaluate(open_engine(settings), questions)

    work = keep if keep is not None else Path(tempfile.mkdtemp(prefix="vraagbaak-faq-"))
    try:
        work.mkdir(parents=True, exist_ok=True)
        project = generate_project(kb, load_out_of_scope(settings.knowledge_dir), bot_config, work)
        print(f"compare: training the Rasa FAQ baseline in {work} ({project.articles} articles, "
              f"{project.faq_examples} examples; about 30 minutes on two cores) ...", file=log, flush=True)
        seconds = train(work, rasa.rasa_executable())
        print(f"compare: trained in {_duration(seconds)}; parsing the questions ...", file=log, flush=True)
        parses = parse_questions(work, rasa.RASA_VENV / "bin" / "python", [q.q for q in questions])
        epochs = next(c["epochs"] for c in yaml.safe_load((work / "config.yml").read_text(encoding="utf-8"))["pipeline"]
                      if c["name"] == "ResponseSelector")
    finally:
        if keep is None:
            shutil.rmtree(work, ignore_errors=True)

    baseline_report = score_baseline(questions, parses)
    known = set(kb.ids())
    missing = dict(sorted(Counter(q.expect for q in questions if q.expect is not None and q.expect not in known).items()))
    refused = Counter(r["intent"] or "none" for r in baseline_report["questions"] if r["abstained"])
    return {
        "questions_file": str(questions_file),
        "n_questions": len(questions),
        "municipal_questions": sum(1 for q in questions if q.municipality and q.expect is not None),
        "expected_articles_missing": missing,
        "table": comparison_table(engine_report, baseline_report),
        "baseline": {"training_seconds": round(seconds, 1), "articles": project.articles,
                     "faq_examples": project.faq_examples, "out_of_scope_examples": project.out_of_scope_examples,
                     "epochs": epochs, "refused_by_intent": dict(refused.most_common()),
                     "project": str(keep) if keep is not None else None},
        "notes": [MUNICIPAL_NOTE, "baseline refused: Rasa's intent is not faq (out_of_scope, nlu_fallback)"],
        "engine": engine_report,
        "rasa_faq": baseline_report,
    }

