"""`vraagbaak bench`: search latency, index build time and memory, on the real knowledge base
and on synthetic ones of given sizes. Prints figures; asserts nothing (not a test)."""

from __future__ import annotations

import random
import resource
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from vraagbaak.knowledge.loader import load_knowledge
from vraagbaak.knowledge.model import ArticleVersion, KnowledgeBase
from vraagbaak.search.builder import build_index
from vraagbaak.search.embedders import Embedder, make_embedder
from vraagbaak.search.engine import SearchEngine
from vraagbaak.search.index import IndexSnapshot
from vraagbaak.search.live import LiveEngine
from vraagbaak.search.store import CACHE
from vraagbaak.search.types import SearchRequest
from vraagbaak.settings import Settings


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MiB."""
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_knowledge(real: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """``size`` article versions made of sentences of the real articles, in all four languages.

    Texts are short (a title, two questions, three sentences) so that embedding 10,000 of them
    fits in minutes on two cores; the index size, not text length, drives search latency."""
    rng = random.Random(seed)
    by_lang: dict[str, list[ArticleVersion]] = {}
    for version in real.versions:
        by_lang.setdefault(version.lang, []).append(version)
    langs = sorted(by_lang)
    versions = []
    for number in range(size):
        lang = langs[number % len(langs)]
        pool = by_lang[lang]
        sentences = [s for v in rng.sample(pool, min(3, len(pool))) for s in v.body.split("\n") if s.strip()]
        questions = [q for v in rng.sample(pool, min(2, len(pool))) for q in v.questions[:1]]
        base = rng.choice(pool)
        versions.append(replace(
            base, id=f"synthetic/a{number:05d}", topic="synthetic", questions=tuple(questions),
            body="\n".join(rng.sample(sentences, min(3, len(sentences)))), municipality=None,
        ))
    return KnowledgeBase(real.root, versions, real.municipalities, real.topics)


def latency(engine: SearchEngine, questions: list[str], count: int) -> tuple[float, float]:
    """(p50, p95) milliseconds of engine.search over ``count`` questions (cycled)."""
    timings = []
    for i in range(count):
        started = time.perf_counter()
        engine.search(SearchRequest(questions[i % len(questions)]))
        timings.append((time.perf_counter() - started) * 1000)
    return float(np.percentile(timings, 50)), float(np.percentile(timings, 95))


def _measure(name: str, kb: KnowledgeBase, embedder: Embedder, questions: list[str], queries: int,
             calibrate: bool) -> None:
    with tempfile.TemporaryDirectory(prefix="vraagbaak-bench-") as tmp:
        index_dir = Path(tmp)
        cold = build_index(kb, embedder, index_dir, calibrate=calibrate)
        warm = build_index(kb, embedder, index_dir, calibrate=calibrate)
        engine = SearchEngine(IndexSnapshot.load_current(index_dir), embedder)
        engine.search(SearchRequest(questions[0]))  # first call loads the model
        p50, p95 = latency(engine, questions, queries)
        current, peak = rss_mb()
        note = "" if calibrate else " (calibration skipped)"
        print(f"{name:<24} versions {cold.versions:>6}  build cold {cold.seconds:7.1f} s{note}  "
              f"rebuild unchanged {warm.seconds:5.1f} s  search p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
              f"RSS {current:6.0f} MiB (peak {peak:.0f})", flush=True)


def live_reload_seconds(settings: Settings, embedder: Embedder, edits: int = 5, limit: float = 30.0) -> list[float]:
    """Seconds from saving a one-file edit to the moment searches use it, on a copy of the real
    knowledge base, with the action server's own watcher (its poll interval included)."""
    timings: list[float] = []
    with tempfile.TemporaryDirectory(prefix="vraagbaak-reload-") as tmp:
        knowledge = Path(tmp) / "knowledge"
        shutil.copytree(settings.knowledge_dir, knowledge)
        local = replace(settings, knowledge_dir=knowledge, var_dir=Path(tmp) / "var")
        if (settings.index_dir / CACHE).is_dir():  # as on a machine that built the index before
            shutil.copytree(settings.index_dir / CACHE, local.index_dir / CACHE)
        live = LiveEngine(local, embedder)
        try:
            files = sorted(knowledge.glob("*/*/*.md"))
            for number in range(edits):
                path = files[(number * 37) % len(files)]
                before = live.snapshot
                text = path.read_text(encoding="utf-8")
                path.write_text(text.replace("questions:\n", f"questions:\n  - \"bench {number} edit\"\n", 1),
                                encoding="utf-8")
                started = time.perf_counter()
                while live.snapshot is before and time.perf_counter() - started < limit:
                    time.sleep(0.02)
                timings.append(time.perf_counter() - started)
        finally:
            live.stop()
    return timings


def run_bench(settings: Settings, sizes: list[int], queries: int = 300) -> None:
    embedder = make_embedder(settings)
    real = load_knowledge(settings.knowledge_dir).knowledge
    questions = [q for v in real.versions for q in v.questions]
    random.Random(1).shuffle(questions)
    print(f"embedder {embedder.name}; {queries} queries per knowledge base; questions from the articles")
    _measure("real knowledge base", real, embedder, questions, queries, calibrate=True)
    reloads = live_reload_seconds(settings, embedder)
    print(f"{'live reload, real size':<24} versions {len(real.versions):>6}  one-file edit to served: "
          f"median {float(np.median(reloads)):.1f} s, max {max(reloads):.1f} s over {len(reloads)} edits "
          f"(promise: 5 s)", flush=True)
    for size in sizes:
        _measure(f"synthetic {size}", synthetic_knowledge(real, size), embedder, questions, queries, calibrate=False)
