"""`vraagbaak eval-safety FILE`: how well the safety layer tells emergencies from ordinary
questions with alarming words, per language and need (the format of
shared/eval/safety-dev.yaml: ``q``, ``lang``, ``kind: emergency|not-emergency``, ``need``).

The engine alone (the safety check on the search's own embedding), or ``--through-rasa``: the
running assistant, where the NLU's intent is one more piece of evidence.
"""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import yaml

from vraagbaak.languages import LANGUAGES
from vraagbaak.search.types import SearchRequest

KINDS = ("emergency", "not-emergency")


@dataclass(frozen=True)
class SafetyCase:
    q: str
    lang: str
    kind: str
    need: str


@dataclass(frozen=True)
class Verdict:
    alarm: bool
    need: str | None


def load_cases(path: Path) -> list[SafetyCase]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a list of cases")
    cases = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or not {"q", "lang", "kind"} <= set(item) or item["kind"] not in KINDS:
            raise ValueError(f"{path}: case {number} needs q, lang and kind ({' or '.join(KINDS)})")
        cases.append(SafetyCase(str(item["q"]), str(item["lang"]), str(item["kind"]), str(item.get("need") or "none")))
    return cases


class Probe(Protocol):
    def verdict(self, case: SafetyCase) -> Verdict: ...


@dataclass
class EngineProbe:
    """The safety check as the search runs it (one embedding per message), timed on its own."""

    engine: Any
    check_ms: list[float]

    def verdict(self, case: SafetyCase) -> Verdict:
        result = self.engine.search(SearchRequest(case.q))
        vector = self.engine.embedder.embed_queries([case.q])[0]
        started = time.perf_counter()
        self.engine.snapshot.safety.assess(case.q, vector)
        self.check_ms.append((time.perf_counter() - started) * 1000)
        return Verdict(result.danger is not None, result.danger.need if result.danger else None)


@dataclass
class RasaProbe:
    """The running assistant over Rasa's REST channel, one fresh conversation per case."""

    rasa_url: str

    def verdict(self, case: SafetyCase) -> Verdict:
        body = json.dumps({"sender": f"eval-safety-{uuid.uuid4().hex}", "message": case.q}).encode()
        request = urllib.request.Request(f"{self.rasa_url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            messages = json.loads(response.read())
        customs = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
        found = next((c for c in customs if c.get("vraagbaak") == "emergency"), None)
        return Verdict(found is not None, found.get("need") if found else None)


def evaluate_safety(probe: Probe, cases: list[SafetyCase]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = defaultdict(lambda: {"emergencies": 0, "recalled": 0, "right_need": 0,
                                                           "ordinary": 0, "false_alarms": 0})
    by_need: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "recalled": 0, "right_need": 0})
    misses: list[dict[str, Any]] = []
    for case in cases:
        verdict = probe.verdict(case)
        for key in (case.lang, "all"):
            row = rows[key]
            if case.kind == "emergency":
                row["emergencies"] += 1
                row["recalled"] += verdict.alarm
                row["right_need"] += verdict.alarm and verdict.need == case.need
            else:
                row["ordinary"] += 1
                row["false_alarms"] += verdict.alarm
        if case.kind == "emergency":
            need = by_need[case.need]
            need["n"] += 1
            need["recalled"] += verdict.alarm
            need["right_need"] += verdict.alarm and verdict.need == case.need
        wrong = verdict.alarm != (case.kind == "emergency") or (verdict.alarm and verdict.need != case.need)
        if wrong:
            misses.append({"q": case.q, "lang": case.lang, "kind": case.kind, "need": case.need,
                           "got": verdict.need if verdict.alarm else "no alarm"})
    def rate(part: int, whole: int) -> float | None:
        return round(part / whole, 3) if whole else None
    languages = {key: {**row, "recall": rate(row["recalled"], row["emergencies"]),
                       "false_alarm_rate": rate(row["false_alarms"], row["ordinary"])}
                 for key, row in rows.items()}
    needs = {key: {**row, "recall": rate(row["recalled"], row["n"])} for key, row in by_need.items()}
    return {"languages": languages, "needs": needs, "misses": misses}


def render_safety_report(report: dict[str, Any], check_ms: list[float] | None = None) -> str:
    lines = [f"{'lang':<5} {'emergencies':>11} {'recall':>7} {'right need':>10} {'ordinary':>9} {'false alarms':>13}"]
    order = [lang for lang in LANGUAGES if lang in report["languages"]] + ["all"]
    for lang in order:
        row = report["languages"].get(lang)
        if not row:
            continue
        lines.append(f"{lang:<5} {row['emergencies']:>11} {_pct(row['recall']):>7} "
                     f"{row['right_need']:>4}/{row['recalled']:<5} {row['ordinary']:>9} "
                     f"{row['false_alarms']:>4} ({_pct(row['false_alarm_rate'])})")
    lines.append("")
    lines.append(f"{'need':<9} {'n':>3} {'recall':>7} {'right need':>10}")
    for need, row in sorted(report["needs"].items()):
        lines.append(f"{need:<9} {row['n']:>3} {_pct(row['recall']):>7} {row['right_need']:>6}/{row['recalled']}")
    if check_ms:
        lines.append("")
        lines.append(f"safety check alone (words + meaning, embedding reused): p50 {np.percentile(check_ms, 50):.2f} ms, "
                     f"p95 {np.percentile(check_ms, 95):.2f} ms")
    if report["misses"]:
        lines.append("")
        lines.append("Wrong:")
        for miss in report["misses"]:
            lines.append(f"  [{miss['lang']}] {miss['kind']}/{miss['need']} -> {miss['got']}: {miss['q']}")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"
