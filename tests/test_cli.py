"""The `vraagbaak` command as a volunteer and an operator use it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search_helpers import knowledge_subset


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "vraagbaak.cli", *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", **(env or {})}, timeout=900)


def test_kb_check_passes_on_the_real_knowledge_base() -> None:
    done = run("kb", "check")
    assert done.returncode == 0, done.stdout
    assert "0 errors" in done.stdout


def test_kb_check_reports_file_and_line_and_fails(tmp_path: Path) -> None:
    knowledge = knowledge_subset(tmp_path, ["werk/cv"], langs=("nl",))
    article = knowledge / "nl" / "werk" / "cv.md"
    article.write_text(article.read_text(encoding="utf-8").replace("lang: nl", "lang: nederlands"), encoding="utf-8")
    done = run("kb", "check", env={"VRAAGBAAK_KNOWLEDGE_DIR": str(knowledge)})
    assert done.returncode == 1
    assert "nl/werk/cv.md:3: error: Unknown language 'nederlands'" in done.stdout
    dutch = run("kb", "check", "--lang", "nl", env={"VRAAGBAAK_KNOWLEDGE_DIR": str(knowledge)})
    assert "Onbekende taal 'nederlands'" in dutch.stdout


def test_kb_status_prints_the_coverage_table() -> None:
    done = run("kb", "status")
    assert done.returncode == 0
    assert "huisvuil/grofvuil @den-haag" in done.stdout
    assert "missing" in done.stdout and "ok" in done.stdout


def test_bad_setting_is_explained() -> None:
    done = run("kb", "check", env={"VRAAGBAAK_EMBEDDER": "word2vec"})
    assert done.returncode != 0 and "VRAAGBAAK_EMBEDDER" in done.stderr


@pytest.mark.slow
def test_ask_json_names_article_language_municipality_source_and_score(real_settings, real_engine) -> None:
    done = run("ask", "Hoe laat ik grofvuil ophalen?", "--municipality", "enschede", "--json",
               env={"VRAAGBAAK_VAR_DIR": str(real_settings.var_dir)})
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    answer = result["answer"]
    assert answer["article_id"] == "huisvuil/grofvuil"
    assert answer["municipality"] == "enschede" and answer["lang"] == "nl"
    assert answer["source"].startswith("https://") and answer["reviewed"]
    assert isinstance(result["candidates"][0]["score"], float)
    assert result["confidence"] >= result["threshold"]


@pytest.mark.slow
def test_ask_prints_a_readable_refusal(real_settings, real_engine) -> None:
    done = run("ask", "😀😀😀", env={"VRAAGBAAK_VAR_DIR": str(real_settings.var_dir)})
    assert done.returncode == 0
    assert "No answer" in done.stdout
