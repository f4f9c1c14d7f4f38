"""Rasa's own checks on bot/: data validation and the conversation test stories (`rasa test`)."""

from __future__ import annotations

import os
import subprocess

import pytest

from vraagbaak.runtime import rasa
from vraagbaak.settings import Settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def run_rasa(*args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    if not rasa.rasa_executable().is_file():
        pytest.fail("Rasa is not installed: run `make install` (scripts/install-rasa.sh)")
    env = rasa.rasa_env(ACTION_SERVER_URL="http://127.0.0.1:5055/webhook",
                        VRAAGBAAK_TRACKER_DB=str(Settings().var_dir / "rasa-test-tracker.db"))
    return subprocess.run([str(rasa.rasa_executable()), *args], cwd=rasa.BOT_DIR, capture_output=True,
                          text=True, timeout=timeout, env=env)


def test_data_validates_without_warnings() -> None:
    done = run_rasa("data", "validate", "--fail-on-warnings")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_conversation_stories_pass(tmp_path) -> None:
    settings = Settings()
    rasa.train_if_changed(settings)
    done = run_rasa("test", "core", "--stories", "tests/test_conversations.yml", "--model",
                    str(rasa.model_path(settings)), "--out", str(tmp_path), "--e2e", "--fail-on-prediction-errors")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    failed = tmp_path / "failed_test_stories.yml"
    assert not failed.exists() or "none" in failed.read_text().lower() or not failed.read_text().strip(), \
        failed.read_text() if failed.exists() else ""
