"""`vraagbaak bench --gateway`: what the web gateway costs and how the whole stack holds up.

Three figures, each printed, none asserted (a benchmark, not a test):

1. **The gateway's own overhead.** A gateway process in front of a stand-in Rasa that answers at
   once (:mod:`.instant_rasa`): asked directly and through the gateway, one request at a time;
   the difference is the gateway's own time.
2. **The whole stack** that `make run` started: one answer at a time and with concurrent senders,
   through the gateway as the widget calls it and through Rasa directly, in the same run.
3. **A flood.** Other users' answer times while one client sends 1,000 requests in 10 seconds,
   next to the same users' times when it is quiet.

Each simulated user is a new conversation from an address of its own (127.0.0.x: Linux answers on
all of 127/8), as real users are; the flood comes from one address, as a misbehaving client does.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import numpy as np

from vraagbaak.runtime.ports import port_problem
from vraagbaak.runtime.supervisor import wait_until_ready
from vraagbaak.settings import Settings

#: Loopback addresses the simulated users come from; the flood uses its own.
USER_ADDRESSES = [f"127.0.0.{n}" for n in range(2, 202)]
FLOOD_ADDRESS = "127.0.0.250"
FLOOD_REQUESTS, FLOOD_SECONDS = 1000, 10.0
TIMEOUT_S = 60.0


@dataclass
class Target:
    """Where a question goes and how: the gateway's API or Rasa's REST channel."""

    name: str
    url: str
    body: Callable[[str, str], dict[str, str]]


def gateway_target(base: str) -> Target:
    return Target("gateway", f"{base}/api/messages", lambda sender, text: {"sender": sender, "message": text})


def rasa_target(base: str) -> Target:
    return Target("Rasa directly", f"{base}/webhooks/rest/webhook",
                  lambda sender, text: {"sender": sender, "message": text})


class Users:
    """One HTTP client per simulated address, each with its own keep-alive connections."""

    def __init__(self, addresses: list[str]) -> None:
        self.clients = [httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=address),
                                          timeout=TIMEOUT_S) for address in addresses]
        self._next = 0

    def client(self) -> httpx.AsyncClient:
        self._next = (self._next + 1) % len(self.clients)
        return self.clients[self._next]

    async def aclose(self) -> None:
        await asyncio.gather(*(client.aclose() for client in self.clients))


async def ask(client: httpx.AsyncClient, target: Target, question: str) -> tuple[float, int]:
    """(milliseconds, status) of one question in a new conversation."""
    started = time.perf_counter()
    response = await client.post(target.url, json=target.body(f"web-{uuid.uuid4().hex}", question))
    await response.aread()
    return (time.perf_counter() - started) * 1000, response.status_code


async def one_at_a_time(users: Users, target: Target, questions: list[str], count: int) -> list[float]:
    return [(await ask(users.client(), target, questions[i % len(questions)]))[0] for i in range(count)]


async def concurrently(users: Users, target: Target, questions: list[str], count: int,
                       senders: int) -> tuple[list[float], float]:
    """``count`` questions by ``senders`` users at once, each asking again as soon as answered;
    (latencies, answers per second)."""
    latencies: list[float] = []
    queue = iter(range(count))

    async def user() -> None:
        for i in queue:
            latencies.append((await ask(users.client(), target, questions[i % len(questions)]))[0])

    started = time.perf_counter()
    await asyncio.gather(*(user() for _ in range(senders)))
    return latencies, count / (time.perf_counter() - started)


async def flood(target: Target) -> dict[int, int]:
    """1,000 requests in 10 s from one address; how many got which status."""
    statuses: dict[int, int] = {}
    async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(local_address=FLOOD_ADDRESS),
                                 timeout=TIMEOUT_S, limits=httpx.Limits(max_connections=50)) as client:
        async def one(i: int) -> None:
            await asyncio.sleep(i * FLOOD_SECONDS / FLOOD_REQUESTS)
            try:
                _, status = await ask(client, target, "Hoe vraag ik zorgtoeslag aan?")
            except httpx.HTTPError:
                status = 0
            statuses[status] = statuses.get(status, 0) + 1

        await asyncio.gather(*(one(i) for i in range(FLOOD_REQUESTS)))
    return statuses


def line(name: str, values: list[float], extra: str = "") -> str:
    return (f"  {name:<44} n={len(values):<4} p50 {np.percentile(values, 50):6.1f} ms  "
            f"p95 {np.percentile(values, 95):6.1f} ms{extra}")


# --- 1. the gateway's own overhead -----------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def gateway_overhead(count: int) -> None:
    rasa_port, web_port = _free_port(), _free_port()
    with tempfile.TemporaryDirectory() as var:
        env = {**os.environ, "VRAAGBAAK_WEB_PORT": str(web_port), "VRAAGBAAK_RASA_URL": f"http://127.0.0.1:{rasa_port}",
               "VRAAGBAAK_VAR_DIR": var, "VRAAGBAAK_WEB_SENDER_BURST": "1000000",
               "VRAAGBAAK_WEB_IP_BURST": "1000000", "VRAAGBAAK_WEB_IP_PER_MINUTE": "1000000"}
        rasa = subprocess.Popen([sys.executable, "-m", "vraagbaak.evaluation.instant_rasa", str(rasa_port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        web = subprocess.Popen([sys.executable, "-m", "vraagbaak.cli", "web"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_until_ready(f"http://127.0.0.1:{rasa_port}/", rasa, "stand-in Rasa", timeout=30)
            wait_until_ready(f"http://127.0.0.1:{web_port}/health/live", web, "web gateway", timeout=30)
            users = Users(USER_ADDRESSES[:1])
            try:
                direct, through = rasa_target(f"http://127.0.0.1:{rasa_port}"), gateway_target(f"http://127.0.0.1:{web_port}")
                for target in (direct, through):  # warm: connections, first-call imports
                    await one_at_a_time(users, target, ["hallo"], 50)
                direct_ms = await one_at_a_time(users, direct, ["Hoe vraag ik zorgtoeslag aan?"], count)
                through_ms = await one_at_a_time(users, through, ["Hoe vraag ik zorgtoeslag aan?"], count)
            finally:
                await users.aclose()
        finally:
            for process in (web, rasa):
                process.terminate()
                process.wait(10)
    print("1. The gateway's own overhead (a stand-in Rasa that answers at once; one request at a time):")
    print(line("stand-in Rasa directly", direct_ms))
    print(line("through the gateway", through_ms))
    print(f"  gateway overhead: p50 {np.percentile(through_ms, 50) - np.percentile(direct_ms, 50):.2f} ms, "
          f"p95 {np.percentile(through_ms, 95) - np.percentile(direct_ms, 95):.2f} ms (target: at most 2 ms p95)")


# --- 2 and 3. the running stack ----------------------------------------------------------------------
async def whole_stack(settings: Settings, questions: list[str], count: int, senders: int) -> None:
    web = f"http://127.0.0.1:{settings.web_port}"
    through, direct = gateway_target(web), rasa_target(settings.rasa_url.rstrip("/"))
    users = Users(USER_ADDRESSES)
    try:
        await ask(users.client(), through, questions[0])  # loads what loads on first use
        print(f"\n2. The running stack ({web}, Rasa {settings.rasa_url}), a new conversation per question:")
        for target in (through, direct):
            print(line(f"{target.name}, one at a time", await one_at_a_time(users, target, questions, count)), flush=True)
        for target in (through, direct):
            latencies, rate = await concurrently(users, target, questions, count, senders)
            print(line(f"{target.name}, {senders} senders at once", latencies, f"  {rate:5.1f} answers/s"), flush=True)

        print(f"\n3. Other users while one address sends {FLOOD_REQUESTS} requests in {FLOOD_SECONDS:.0f} s "
              f"(the gateway's limits, VRAAGBAAK_WEB_IP_*):")
        users_during = max(2, senders // 2)
        quiet, _ = await concurrently(users, through, questions, count // 2, users_during)
        flooding = asyncio.create_task(flood(through))
        await asyncio.sleep(1.0)  # the flood is under way
        loud, _ = await concurrently(users, through, questions, count // 2, users_during)
        statuses = await flooding
        print(line(f"{users_during} users, quiet", quiet))
        print(line(f"{users_during} users, during the flood", loud))
        ratio = np.percentile(loud, 95) / np.percentile(quiet, 95)
        print(f"  p95 during the flood / quiet: {ratio:.2f}x (target: at most 2x); the flood's answers by status: "
              + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items())))
    finally:
        await users.aclose()


def run_gateway_bench(settings: Settings, questions: list[str], count: int, senders: int = 10) -> int:
    asyncio.run(gateway_overhead(max(count, 300)))
    if port_problem(settings.host, settings.web_port, "VRAAGBAAK_WEB_PORT") is None:  # nothing listens
        print(f"\nNothing answers on {settings.host}:{settings.web_port}: start the assistant (`make run`) for "
              "the whole-stack and flood figures.")
        return 0
    asyncio.run(whole_stack(settings, questions, count, senders))
    return 0

