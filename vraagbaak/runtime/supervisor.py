"""`vraagbaak run`: start the action server, the Rasa server and the web server, report one
readiness line, keep them running, and stop all of them on Ctrl-C or SIGTERM.

A child that dies (the kernel's out-of-memory killer, a crash) is started again with back-off,
while the web server stays up and answers politely in the user's language. Every child runs in
a process group of its own, and a group is stopped whole: a server's worker processes never
outlive it and hold its port.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from vraagbaak.channels.web import BackgroundServer
from vraagbaak.runtime import rasa
from vraagbaak.runtime.ports import port_problem
from vraagbaak.settings import PROJECT_ROOT, Settings

log = logging.getLogger("vraagbaak.supervisor")

READY_TIMEOUT_S = 300
TELEGRAM_BRIDGE = "Telegram bridge"
ACTION_SERVER = "action server"
RASA_SERVER = "Rasa server"
#: Channels whose failure (a revoked bot token, say) must not take the web chat down with them:
#: restarted too, but given up after this many short lives in a row.
OPTIONAL_SERVICES = frozenset({TELEGRAM_BRIDGE})
OPTIONAL_MAX_QUICK_RESTARTS = 5
#: Back-off before a restart: 1 s, doubling to at most 30 s; a child that lived this long before it
#: died starts again after 1 s.
FIRST_BACKOFF_S, MAX_BACKOFF_S, HEALTHY_AFTER_S = 1.0, 30.0, 60.0
STOP_GRACE_S = 15.0


@dataclass
class Child:
    """One supervised process and how to start it again."""

    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen
    started_at: float = field(default_factory=time.monotonic)
    backoff: float = FIRST_BACKOFF_S
    quick_restarts: int = 0
    restart_at: float | None = None  # set while it is down, waiting for its back-off


@dataclass
class Services:
    """Running child processes and the in-process web gateway (uvicorn on a thread of its own)."""

    settings: Settings
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    web: BackgroundServer | None = None
    children: dict[str, Child] = field(default_factory=dict)

    def add(self, name: str, start: Callable[[], subprocess.Popen]) -> subprocess.Popen:
        process = start()
        self.children[name] = Child(name, start, process)
        self.processes[name] = process
        return process

    def supervise_once(self, now: float | None = None) -> list[str]:
        """Look at every child once: restart the ones whose back-off has passed, schedule the
        ones that just died. Returns what happened, as sentences for the terminal."""
        now = time.monotonic() if now is None else now
        said: list[str] = []
        for name, child in list(self.children.items()):
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.process = child.start()
                    self.processes[name] = child.process
                    child.started_at, child.restart_at = now, None
                    log.warning("restarted", extra={"service": name, "pid": child.process.pid})
                    said.append(f"The {name} was started again.")
                continue
            code = child.process.poll()
            if code is None:
                continue
            stop_group(child.process)  # its workers must not go on holding the port and answering
            lived = now - child.started_at
            if lived >= HEALTHY_AFTER_S:
                child.backoff, child.quick_restarts = FIRST_BACKOFF_S, 0
            else:
                child.quick_restarts += 1
            if name in OPTIONAL_SERVICES and child.quick_restarts > OPTIONAL_MAX_QUICK_RESTARTS:
                del self.children[name]
                self.processes.pop(name, None)
                log.error("given up", extra={"service": name, "exit_code": code})
                said.append(f"The {name} keeps stopping (exit {code}); the rest goes on without it. "
                            f"See {self.settings.var_dir / 'logs'}.")
                continue
            child.restart_at = now + child.backoff
            log.error("stopped", extra={"service": name, "exit_code": code, "restart_in_s": child.backoff})
            said.append(f"The {name} stopped (exit {code}); starting it again in {child.backoff:.0f} s. "
                        f"See {self.settings.var_dir / 'logs'}.")
            child.backoff = min(child.backoff * 2, MAX_BACKOFF_S)
        return said

    def stop(self) -> None:
        if self.web is not None:
            self.web.shutdown()
        running = [p for p in self.processes.values() if p.poll() is None]
        for process in running:
            signal_group(process, signal.SIGINT)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            stop_group(process)


def signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the child's whole process group (it leads its own session)."""
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def stop_group(process: subprocess.Popen) -> None:
    """Kill whatever is left of a child's process group, and reap the child."""
    signal_group(process, signal.SIGKILL)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        pass


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "VRAAGBAAK_VAR_DIR": str(settings.var_dir),
        "VRAAGBAAK_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "ACTION_SERVER_URL": f"http://{settings.host}:{settings.action_port}/webhook",
        "VRAAGBAAK_TRACKER_DB": str(settings.tracker_db_path),
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",  # no usage data leaves the machine
        # The action server opens tickets at the volunteers' desk: same groups, hours, database.
        "VRAAGBAAK_DESK_CHATS": settings.desk_chats,
        "VRAAGBAAK_DESK_HOURS": settings.desk_hours,
        "VRAAGBAAK_DATABASE_URL": settings.database_url,
    })
    return env


def _popen(command: list[str], cwd: Path, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """A child in a session (and process group) of its own, its output appended to its log."""
    with open(log_path, "ab") as log_file:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                start_new_session=True)


def start_action_server(settings: Settings, log_dir: Path) -> subprocess.Popen:
    """rasa_sdk's server, listening on ``settings.host`` only (Sanic reads SANIC_HOST; its own
    default is every interface). It loads the index before it answers /health (actions/)."""
    env = {**child_env(settings), "SANIC_HOST": settings.host}
    return _popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(settings.action_port)],
                  PROJECT_ROOT, env, log_dir / "action-server.log")


def rasa_port(settings: Settings) -> int:
    return int(settings.rasa_url.rsplit(":", 1)[1].split("/")[0])


def start_rasa_server(settings: Settings, log_dir: Path) -> subprocess.Popen:
    return _popen(rasa.server_command(settings, rasa_port(settings)), rasa.BOT_DIR,
                  rasa.server_env(settings, child_env(settings)), log_dir / "rasa-server.log")


def start_telegram_bridge(settings: Settings, log_dir: Path) -> subprocess.Popen:
    """`vraagbaak telegram` with exactly these settings (token included, passed in its
    environment and never on its command line, where any user could read it)."""
    return _popen([sys.executable, "-m", "vraagbaak.cli", "telegram"], PROJECT_ROOT,
                  {**child_env(settings), **settings.to_env()}, log_dir / "telegram-bridge.log")


def wait_until_ready(url: str, process: subprocess.Popen | None, name: str, timeout: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the {name} stopped while starting (exit {process.returncode}); see var/logs/")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the {name} was not ready after {timeout:.0f} s; see var/logs/")


def check_ports(settings: Settings, rasa_server: bool = True, action_server: bool = True) -> None:
    """Fail before starting anything when a port is taken, saying by what and which setting moves it."""
    wanted = [("VRAAGBAAK_WEB_PORT", settings.web_port)]
    if action_server:
        wanted.append(("VRAAGBAAK_ACTION_PORT", settings.action_port))
    if rasa_server:
        wanted.append(("VRAAGBAAK_RASA_URL", rasa_port(settings)))
    problems = [p for variable, port in wanted if (p := port_problem(settings.host, port, variable))]
    if problems:
        raise RuntimeError("\n".join(problems))


def start_all(settings: Settings, rasa_server: bool = True, action_server: bool = True) -> Services:
    """Start what is asked and wait until each one answers."""
    check_ports(settings, rasa_server, action_server)
    log_dir = settings.var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    services = Services(settings)
    try:
        if action_server:
            services.add(ACTION_SERVER, lambda: start_action_server(settings, log_dir))
        if rasa_server:
            rasa.train_if_changed(settings)
            services.add(RASA_SERVER, lambda: start_rasa_server(settings, log_dir))
        services.web = BackgroundServer(settings)
        if action_server:
            wait_until_ready(f"http://{settings.host}:{settings.action_port}/health",
                             services.processes[ACTION_SERVER], ACTION_SERVER)
        if rasa_server:
            wait_until_ready(f"{settings.rasa_url}/status?token={rasa.api_token(settings)}",
                             services.processes[RASA_SERVER], RASA_SERVER)
        if settings.telegram_token:  # last: it must not apologise for a Rasa that is still starting
            services.add(TELEGRAM_BRIDGE, lambda: start_telegram_bridge(settings, log_dir))
    except BaseException:
        services.stop()
        raise
    return services


def run(settings: Settings) -> int:
    # The terminal shows readiness, restarts and problems; a line per request belongs in the logs
    # of a deployment (`vraagbaak web` under compose or Kubernetes), not here.
    logging.getLogger("vraagbaak.web.access").setLevel(logging.WARNING)
    try:
        services = start_all(settings)
    except RuntimeError as exc:
        print(f"Vraagbaak could not start: {exc}", file=sys.stderr, flush=True)
        return 1
    telegram = "; Telegram bridge on" if settings.telegram_token else ""
    if settings.desk_chats and not settings.telegram_token:
        print("Warning: VRAAGBAAK_DESK_CHATS is set but VRAAGBAAK_TELEGRAM_TOKEN is not: newcomers can open "
              "tickets, but no volunteer will see them (the Telegram bridge serves the desk).",
              file=sys.stderr, flush=True)
    print(f"Vraagbaak is ready: open http://localhost:{settings.web_port} "
          f"(Rasa {settings.rasa_url}, actions :{settings.action_port}{telegram}; Ctrl-C stops everything)", flush=True)
    stop = threading.Event()
    # Explicit handlers: a process started in the background inherits an ignored SIGINT.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.is_set():
            for sentence in services.supervise_once():
                print(sentence, file=sys.stderr, flush=True)
            stop.wait(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping Vraagbaak ...", flush=True)
        services.stop()
    return 0
