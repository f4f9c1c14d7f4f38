"""The supervisor's rules without real servers: back-off, giving up on an optional channel, and
the Rasa entry point that keeps the API token off the command line. The clock is passed in."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from vraagbaak.runtime import supervisor
from vraagbaak.runtime.rasa import api_token
from vraagbaak.runtime.rasa_entry import rasa_argv
from vraagbaak.runtime.supervisor import Services
from vraagbaak.settings import Settings


def short_lived() -> subprocess.Popen:
    """A real child process that ends at once with exit 3 (a crash, as far as we care)."""
    return subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"], start_new_session=True)


def settle(services: Services) -> None:
    for child in services.children.values():
        child.process.wait(10)


def test_a_dead_child_is_started_again_after_a_doubling_back_off(tmp_path: Path) -> None:
    services = Services(replace(Settings(), var_dir=tmp_path))
    starts: list[subprocess.Popen] = []
    services.add("action server", lambda: starts.append(short_lived()) or starts[-1])
    child = services.children["action server"]
    t0 = child.started_at
    settle(services)
    assert "starting it again in 1 s" in services.supervise_once(now=t0 + 0.1)[0]
    assert services.supervise_once(now=t0 + 0.5) == []  # back-off not over: nothing yet
    assert services.supervise_once(now=t0 + 1.2) == ["The action server was started again."]
    assert len(starts) == 2 and services.processes["action server"] is starts[1]
    settle(services)
    assert "again in 2 s" in services.supervise_once(now=t0 + 1.3)[0]  # died quickly again: longer wait
    services.supervise_once(now=t0 + 3.4)
    settle(services)
    assert "again in 4 s" in services.supervise_once(now=t0 + 3.5)[0]
    services.supervise_once(now=t0 + 7.6)
    settle(services)
    # A life of more than a minute resets the back-off.
    assert "again in 1 s" in services.supervise_once(now=t0 + 7.6 + supervisor.HEALTHY_AFTER_S + 1)[0]


def test_an_optional_channel_that_keeps_dying_is_given_up_and_the_rest_goes_on(tmp_path: Path) -> None:
    services = Services(replace(Settings(), var_dir=tmp_path))
    services.add(supervisor.TELEGRAM_BRIDGE, short_lived)
    now = services.children[supervisor.TELEGRAM_BRIDGE].started_at
    said: list[str] = []
    for _ in range(40):
        if supervisor.TELEGRAM_BRIDGE not in services.children:
            break
        settle(services)
        now += 0.1
        said += services.supervise_once(now=now)
        now += supervisor.MAX_BACKOFF_S + 1
        said += services.supervise_once(now=now)
    assert supervisor.TELEGRAM_BRIDGE not in services.children and supervisor.TELEGRAM_BRIDGE not in services.processes
    assert "keeps stopping (exit 3); the rest goes on without it" in said[-1]
    assert sum("started again" in s for s in said) == supervisor.OPTIONAL_MAX_QUICK_RESTARTS


def test_stop_ends_the_whole_process_group(tmp_path: Path) -> None:
    # A parent that starts a grandchild in its group, as Sanic starts its worker.
    code = "import subprocess,sys,time; subprocess.Popen([sys.executable,'-c','import time; time.sleep(600)']); time.sleep(600)"
    services = Services(replace(Settings(), var_dir=tmp_path))
    process = services.add("action server", lambda: subprocess.Popen([sys.executable, "-c", code], start_new_session=True))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True).stdout:
        time.sleep(0.1)
    grandchild = int(subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()[0])
    services.stop()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{grandchild}").exists() \
            and Path(f"/proc/{grandchild}/stat").read_text().split()[2] != "Z":
        time.sleep(0.1)
    assert not Path(f"/proc/{grandchild}").exists() or Path(f"/proc/{grandchild}/stat").read_text().split()[2] == "Z"


def test_rasa_gets_its_token_inside_the_process_never_from_the_command_line() -> None:
    argv = rasa_argv(["run", "--enable-api", "--port", "5005"], {"VRAAGBAAK_RASA_TOKEN": "s3cret"})
    assert argv == ["rasa", "run", "--enable-api", "--port", "5005", "--auth-token", "s3cret"]
    assert rasa_argv(["run", "--enable-api"], {"RASA_TOKEN": "compose"})[-1] == "compose"
    assert rasa_argv(["train", "--out", "m"], {}) == ["rasa", "train", "--out", "m"]
    with pytest.raises(SystemExit, match="do not pass --auth-token"):
        rasa_argv(["run", "--auth-token", "x"], {"VRAAGBAAK_RASA_TOKEN": "s3cret"})
    with pytest.raises(SystemExit, match="without a token"):
        rasa_argv(["run", "--enable-api"], {})


def test_the_generated_token_file_is_private_from_its_first_byte(tmp_path: Path) -> None:
    settings = replace(Settings(), var_dir=tmp_path, rasa_token="")
    token = api_token(settings)
    assert len(token) >= 32 and (tmp_path / "rasa-token").stat().st_mode & 0o777 == 0o600
    assert api_token(settings) == token  # generated once
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".rasa-token")]  # no draft left
