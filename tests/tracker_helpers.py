"""Rasa's own SQLTrackerStore for the tests (rasa_tracker_store.py, run with Rasa's interpreter):
conversations written and read back exactly as the Rasa server does, in a SQLite file or a
PostgreSQL database, and the rows of its ``events`` table as our code sees them."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from vraagbaak.settings import PROJECT_ROOT

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"
RASA_SCRIPT = Path(__file__).parent / "rasa_tracker_store.py"


def rasa_tracker_store(database: dict[str, str], command: str, *args: str) -> dict[str, list[dict[str, Any]] | None]:
    """``rasa_tracker_store.py COMMAND ARGS...`` against ``database``: ``{"TRACKER_SQLITE": path}``
    or the ``PG_*`` variables (in the environment, never argv). Returns what Rasa reads back."""
    if not RASA_PYTHON.is_file():
        pytest.fail("Rasa's venv is missing: `make rasa-install` builds .venv-rasa")
    env = {"PATH": os.environ["PATH"], "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           **database}
    done = subprocess.run([str(RASA_PYTHON), str(RASA_SCRIPT), command, *args], capture_output=True, text=True,
                          env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def sqlite_events(db: Path) -> list[tuple[Any, ...]]:
    """Every column of every row of a SQLite tracker store, in the order Rasa wrote them."""
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT * FROM events ORDER BY id").fetchall()
