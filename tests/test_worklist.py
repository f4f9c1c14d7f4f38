"""`kb todo`: recorded unanswered questions and feedback become a volunteer's work list."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from vraagbaak.cli import main
from vraagbaak.desk.records import Records
from vraagbaak.knowledge.worklist import build_worklist, render_worklist
from vraagbaak.settings import Settings


def test_questions_are_grouped_by_nearest_article_and_counted(tmp_path: Path) -> None:
    records = Records.open(replace(Settings(), var_dir=tmp_path))
    records.unanswered("ar", "den-haag", "هل يمكنني فتح حساب بنكي؟", "low_confidence", "werk/uitkering", 0.7)
    records.unanswered("nl", None, "Hoe krijg ik een bankrekening?", "low_confidence", "werk/uitkering", 0.8)
    records.unanswered("en", None, "Where can I park my car?", "low_confidence", None, 0.4)
    records.feedback(False, "werk/cv", "nl", None, "cv maken")
    records.feedback(True, "werk/cv", "nl", None, "cv maken")
    records.feedback(True, "huisvuil/grofvuil", "en", None, "sofa")
    records.handoff("ti", "enschede", "ሓገዝ")
    work = build_worklist(records, days=30)
    assert work.unanswered_count == 3
    assert list(work.unanswered) == ["werk/uitkering", "(nothing near)"]
    assert work.unanswered["werk/uitkering"][0] == ("nl", None, "Hoe krijg ik een bankrekening?")  # newest first
    assert work.feedback == {"werk/cv": (1, 1)}
    text = render_worklist(work, 30)
    assert "nearest article: werk/uitkering (2)" in text and "[ar den-haag] هل يمكنني فتح حساب بنكي؟" in text
    assert "Requests for a person: 1 (ti 1)" in text


def test_old_records_fall_outside_the_window(tmp_path: Path) -> None:
    records = Records.open(replace(Settings(), var_dir=tmp_path))
    records.unanswered("nl", None, "Oude vraag", "low_confidence", None, 0.5)
    later = datetime.now(timezone.utc) + timedelta(days=40)
    assert build_worklist(records, days=30, now=later).unanswered_count == 0


def test_the_command_says_so_when_nothing_was_recorded(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("VRAAGBAAK_VAR_DIR", str(tmp_path))
    assert main(["kb", "todo"]) == 0
    assert "No questions recorded yet" in capsys.readouterr().out
