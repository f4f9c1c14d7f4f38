"""`vraagbaak eval`: top-1/top-3 per language and abstention, as one JSON-able report."""

from __future__ import annotations

from typing import Any, Protocol

from vraagbaak.evaluation.questions import EvalQuestion
from vraagbaak.languages import LANGUAGES
from vraagbaak.search.types import SearchRequest, SearchResult


class Searcher(Protocol):
    def search(self, request: SearchRequest) -> SearchResult: ...


def _hit(result: SearchResult, position: int, question: EvalQuestion) -> bool:
    """Whether the answer at ``position`` is the expected article (and municipality's variant)."""
    if position >= len(result.alternatives):
        return False
    answer = result.alternatives[position]
    if answer.article_id != question.expect:
        return False
    return question.municipality is None or answer.municipality == question.municipality


def evaluate(searcher: Searcher, questions: list[EvalQuestion]) -> dict[str, Any]:
    """Run every question (no language hint: detection is part of what is measured)."""
    by_lang: dict[str, dict[str, float]] = {}
    abstain = {"n": 0, "correct": 0}
    false_abstain = 0
    rows = []
    for question in questions:
        result = searcher.search(SearchRequest(question.q, municipality=question.municipality, top_k=3))
        got = [a.article_id for a in result.alternatives]
        row: dict[str, Any] = {"q": question.q, "lang": question.lang, "expect": question.expect,
                               "municipality": question.municipality, "got": got,
                               "abstained": result.abstained, "confidence": round(result.confidence, 4),
                               "threshold": round(result.threshold, 4),
                               "answer_municipality": result.answer.municipality if result.answer else None}
        if question.expect is None:
            abstain["n"] += 1
            abstain["correct"] += int(result.abstained)
            row["correct"] = result.abstained
        else:
            stats = by_lang.setdefault(question.lang, {"n": 0, "top1": 0, "top3": 0})
            top1 = not result.abstained and _hit(result, 0, question)
            top3 = not result.abstained and any(_hit(result, i, question) for i in range(3))
            stats["n"] += 1
            stats["top1"] += top1
            stats["top3"] += top3
            false_abstain += int(result.abstained)
            row["correct"] = top1
        rows.append(row)
    return eval_report(by_lang, abstain, false_abstain, rows)


def eval_report(by_lang: dict[str, dict[str, Any]], abstain: Any, false_abstain: int,
                rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The counts per language as rates, languages in their usual order: the report's shape,
    shared by `eval` and `compare`."""
    for stats in by_lang.values():
        stats["top1"] = round(stats["top1"] / stats["n"], 4)
        stats["top3"] = round(stats["top3"] / stats["n"], 4)
    ordered = {lang: by_lang[lang] for lang in [*LANGUAGES, *sorted(by_lang)] if lang in by_lang}
    return {"by_lang": ordered, "abstain": abstain, "false_abstain": false_abstain, "questions": rows}


def render_report(report: dict[str, Any]) -> str:
    lines = ["lang     n   top-1   top-3"]
    for lang, s in report["by_lang"].items():
        lines.append(f"{lang:<5} {s['n']:>4}   {s['top1']:.2f}    {s['top3']:.2f}")
    a = report["abstain"]
    lines.append(f"out of scope refused: {a['correct']}/{a['n']}; in-scope questions refused: {report['false_abstain']}")
    misses = [r for r in report["questions"] if not r["correct"]]
    if misses:
        lines.append("\nmisses:")
        for r in misses:
            got = "refused" if r["abstained"] else ", ".join(r["got"])
            lines.append(f"  [{r['lang']}] {r['q']!r}: expected {r['expect']}, got {got} "
                         f"(confidence {r['confidence']:.3f}, threshold {r['threshold']:.3f})")
    return "\n".join(lines)
