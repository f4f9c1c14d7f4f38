"""`vraagbaak run` (what `make run` starts) as a user sees it: one readiness line with the URL,
the web chat answering through Rasa, and Ctrl-C stopping every process it started."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from e2e_helpers import Conversation, free_port, read_until
from vraagbaak.runtime import rasa
from vraagbaak.runtime.supervisor import Services
from vraagbaak.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
READY_LINE = "Vraagbaak is ready: open http://localhost:"


def children_of(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in found]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def test_run_prints_one_ready_line_answers_and_stops_everything_on_ctrl_c(
        tmp_path: Path, real_settings: Settings, stack: Services) -> None:
    # A var dir of its own, with the model the session trained and the embedding cache.
    var = tmp_path / "var"
    shutil.copytree(rasa.models_dir(real_settings), var / "rasa-models")
    shutil.copytree(real_settings.index_dir / "cache", var / "index" / "cache")
    web_port = free_port()
    env = {**os.environ, "VRAAGBAAK_VAR_DIR": str(var), "VRAAGBAAK_WEB_PORT": str(web_port),
           "VRAAGBAAK_ACTION_PORT": str(free_port()), "VRAAGBAAK_RASA_URL": f"http://127.0.0.1:{free_port()}",
           "VRAAGBAAK_TELEGRAM_TOKEN": ""}
    process = subprocess.Popen([sys.executable, "-m", "vraagbaak.cli", "run"], cwd=PROJECT_ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = read_until(process, READY_LINE, 300)
        assert lines and lines[-1].startswith(f"{READY_LINE}{web_port}"), "".join(lines)
        children = children_of(process.pid)
        assert len(children) == 2, children  # the action server and the Rasa server

        answer = Conversation(web_port, municipality="haarlem").answer("Hoe vraag ik zorgtoeslag aan?")
        assert answer["vraagbaak"] == "answer" and answer["article_id"] == "zorgverzekering/zorgtoeslag"

        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0
        rest = process.stdout.read()  # type: ignore[union-attr]
        assert "Stopping Vraagbaak" in rest
        assert not [pid for pid in children if alive(pid)], "a server outlived Ctrl-C"
    finally:
        if process.poll() is None:
            process.kill()
