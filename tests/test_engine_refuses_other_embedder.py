"""README: "Changing the embedder needs a `kb build`; the engine refuses an index built by another
model." Vectors of two models live in different spaces: searching one model's index with the
other's question vectors would give confident nonsense, so the engine must refuse, and say what
to do. Both embedders are real; the second is only asked its name (no model is loaded)."""

from __future__ import annotations

import re

import pytest

from vraagbaak.search.embedders import SentenceTransformerEmbedder
from vraagbaak.search.engine import SearchEngine
from vraagbaak.search.index import IndexSnapshot
from vraagbaak.search.service import open_engine
from vraagbaak.settings import Settings

pytestmark = pytest.mark.slow


def refusal(built_with: str, asked_with: str) -> str:
    return re.escape(f"the index was built with {built_with} but the embedder is {asked_with}; "
                     "run 'vraagbaak kb build' with the same VRAAGBAAK_EMBEDDER")


def test_the_engine_refuses_an_index_built_by_another_embedder(real_engine: SearchEngine) -> None:
    other = SentenceTransformerEmbedder()
    assert other.name != real_engine.embedder.name
    with pytest.raises(ValueError, match=refusal(real_engine.embedder.name, other.name)):
        SearchEngine(real_engine.snapshot, other)


def test_opening_the_index_with_another_embedder_is_refused_without_rebuilding(
        real_settings: Settings, real_engine: SearchEngine) -> None:
    """``refresh=False`` is how the running assistant opens the index: it must not quietly serve it."""
    other = SentenceTransformerEmbedder()
    built = IndexSnapshot.load_current(real_settings.index_dir)
    with pytest.raises(ValueError, match=refusal(built.manifest["embedder"], other.name)):
        open_engine(real_settings, other, refresh=False)
    assert IndexSnapshot.load_current(real_settings.index_dir).path == built.path  # nothing was rebuilt
