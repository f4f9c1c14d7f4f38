"""Parse questions with a trained Rasa FAQ model; run by Rasa's own Python (.venv-rasa), not ours.

    .venv-rasa/bin/python -P rasa_faq_parse.py MODEL.tar.gz [--ids article-ids.json] < questions.jsonl

Reads one JSON object per line on stdin (``{"q": "question text"}``), loads the model once and
prints one JSON line per question on stdout, in order:
``{"i": 0, "intent": "faq", "confidence": 0.93, "ranking": ["huisvuil/grofvuil", ...],
"ranking_confidence": [0.81, ...]}``: the intent Rasa chose (``faq``, ``out_of_scope``,
``nlu_fallback``) and the response selector's top 3 for the retrieval intent ``faq``, as article
ids (``--ids`` maps response keys such as ``huisvuil_grofvuil`` back to ids).

`vraagbaak compare` (vraagbaak/evaluation/compare.py) runs it. It imports nothing from the
vraagbaak package: Rasa's environment cannot import our dependencies.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any

RETRIEVAL_INTENT = "faq"
TOP_K = 3


def summarise(index: int, parse: dict[str, Any], ids: dict[str, str]) -> dict[str, Any]:
    """The line printed for one question, from Rasa's parse result."""
    intent = parse.get("intent") or {}
    selector = (parse.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
    ranking = selector.get("ranking") or []
    keys = []
    for entry in ranking[:TOP_K]:
        full = str(entry.get("intent_response_key") or "")
        key = full.split("/", 1)[1] if full.startswith(RETRIEVAL_INTENT + "/") else full
        keys.append(key)
    return {
        "i": index,
        "intent": intent.get("name"),
        "confidence": round(float(intent.get("confidence") or 0.0), 4),
        "ranking": [ids.get(key, key) for key in keys],
        "ranking_confidence": [round(float(entry.get("confidence") or 0.0), 4) for entry in ranking[:TOP_K]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("model", help="the trained model (.tar.gz)")
    parser.add_argument("--ids", help="JSON file: response key -> article id")
    args = parser.parse_args(argv)
    ids: dict[str, str] = {}
    if args.ids:
        with open(args.ids, encoding="utf-8") as handle:
            ids = json.load(handle)
    questions = [json.loads(line)["q"] for line in sys.stdin if line.strip()]

    # Rasa and TensorFlow print to stdout while loading: keep stdout for our JSON lines only.
    out = sys.stdout
    sys.stdout = sys.stderr
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from rasa.core.agent import Agent

    agent = Agent.load(args.model)

    async def parse_all() -> list[dict[str, Any]]:
        return [await agent.parse_message(question) for question in questions]

    for index, parse in enumerate(asyncio.run(parse_all())):
        out.write(json.dumps(summarise(index, parse, ids), ensure_ascii=False) + "\n")
    out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
