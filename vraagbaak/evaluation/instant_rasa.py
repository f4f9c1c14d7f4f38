"""A stand-in for Rasa's REST channel that answers at once, for `vraagbaak bench --gateway`.

Only to measure what the web gateway itself costs: the difference between asking this server
directly and asking it through the gateway is the gateway's own time. The reply has the size and
shape of a real answer (text, buttons, the metadata message). Never used to answer anyone.

Run: ``python -m vraagbaak.evaluation.instant_rasa PORT``.
"""

from __future__ import annotations

import json
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

#: A typical answer: about the size of a real one (Dutch article text, two buttons, metadata).
REPLY = [
    {"recipient_id": "bench", "text": "U kunt zorgtoeslag aanvragen bij Dienst Toeslagen. " * 12,
     "buttons": [{"title": "Nuttig", "payload": "/feedback_helpful"},
                 {"title": "Niet nuttig", "payload": "/feedback_not_helpful"}]},
    {"recipient_id": "bench", "custom": {"vraagbaak": "answer", "article_id": "geld/zorgtoeslag", "lang": "nl",
                                         "source": "https://www.belastingdienst.nl/", "reviewed": "2026-12-06",
                                         "confidence": 0.91}},
]
BODY = json.dumps(REPLY).encode()


async def webhook(request: Request) -> Response:
    await request.body()
    return Response(BODY, media_type="application/json")


async def status(request: Request) -> Response:
    return JSONResponse({"version": "instant"})


app = Starlette(routes=[Route("/webhooks/rest/webhook", webhook, methods=["POST"]), Route("/", status)])

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
