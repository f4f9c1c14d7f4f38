"""`/health/live` and `/health/ready` for supervisors and orchestrators (compose, Kubernetes).

Live: this process answers. Ready: a question can be answered now, so Rasa and the action server
answer too. While `vraagbaak run` starts a crashed server again, ready says which one is down
(the web chat meanwhile answers users politely)."""

from __future__ import annotations

import asyncio

import httpx

from vraagbaak.settings import Settings

#: Seconds each dependency may take to answer a readiness check.
CHECK_TIMEOUT_S = 2.0


async def _answers(client: httpx.AsyncClient, url: str) -> bool:
    try:
        response = await client.get(url, timeout=CHECK_TIMEOUT_S)
    except httpx.HTTPError:
        return False
    return response.is_success


async def readiness(settings: Settings, client: httpx.AsyncClient) -> dict[str, bool]:
    """Which of the servers behind the web chat answer now (checked at the same time)."""
    urls = {"rasa": f"{settings.rasa_url.rstrip('/')}/", "actions": f"{settings.action_server_url}/health"}
    answers = await asyncio.gather(*(_answers(client, url) for url in urls.values()))
    return dict(zip(urls, answers))
