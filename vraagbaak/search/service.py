"""Open a ready-to-use search engine: load the current index, rebuilding it first if the
knowledge base changed since it was built (and is valid)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager

from vraagbaak.knowledge.checker import check_knowledge
from vraagbaak.search.builder import BuildReport, build_index, knowledge_fingerprint
from vraagbaak.search.embedders import Embedder, make_embedder
from vraagbaak.search.engine import EngineConfig, SearchEngine
from vraagbaak.search.index import IndexMissing, IndexSnapshot
from vraagbaak.settings import Settings


class KnowledgeInvalid(Exception):
    """The knowledge base has errors, so no new index was built."""


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """One build at a time per index directory (a second process waits for the first)."""
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.index_dir / ".build.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(settings: Settings, embedder: Embedder | None = None) -> BuildReport:
    """Check, then build. Refuses (keeping the last good index) when there are errors."""
    with build_lock(settings):
        checked = check_knowledge(settings.knowledge_dir, stale_after_days=settings.stale_after_days)
        if checked.errors:
            raise KnowledgeInvalid(f"{len(checked.errors)} error(s) in the knowledge base; see 'vraagbaak kb check'")
        return build_index(checked.knowledge, embedder or make_embedder(settings), settings.index_dir,
                           safety=checked.safety)


def open_engine(settings: Settings, embedder: Embedder | None = None, refresh: bool = True) -> SearchEngine:
    """The engine over the current index; with ``refresh``, first rebuild an outdated index."""
    embedder = embedder or make_embedder(settings)
    snapshot: IndexSnapshot | None
    try:
        snapshot = IndexSnapshot.load_current(settings.index_dir)
    except IndexMissing:
        snapshot = None
    outdated = snapshot is None or (
        snapshot.manifest.get("fingerprint") != knowledge_fingerprint(settings.knowledge_dir)
        or snapshot.embedder_name != embedder.name
    )
    if refresh and outdated:
        try:
            build(settings, embedder)
            snapshot = IndexSnapshot.load_current(settings.index_dir)
        except KnowledgeInvalid:
            if snapshot is None:
                raise
    if snapshot is None:
        raise IndexMissing(f"no index in {settings.index_dir}; run 'vraagbaak kb build'")
    return SearchEngine(snapshot, embedder, EngineConfig(max_question_chars=settings.max_question_chars))
