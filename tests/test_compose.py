"""docker-compose.yml is valid (checked by Debian's docker-compose) and never opens Rasa's API."""

from __future__ import annotations

import os
import shutil
import subprocess
import urllib.parse

import pytest
import yaml

from vraagbaak.settings import PROJECT_ROOT

COMPOSE = PROJECT_ROOT / "docker-compose.yml"


def compose(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("docker-compose")
    if executable is None:
        pytest.fail("docker-compose is missing: `make test` installs it (Debian package docker-compose)")
    return subprocess.run([executable, "-f", str(COMPOSE), *args], capture_output=True, text=True,
                          env={"PATH": os.environ["PATH"], **(env or {})}, cwd=PROJECT_ROOT, timeout=120)


def test_compose_file_is_valid_with_its_secrets_set() -> None:
    done = compose("--profile", "telegram", "config", "-q", env={"RASA_TOKEN": "t", "POSTGRES_PASSWORD": "p"})
    assert done.returncode == 0, done.stderr
    services = compose("--profile", "telegram", "config", "--services",
                       env={"RASA_TOKEN": "t", "POSTGRES_PASSWORD": "p"}).stdout.split()
    assert set(services) == {"rasa", "actions", "web", "telegram", "postgres", "redis"}


def test_rasa_refuses_to_start_without_an_api_token() -> None:
    done = compose("config", "-q", env={"POSTGRES_PASSWORD": "p"})
    assert done.returncode != 0 and "RASA_TOKEN" in done.stderr


def test_rasa_service_uses_the_official_image_with_token_auth_postgres_and_redis() -> None:
    spec = yaml.safe_load(COMPOSE.read_text())
    rasa = spec["services"]["rasa"]
    assert rasa["image"] == "rasa/rasa:3.6.21"
    assert "--auth-token" in rasa["command"] and "--enable-api" in rasa["command"]
    endpoints = yaml.safe_load((PROJECT_ROOT / "deploy" / "endpoints.yml").read_text())
    assert endpoints["tracker_store"]["dialect"] == "postgresql"
    assert endpoints["lock_store"]["type"] == "redis"
    assert spec["services"]["actions"]["build"]["dockerfile"] == "deploy/Dockerfile"


def test_the_telegram_bridge_deletes_from_the_database_rasa_keeps_conversations_in() -> None:
    """/vergeet: the bridge's VRAAGBAAK_TRACKER_DB is deploy/endpoints.yml's tracker store."""
    done = compose("--profile", "telegram", "config", env={"RASA_TOKEN": "t", "POSTGRES_PASSWORD": "pw-42"})
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    telegram = services["telegram"]
    assert "postgres" in telegram["depends_on"]
    url = urllib.parse.urlsplit(telegram["environment"]["VRAAGBAAK_TRACKER_DB"])
    store = yaml.safe_load((PROJECT_ROOT / "deploy" / "endpoints.yml").read_text())["tracker_store"]
    postgres = services["postgres"]["environment"]
    assert url.scheme == store["dialect"] == "postgresql"
    assert (url.hostname, url.port, url.path.lstrip("/"), url.username) == \
        (store["url"], store["port"], store["db"], store["username"])
    assert (url.username, url.password, url.path.lstrip("/")) == \
        (postgres["POSTGRES_USER"], postgres["POSTGRES_PASSWORD"], postgres["POSTGRES_DB"])
