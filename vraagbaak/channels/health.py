"""`/health/live` and `/health/ready` for supervisors and orchestrators (compose, Kubernetes).

Live: this process answers. Ready: a question can be answered now, so Rasa and the action server
answer too. While `vraagbaak run` starts a crashed server again, ready says which one is down
(the web chat meanwhile answers users politely)."""

from __future__ import annotations

import urllib.request
from concurrent.futures import ThreadPoolExecutor

from vraagbaak.settings import Settings

#: Seconds each dependency may take to answer a readiness check.
CHECK_TIMEOUT_S = 2.0


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=CHECK_TIMEOUT_S) as response:  # noqa: S310 - our own servers
            return 200 <= response.status < 300
    except OSError:
        return False


def readiness(settings: Settings) -> dict[str, bool]:
    """Which of the servers behind the web chat answer now (checked at the same time)."""
    urls = {"rasa": f"{settings.rasa_url.rstrip('/')}/", "actions": f"{settings.action_server_url}/health"}
    with ThreadPoolExecutor(max_workers=len(urls)) as pool:
        answers = dict(zip(urls, pool.map(_answers, urls.values())))
    return answers
