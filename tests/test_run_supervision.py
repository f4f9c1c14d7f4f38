"""`vraagbaak run` as an operator needs it: every server on 127.0.0.1 only, the API token on no
command line and in a private file, a taken port named with what holds it, and a server killed
as the out-of-memory killer would (SIGKILL) started again while the user gets a polite reply,
after which the conversation goes on. Real processes throughout: our supervisor, Rasa, the
action server and the web gateway."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from e2e_helpers import Conversation, free_port, in_script, read_until
from vraagbaak.runtime import rasa
from vraagbaak.settings import PROJECT_ROOT, Settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
READY_LINE = "Vraagbaak is ready"
RESTART_TIMEOUT_S = 240


@dataclass
class Running:
    process: subprocess.Popen
    var: Path
    web_port: int
    rasa_port: int
    action_port: int


def descendants(pid: int) -> list[int]:
    found: list[int] = []
    for child in subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split():
        found += [int(child), *descendants(int(child))]
    return found


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def child_running(running: Running, marker: str) -> int:
    """The pid of the supervisor's direct child whose command line holds ``marker``."""
    for pid in subprocess.run(["pgrep", "-P", str(running.process.pid)], capture_output=True, text=True).stdout.split():
        if marker in cmdline(int(pid)):
            return int(pid)
    raise AssertionError(f"no child running {marker}")


def wait_for(condition, timeout: float, what: str):  # noqa: ANN001, ANN201
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def env_for(var: Path, web_port: int, rasa_port: int, action_port: int) -> dict[str, str]:
    return {**os.environ, "VRAAGBAAK_VAR_DIR": str(var), "VRAAGBAAK_WEB_PORT": str(web_port),
            "VRAAGBAAK_ACTION_PORT": str(action_port), "VRAAGBAAK_RASA_URL": f"http://127.0.0.1:{rasa_port}",
            "VRAAGBAAK_TELEGRAM_TOKEN": "", "VRAAGBAAK_RASA_TOKEN": "",
            # This test asks faster than a person types, while it waits for a restarted server;
            # the limits have their own tests (test_web_limits.py).
            "VRAAGBAAK_WEB_SENDER_BURST": "1000", "VRAAGBAAK_WEB_IP_BURST": "1000"}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory, real_settings: Settings, stack) -> Iterator[Running]:  # noqa: ANN001
    """`vraagbaak run` on free ports, with the session's trained model and embedding cache, and
    no token configured: it generates one into var/, as on a fresh machine."""
    var = tmp_path_factory.mktemp("run") / "var"
    shutil.copytree(rasa.models_dir(real_settings), var / "rasa-models")
    shutil.copytree(real_settings.index_dir / "cache", var / "index" / "cache")
    ports = (free_port(), free_port(), free_port())
    process = subprocess.Popen([sys.executable, "-m", "vraagbaak.cli", "run"], cwd=PROJECT_ROOT,
                               env=env_for(var, *ports), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = read_until(process, READY_LINE, 400)
    assert lines and lines[-1].startswith(READY_LINE), "".join(lines)
    yield Running(process, var, *ports)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()


def listening(pids: list[int]) -> list[tuple[str, int]]:
    """(address, port) of every TCP socket these processes listen on."""
    out = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True, check=True).stdout
    found = []
    for line in out.splitlines():
        owners = {int(p) for p in re.findall(r"pid=(\d+)", line)}
        if owners & set(pids):
            address, _, port = line.split()[3].rpartition(":")
            found.append((address, int(port)))
    return found


def test_every_server_listens_on_loopback_only(running: Running) -> None:
    pids = [running.process.pid, *descendants(running.process.pid)]
    sockets = listening(pids)
    ports = {port for _, port in sockets}
    assert {running.web_port, running.rasa_port, running.action_port} <= ports, sockets
    assert all(address in ("127.0.0.1", "[::1]") for address, _ in sockets), sockets


def test_the_api_token_is_on_no_command_line_and_its_file_is_private(running: Running) -> None:
    token_file = running.var / "rasa-token"
    token = token_file.read_text().strip()
    assert len(token) >= 32
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    every_process = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    assert not [pid for pid in every_process if token in cmdline(pid)], "the token is on a command line"
    # ... and Rasa's API really is locked with it.
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"http://127.0.0.1:{running.rasa_port}/status", timeout=10)
    assert refused.value.code == 401
    with urllib.request.urlopen(f"http://127.0.0.1:{running.rasa_port}/status?token={token}", timeout=10) as ok:
        assert ok.status == 200


def test_a_killed_action_server_is_restarted_and_the_user_hears_a_polite_reply_meanwhile(running: Running) -> None:
    talk = Conversation(running.web_port, municipality="haarlem")
    assert talk.answer("Hoe vraag ik zorgtoeslag aan?")["vraagbaak"] == "answer"
    old = child_running(running, "rasa_sdk")
    os.kill(old, signal.SIGKILL)
    # A message right after the crash: the action server starts again within seconds, so it gets
    # either the polite apology (with the municipality's number) or, once restarted, its answer;
    # never a broken connection or an empty reply.
    meanwhile = talk.say("هل طبيب الأسنان مجاني؟")
    kinds = {(m.get("custom") or {}).get("vraagbaak") for m in meanwhile}
    assert kinds in ({"unavailable"}, {"answer"}) and in_script(meanwhile[0]["text"], "ar"), meanwhile
    if kinds == {"unavailable"}:
        assert "14 023" in meanwhile[0]["text"]
    # The supervisor stopped what was left of it (Sanic's worker would hold the port and answer).
    wait_for(lambda: group_gone(old), 30, "the old action server's workers gone")
    new = wait_for(lambda: next((p for p in [child_running_or_none(running, "rasa_sdk")] if p and p != old), None),
                   RESTART_TIMEOUT_S, "a new action server")
    assert new != old
    answer = wait_for(lambda: answered(talk, "Hoe vraag ik zorgtoeslag aan?"), RESTART_TIMEOUT_S, "an answer again")
    assert answer["article_id"] == "zorgverzekering/zorgtoeslag"


def test_a_killed_rasa_server_is_restarted_and_the_conversation_goes_on(running: Running) -> None:
    talk = Conversation(running.web_port)
    talk.press('/choose_language{"language":"ti"}')
    old = child_running(running, "rasa_entry")
    os.kill(old, signal.SIGKILL)
    wait_for(lambda: group_gone(old), 30, "the old Rasa server gone")
    meanwhile = talk.say("How do I apply for healthcare allowance?")
    assert {(m.get("custom") or {}).get("vraagbaak") for m in meanwhile} == {"unavailable"}, meanwhile
    # Orchestrators see it too: not ready, and why (Rasa takes tens of seconds to load its model).
    assert health(running, "/health/ready") == (503, {"ready": False, "rasa": False, "actions": True})
    assert health(running, "/health/live") == (200, {"ok": True})
    answer = wait_for(lambda: answered(talk, "How do I apply for healthcare allowance?"), RESTART_TIMEOUT_S,
                      "Rasa answering again")
    # The same conversation: the language chosen before the crash still holds.
    assert answer["article_id"] == "zorgverzekering/zorgtoeslag" and answer["lang"] == "ti"
    assert child_running(running, "rasa_entry") != old
    assert health(running, "/health/ready") == (200, {"ready": True, "rasa": True, "actions": True})


def health(running: Running, path: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{running.web_port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def child_running_or_none(running: Running, marker: str) -> int | None:
    try:
        return child_running(running, marker)
    except AssertionError:
        return None


def answered(talk: Conversation, question: str) -> dict | None:
    customs = [m.get("custom") or {} for m in talk.say(question)]
    return next((c for c in customs if c.get("vraagbaak") == "answer"), None)


def group_gone(pid: int) -> bool:
    """True when nothing of the process group that ``pid`` led is left (its workers included)."""
    return not subprocess.run(["pgrep", "-g", str(pid)], capture_output=True, text=True).stdout.strip()


def test_a_taken_port_is_named_with_what_holds_it(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "vraagbaak.cli", "run"], cwd=PROJECT_ROOT,
                                env=env_for(tmp_path / "var", free_port(), free_port(), taken),
                                capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stdout + result.stderr
    message = result.stderr
    assert f"Port {taken} on 127.0.0.1 is already in use by pid {os.getpid()}" in message, message
    assert "VRAAGBAAK_ACTION_PORT" in message
