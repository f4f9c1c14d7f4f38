"""The per-message costs removed inside the Rasa process (vraagbaak.runtime.rasa_tuning) keep
Rasa's behaviour: an action server's reply is still validated against Rasa's schema, with the
same error, and the SQLite tracker store still stores. Run with Rasa's own interpreter; and the
thread limits (vraagbaak.runtime.threads) keep an operator's own choice."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from vraagbaak.runtime.threads import THREAD_VARIABLES, limit_threads
from vraagbaak.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

CHECK = r"""
import json, sys, asyncio
from vraagbaak.runtime import rasa_tuning
from rasa.core.actions.action import RemoteAction
from jsonschema import ValidationError
original = RemoteAction._validate_action_result
rasa_tuning.apply()
assert RemoteAction._validate_action_result is not original
action = RemoteAction("action_respond", None)
good = {"events": [{"event": "slot", "name": "lang", "value": "ti"}],
        "responses": [{"text": "hallo", "custom": {"vraagbaak": "answer"}}]}
bad = {"events": [{"event": 42}], "responses": "not a list"}
result = {"good": action._validate_action_result(good)}
try:
    action._validate_action_result(bad)
    result["bad"] = "accepted"
except ValidationError as error:
    result["bad"] = error.message
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.events import UserUttered
store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=sys.argv[1])
tracker = DialogueStateTracker("tuning-test", [])
tracker.update(UserUttered("ሰላም"))
asyncio.run(store.save(tracker))
back = asyncio.run(store.retrieve("tuning-test"))
with store.engine.connect() as connection:
    result["journal"] = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    result["synchronous"] = connection.exec_driver_sql("PRAGMA synchronous").scalar()
result["pool"] = type(store.engine.pool).__name__
result["texts"] = [e.text for e in back.events if isinstance(e, UserUttered)]
print(json.dumps(result, ensure_ascii=False))
"""


def test_rasa_still_validates_action_replies_and_stores_conversations(tmp_path: Path) -> None:
    if not RASA_PYTHON.is_file():
        pytest.fail("Rasa's venv is missing: `make rasa-install` builds .venv-rasa")
    env = {"PATH": os.environ["PATH"], "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false",
           "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    done = subprocess.run([str(RASA_PYTHON), "-c", CHECK, str(tmp_path / "tracker.db")], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["good"] is True
    assert result["bad"] != "accepted" and "Failed to validate Action server response" in result["bad"]
    assert result["journal"] == "wal" and result["synchronous"] == 1  # NORMAL
    assert result["pool"] == "QueuePool" and result["texts"] == ["ሰላም"]


def test_servers_compute_on_one_thread_unless_the_operator_chose() -> None:
    environ: dict[str, str] = {}
    assert limit_threads(environ) == "1" and {environ[name] for name in THREAD_VARIABLES} == {"1"}
    chosen = {"VRAAGBAAK_SERVER_THREADS": "2", "OMP_NUM_THREADS": "4"}
    limit_threads(chosen)
    assert chosen["OMP_NUM_THREADS"] == "4" and chosen["OPENBLAS_NUM_THREADS"] == "2"
    assert chosen["VRAAGBAAK_EMBED_THREADS"] == "2"
