"""Asking the running assistant over Rasa's REST channel, for `eval --through-rasa` and
`bench --through-rasa`: the same questions and figures as the engine, end to end."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from vraagbaak.search.types import Answer, SearchRequest, SearchResult

TIMEOUT_S = 60


@dataclass
class RasaSearcher:
    """Looks like the engine to the eval report: one fresh conversation per question."""

    rasa_url: str

    def _say(self, sender: str, message: str) -> list[dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(f"{self.rasa_url}/webhooks/rest/webhook", data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return json.loads(response.read())

    def search(self, request: SearchRequest) -> SearchResult:
        sender = f"eval-{uuid.uuid4().hex}"
        if request.municipality:
            self._say(sender, f'/choose_municipality{{"municipality":"{request.municipality}"}}')
        customs = [m["custom"] for m in self._say(sender, request.text) if isinstance(m.get("custom"), dict)]
        found = next((c for c in customs if c.get("vraagbaak") in ("answer", "no_answer")), None)
        if found is None:  # handled as small talk, emergency or out of scope: not an answer
            return SearchResult("", "", None, abstain_reason="not_a_question")
        alternatives = [Answer(a["article_id"], found.get("lang", ""), a.get("municipality"), "", "", "", "", "")
                        for a in found.get("alternatives", [])]
        confidence = float(found.get("confidence", found.get("score", 0.0)))
        if found["vraagbaak"] == "no_answer":
            return SearchResult(found.get("lang", ""), found.get("lang", ""), None, confidence=confidence,
                                abstain_reason=found.get("reason") or "low_confidence", alternatives=alternatives)
        answer = Answer(found["article_id"], found["lang"], found.get("municipality"), found.get("title", ""),
                        "", found["source"], found["reviewed"], "")
        return SearchResult(found["lang"], found["lang"], answer, confidence=confidence,
                            alternatives=[answer, *alternatives[1:]])


def bench_through_rasa(rasa_url: str, questions: list[str], count: int = 200, concurrency: int = 10) -> None:
    """Print p50/p95 of a full answer through Rasa, sequentially and with concurrent senders."""
    searcher = RasaSearcher(rasa_url)

    def timed(question: str) -> float:
        started = time.perf_counter()
        searcher.search(SearchRequest(question))
        return (time.perf_counter() - started) * 1000

    timed(questions[0])  # the first answer loads the model in the action server
    sequential = [timed(questions[i % len(questions)]) for i in range(count)]
    with ThreadPoolExecutor(concurrency) as pool:
        started = time.perf_counter()
        concurrent = list(pool.map(timed, [questions[i % len(questions)] for i in range(count)]))
        wall = time.perf_counter() - started
    for name, values in (("sequential", sequential), (f"{concurrency} concurrent senders", concurrent)):
        print(f"through Rasa, {name:<22} n={len(values)}  p50 {np.percentile(values, 50):6.0f} ms  "
              f"p95 {np.percentile(values, 95):6.0f} ms", flush=True)
    print(f"throughput with {concurrency} concurrent senders: {count / wall:.1f} answers/s")
