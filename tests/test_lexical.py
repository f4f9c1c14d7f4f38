"""BM25 over character n-grams."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from vraagbaak.search.lexical import LexicalIndex, char_ngrams


def test_ngrams_are_taken_within_normalised_words() -> None:
    grams = char_ngrams("Één Café!")
    assert " een" in grams and "cafe " in grams
    assert all(" " not in g.strip() for g in grams)
    assert char_ngrams("😀 !!") == []


def test_matching_document_ranks_first_and_misspellings_still_match() -> None:
    docs = ["grofvuil ophalen bank matras koelkast", "zorgtoeslag aanvragen bij de belastingdienst",
            "een cv schrijven voor een sollicitatie"]
    index = LexicalIndex.build(docs, rows=[10, 11, 12])
    assert int(np.argmax(index.scores("zorgtoeslg aanvragn"))) == 1
    assert int(np.argmax(index.scores("oude matras kwijt"))) == 0
    assert not index.scores("xyz qqq").any()


def test_tigrinya_and_arabic_variants_match() -> None:
    index = LexicalIndex.build(["ምዝገባ ሓኪም ስድራ።", "الرعاية الصحية والتأمين"], rows=[0, 1])
    assert int(np.argmax(index.scores("ሓኪም ስድራ፧"))) == 0
    assert int(np.argmax(index.scores("الرعايه الصحيه"))) == 1  # ة written as ه


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    index = LexicalIndex.build(["eerste tekst", "tweede tekst"], rows=[3, 4])
    index.save(tmp_path, "nl")
    loaded = LexicalIndex.load(tmp_path, "nl")
    assert np.allclose(loaded.scores("tweede"), index.scores("tweede"))
    assert loaded.rows.tolist() == [3, 4]
