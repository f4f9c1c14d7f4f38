"""Live reload: serve searches while watching knowledge/, and swap in a new index when a file is
edited, added or deleted. A broken edit keeps the last good index and is logged."""

from __future__ import annotations

import logging
import threading

from vraagbaak.search.builder import knowledge_fingerprint, knowledge_stat
from vraagbaak.search.embedders import Embedder, make_embedder
from vraagbaak.search.engine import SearchEngine
from vraagbaak.search.service import KnowledgeInvalid, build, open_engine
from vraagbaak.search.types import SearchRequest, SearchResult
from vraagbaak.settings import Settings

log = logging.getLogger("vraagbaak.live")


class LiveEngine:
    """Behaves like a :class:`SearchEngine`; a background thread keeps it current."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, poll_seconds: float = 1.0) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings)
        self._engine = open_engine(settings, self.embedder)
        self._seen_stat = knowledge_stat(settings.knowledge_dir)
        self._seen = knowledge_fingerprint(settings.knowledge_dir)
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._poll = poll_seconds
        self._thread = threading.Thread(target=self._watch, name="knowledge-watch", daemon=True)
        self._thread.start()

    @property
    def engine(self) -> SearchEngine:
        return self._engine

    @property
    def snapshot(self):  # noqa: ANN201 - the current IndexSnapshot
        return self._engine.snapshot

    def search(self, request: SearchRequest) -> SearchResult:
        return self._engine.search(request)  # one attribute read: always a whole snapshot

    def article(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return self._engine.article(*args, **kwargs)

    def choose_version(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return self._engine.choose_version(*args, **kwargs)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def check_now(self) -> bool:
        """Rebuild if knowledge/ changed since the last look. True when a new index is served.
        The files are read only when their sizes or times changed (every second, on a server
        that answers users meanwhile)."""
        try:
            stat = knowledge_stat(self.settings.knowledge_dir)
            if stat == self._seen_stat:
                return False
            fingerprint = knowledge_fingerprint(self.settings.knowledge_dir)
            self._seen_stat = stat
        except OSError as exc:  # a file vanished while being read: look again next time
            log.debug("knowledge changed while reading: %s", exc)
            return False
        if fingerprint == self._seen:
            return False
        self._seen = fingerprint
        try:
            report = build(self.settings, self.embedder)
        except KnowledgeInvalid as exc:
            self.last_error = str(exc)
            log.error("knowledge base has errors; still serving the last good index: %s", exc)
            return False
        except Exception:  # never let the watcher die: the last good index keeps serving
            self.last_error = "build failed"
            log.exception("rebuilding the index failed; still serving the last good index")
            return False
        self._engine = open_engine(self.settings, self.embedder, refresh=False)
        self.last_error = None
        log.info("index reloaded: %d versions, %d texts embedded in %.1f s",
                 report.versions, report.embedded, report.seconds)
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self._poll):
            self.check_now()
