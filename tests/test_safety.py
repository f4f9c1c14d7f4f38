"""The safety layer: word patterns, the safety files as volunteers write them, and the decision
that combines words, meaning and the NLU's intent (vraagbaak/safety)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from vraagbaak.knowledge.checker import check_knowledge
from vraagbaak.safety.check import SUPPORT_SLACK, SafetyCheck, calibrate_margin, nearest_margin
from vraagbaak.safety.data import NEEDS, load_safety
from vraagbaak.safety.patterns import Pattern, positions_of, words_of
from vraagbaak.settings import PROJECT_ROOT


def matches(pattern: str, text: str) -> bool:
    parsed = Pattern.parse(pattern)
    words = words_of(text)
    return parsed.matches(words, positions_of(words, set(parsed.terms)))


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("ademt niet", "mijn opa ademt niet meer", True),
    ("ademt niet", "hij ademt gewoon, niet bang zijn", True),  # any order, within the window
    ("ademt niet", "ademt hij? ik weet het echt helemaal niet", False),  # too far apart
    ("adem* niet", "hij kan niet ademen", True),  # prefix
    ("*ضرب*", "جوزي بيضربني كل يوم", True),  # infix: clitics around the stem
    ("*ضرب*", "عندي ضريبة", False),
    ("بيضربني", "جوزي بيضرِبُني", True),  # vowel marks do not matter
    ("bewusteloos", "Hij is BEWUSTELOOS!!", True),
    ("*loos", "hij is bewusteloos", True),  # suffix
    ("brand", "brandweer komt", False),  # a whole word, not a part
    ("ademt niet", "ademt hij? ik weet het echt helemaal niet, hij ademt niet", True),  # a later pair fits
    ("doesn't breathe", "he doesnt breathe", False),  # written as two words, like the message's text
    ("doesn't breathe", "he doesn't breathe!", True),
])
def test_pattern_semantics(pattern: str, text: str, expected: bool) -> None:
    assert matches(pattern, text) is expected


@pytest.mark.parametrize("bad", ["*", "**", "  "])
def test_a_pattern_without_words_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        Pattern.parse(bad)


def write_safety(root: Path, nl: str) -> None:
    folder = root / "safety"
    folder.mkdir(parents=True)
    (folder / "services.yaml").write_text((PROJECT_ROOT / "knowledge/safety/services.yaml").read_text())
    (folder / "nl.yaml").write_text(nl, encoding="utf-8")
    for lang in ("en", "ar", "ti"):
        (folder / f"{lang}.yaml").write_text("lang: %s\ndanger: {}\n" % lang)


def test_mistakes_in_a_safety_file_are_reported_with_file_and_line(tmp_path: Path) -> None:
    write_safety(tmp_path, """lang: nl
danger:
  medical:
    - "ademt niet"
    - "*"
  burglary:
    - "inbreker"
calm: "geen brand"
examples:
  fire:
    - "er is brand"
    - 
""")
    data = load_safety(tmp_path)
    found = {(p.code, p.line) for p in data.problems}
    assert ("safety_bad_pattern", 5) in found
    assert ("safety_unknown_need", 6) in found
    assert ("safety_not_list", 8) in found
    assert ("safety_not_text", 12) in found
    assert [p.source for _, p in data.danger] == ["ademt niet"]  # the good line is kept
    # kb check shows them to the volunteer, in Dutch too.
    report = check_knowledge(tmp_path)
    shown = [p.format("nl") for p in report.problems if p.path.name == "nl.yaml"]
    assert any(line.startswith(str(tmp_path / "safety/nl.yaml") + ":6: fout:") and "burglary" in line for line in shown)


def test_broken_yaml_is_one_clear_problem(tmp_path: Path) -> None:
    write_safety(tmp_path, 'lang: nl\ndanger:\n  medical: [\n')
    problems = [p for p in load_safety(tmp_path).problems if p.path.name == "nl.yaml"]
    assert len(problems) == 1 and problems[0].code == "bad_config" and problems[0].severity == "error"


def test_the_real_safety_files_are_clean_and_cover_every_need() -> None:
    data = load_safety(PROJECT_ROOT / "knowledge")
    assert not data.problems, [p.format() for p in data.problems]
    for need in NEEDS:
        assert {p.source for n, p in data.danger if n == need}, need
        assert len([e for e in data.examples if e.label == need]) >= 20, need
        assert data.needs[need][0] in ("alarm", "suicide-line") and data.services[data.needs[need][0]].phone
    assert data.services["alarm"].phone == "112" and data.services["veilig-thuis"].phone == "0800-2000"
    assert data.services["suicide-line"].phone_free == "0800-0113"


# --- the decision, on vectors made for the test ---------------------------------------------------
def unit(*values: float) -> np.ndarray:
    vector = np.asarray(values, np.float32)
    return vector / np.linalg.norm(vector)


LABELS = ["medical", "medical", "fire", "fire", "calm", "calm"]
VECTORS = np.stack([unit(1, 0, 0), unit(1, 0.1, 0), unit(0, 1, 0), unit(0.1, 1, 0), unit(0, 0, 1), unit(0, 0.1, 1)])


def check() -> SafetyCheck:
    danger = [("medical", Pattern.parse("ademt niet")), ("fire", Pattern.parse("brand"))]
    calm = [Pattern.parse("geen brand")]
    return SafetyCheck(danger, calm, VECTORS, LABELS, margin=0.2)


def test_words_alone_raise_the_alarm_without_a_vector() -> None:
    danger = check().assess("mijn man ademt niet", None)
    assert danger is not None and danger.need == "medical" and danger.evidence == ("words",)


def test_a_calm_pattern_cancels_the_words_but_not_the_meaning() -> None:
    calm_vector = unit(0, 0.05, 1)  # near the calm examples
    assert check().assess("de rookmelder piept maar er is geen brand", calm_vector) is None
    fire_vector = unit(0.05, 1, 0.1)
    danger = check().assess("geen brand gezien maar de keuken staat in brand", fire_vector)
    assert danger is not None and danger.need == "fire" and "meaning" in danger.evidence


def test_meaning_alone_raises_the_alarm_above_the_margin_only() -> None:
    assert check().assess("something else entirely", unit(1, 0.05, 0)).need == "medical"
    assert check().assess("something else entirely", unit(0.5, 0, 0.5)) is None


def test_the_nlu_alone_never_raises_the_alarm_but_lowers_the_margin() -> None:
    between = unit(0.79806, 0, 0.60256)  # a meaning lead just under the margin
    meaning = nearest_margin(VECTORS @ between, np.asarray(LABELS))
    assert meaning is not None and 0.2 - SUPPORT_SLACK <= meaning.margin < 0.2
    assert check().assess('{"sender": "admin"}', unit(0, 0, 1), "emergency", 0.99) is None
    assert check().assess("iets", between) is None
    supported = check().assess("iets", between, "emergency", 0.95)
    assert supported is not None and supported.evidence == ("meaning", "intent")


def test_the_margin_keeps_false_alarms_within_bounds() -> None:
    rng = np.random.default_rng(1)
    calm = list(rng.normal(0.0, 0.05, 200))
    ordinary = list(rng.normal(-0.2, 0.05, 1000))
    margin = calibrate_margin([0.3] * 50, calm, ordinary)
    assert np.mean(np.asarray(calm) >= margin) <= 0.10
    assert np.mean(np.asarray(ordinary) >= margin) <= 0.01
    assert margin == pytest.approx(np.quantile(calm, 0.9), abs=1e-3)


def test_a_knowledge_base_without_safety_files_is_told_so_not_crashed(tmp_path: Path) -> None:
    data = load_safety(tmp_path)
    assert {(p.code, p.severity) for p in data.problems} == {("safety_missing", "warning"), ("bad_config", "error")}
    assert not data.danger and not data.services
