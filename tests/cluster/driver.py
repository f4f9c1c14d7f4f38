"""Many users at once, through the front door (haproxy in front of the web gateways), as the
widget talks: ``POST /api/messages``. Each conversation sends its next message when the reply to
the last one is there; a polite apology (``custom.vraagbaak == "unavailable"``) is answered with
one retry of the same message, as a user would press send again."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from cluster.expected import Plan

UNAVAILABLE = "unavailable"
REQUEST_TIMEOUT_S = 150.0
#: A user reads the apology before sending again. (A killed Rasa server, 1.3 GB to free, still
#: accepts connections for a moment: a retry within milliseconds could land in its backlog.)
RETRY_AFTER_S = 1.0


@dataclass
class Send:
    """One HTTP request of a conversation (a retry is a send of its own)."""

    sender: str
    step: int
    attempt: int  # 1, or 2 for the retry after an apology
    started: float  # time.time(), comparable with the tracker's event timestamps
    finished: float = 0.0
    status: int | None = None
    replies: list[dict[str, Any]] | None = None
    error: str | None = None

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def apology(self) -> bool:
        return any((m.get("custom") or {}).get("vraagbaak") == UNAVAILABLE for m in self.replies or [])

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.replies) and not self.apology


@dataclass
class Fault:
    """What to do in the middle, and when it was done (time.time() just before)."""

    after_sends: int
    action: Callable[[], None]
    at: float | None = None
    done: float | None = None


@dataclass
class Run:
    sends: dict[str, list[Send]] = field(default_factory=dict)
    started: float = 0.0
    finished: float = 0.0
    fault: Fault | None = None

    def all(self) -> list[Send]:
        return [s for sends in self.sends.values() for s in sends]

    def completed(self) -> int:
        return sum(1 for s in self.all() if s.finished)


async def _post(client: httpx.AsyncClient, url: str, plan: Plan, step: int, attempt: int) -> Send:
    spec = plan.steps[step]
    body = {"sender": plan.sender, spec.field: spec.text, "municipality": plan.municipality, "lang": None}
    send = Send(plan.sender, step, attempt, time.time())
    try:
        response = await client.post(url, json=body)
        send.status = response.status_code
        data = response.json()
        if isinstance(data, list):
            send.replies = data
        else:
            send.error = f"not a list of messages: {str(data)[:200]}"
    except (httpx.HTTPError, ValueError) as exc:
        send.error = f"{type(exc).__name__}: {exc}"
    send.finished = time.time()
    return send


async def _converse(client: httpx.AsyncClient, url: str, plan: Plan, run: Run, start_delay: float) -> None:
    await asyncio.sleep(start_delay)
    sends = run.sends.setdefault(plan.sender, [])
    for step in range(len(plan.steps)):
        send = await _post(client, url, plan, step, 1)
        sends.append(send)
        if send.apology:
            await asyncio.sleep(RETRY_AFTER_S)
            retry = await _post(client, url, plan, step, 2)
            sends.append(retry)


async def _fault_when_due(run: Run, total: int) -> None:
    fault = run.fault
    assert fault is not None
    while run.completed() < fault.after_sends and run.completed() < total:
        await asyncio.sleep(0.05)
    fault.at = time.time()
    await asyncio.to_thread(fault.action)
    fault.done = time.time()


async def drive(front_url: str, plans: list[Plan], fault: Fault | None = None, ramp_s: float = 2.0) -> Run:
    """Every conversation at once (their starts spread over ``ramp_s``); ``fault`` runs when
    that many requests have been answered."""
    run = Run(fault=fault)
    url = f"{front_url}/api/messages"
    limits = httpx.Limits(max_connections=len(plans) * 2, max_keepalive_connections=len(plans) * 2)
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S, limits=limits) as client:
        run.started = time.time()
        tasks = [_converse(client, url, plan, run, ramp_s * i / max(1, len(plans))) for i, plan in enumerate(plans)]
        if fault is not None:
            tasks.append(_fault_when_due(run, sum(len(p.steps) for p in plans)))
        await asyncio.gather(*tasks)
        run.finished = time.time()
    return run


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


@dataclass(frozen=True)
class Figures:
    label: str
    conversations: int
    answers: int
    seconds: float
    p50_ms: float
    p95_ms: float
    apologies: int
    failures: int

    @property
    def per_second(self) -> float:
        return self.answers / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (f"{self.label:<28} {self.conversations:>5} conv  {self.answers:>5} answers in {self.seconds:6.1f} s  "
                f"{self.per_second:6.2f} answers/s  p50 {self.p50_ms:6.0f} ms  p95 {self.p95_ms:6.0f} ms  "
                f"apologies {self.apologies}  failures {self.failures}")


def figures(label: str, run: Run) -> Figures:
    sends = run.all()
    answered = [s for s in sends if s.ok]
    latencies = [s.seconds * 1000 for s in answered]
    return Figures(label, len(run.sends), len(answered), run.finished - run.started, percentile(latencies, 50),
                   percentile(latencies, 95), sum(1 for s in sends if s.apology),
                   sum(1 for s in sends if not s.ok and not s.apology))


@dataclass
class ProbeReply:
    text: str
    rasa: int
    replies: list[dict[str, Any]] | None
    error: str | None = None

    @property
    def texts(self) -> list[str]:
        return [m["text"] for m in self.replies or [] if m.get("text")]


async def _to_rasa(client: httpx.AsyncClient, url: str, rasa: int, sender: str, text: str) -> ProbeReply:
    try:
        response = await client.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text})
        response.raise_for_status()
        return ProbeReply(text, rasa, response.json())
    except (httpx.HTTPError, ValueError) as exc:
        return ProbeReply(text, rasa, None, f"{type(exc).__name__}: {exc}")


async def probe_locks(rasa_urls: list[str], rounds: dict[str, list[tuple[str, str]]]) -> dict[str, list[ProbeReply]]:
    """Two messages of one conversation at the same moment, one straight to each Rasa server
    (not through haproxy): only the shared lock store keeps the replicas from handling the
    conversation at once. ``rounds``: sender → pairs of texts, a pair once the last is answered."""
    async with httpx.AsyncClient(timeout=REQUEST_TIMEOUT_S) as client:
        async def conversation(sender: str, pairs: list[tuple[str, str]]) -> tuple[str, list[ProbeReply]]:
            replies: list[ProbeReply] = []
            for texts in pairs:
                replies += await asyncio.gather(*(_to_rasa(client, rasa_urls[i], i + 1, sender, text)
                                                  for i, text in enumerate(texts)))
            return sender, replies

        return dict(await asyncio.gather(*(conversation(sender, pairs) for sender, pairs in rounds.items())))
