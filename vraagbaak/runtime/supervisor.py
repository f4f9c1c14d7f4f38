"""`vraagbaak run`: start the action server, the Rasa server and the web server, report one
readiness line, and stop all of them on Ctrl-C."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from vraagbaak.channels.web import create_server
from vraagbaak.runtime import rasa
from vraagbaak.settings import PROJECT_ROOT, Settings

READY_TIMEOUT_S = 300
TELEGRAM_BRIDGE = "Telegram bridge"
#: Channels whose failure (a revoked bot token, say) must not take the web chat down with them.
OPTIONAL_SERVICES = frozenset({TELEGRAM_BRIDGE})


@dataclass
class Services:
    """Running child processes and the in-process web server."""

    settings: Settings
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    web: object | None = None

    def stop(self) -> None:
        if self.web is not None:
            self.web.shutdown()  # type: ignore[attr-defined]
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()


def child_env(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "VRAAGBAAK_VAR_DIR": str(settings.var_dir),
        "VRAAGBAAK_KNOWLEDGE_DIR": str(settings.knowledge_dir),
        "ACTION_SERVER_URL": f"http://{settings.host}:{settings.action_port}/webhook",
        "VRAAGBAAK_TRACKER_DB": str(settings.tracker_db_path),
        "PYTHONPATH": str(PROJECT_ROOT),
        "RASA_TELEMETRY_ENABLED": "false",  # no usage data leaves the machine
    })
    return env


def start_action_server(settings: Settings, log_dir: Path) -> subprocess.Popen:
    log = open(log_dir / "action-server.log", "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port",
                             str(settings.action_port)], cwd=PROJECT_ROOT, env=child_env(settings),
                            stdout=log, stderr=subprocess.STDOUT)


def start_rasa_server(settings: Settings, log_dir: Path) -> subprocess.Popen:
    port = int(settings.rasa_url.rsplit(":", 1)[1].split("/")[0])
    log = open(log_dir / "rasa-server.log", "ab")  # noqa: SIM115
    return subprocess.Popen(rasa.server_command(settings, port), cwd=rasa.BOT_DIR, env=child_env(settings),
                            stdout=log, stderr=subprocess.STDOUT)


def start_telegram_bridge(settings: Settings, log_dir: Path) -> subprocess.Popen:
    """`vraagbaak telegram` with exactly these settings (token included, passed in its
    environment and never on its command line, where any user could read it)."""
    log = open(log_dir / "telegram-bridge.log", "ab")  # noqa: SIM115
    return subprocess.Popen([sys.executable, "-m", "vraagbaak.cli", "telegram"], cwd=PROJECT_ROOT,
                            env={**child_env(settings), **settings.to_env()}, stdout=log, stderr=subprocess.STDOUT)


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


def start_all(settings: Settings, rasa_server: bool = True, action_server: bool = True) -> Services:
    """Start what is asked and wait until each one answers."""
    log_dir = settings.var_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    services = Services(settings)
    try:
        if action_server:
            services.processes["action server"] = start_action_server(settings, log_dir)
        if rasa_server:
            rasa.train_if_changed(settings)
            services.processes["Rasa server"] = start_rasa_server(settings, log_dir)
        server = create_server(settings)
        threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
        services.web = server
        if action_server:
            wait_until_ready(f"http://{settings.host}:{settings.action_port}/health",
                             services.processes["action server"], "action server")
        if rasa_server:
            wait_until_ready(f"{settings.rasa_url}/status?token={rasa.api_token(settings)}",
                             services.processes["Rasa server"], "Rasa server")
        if settings.telegram_token:  # last: it must not apologise for a Rasa that is still starting
            services.processes[TELEGRAM_BRIDGE] = start_telegram_bridge(settings, log_dir)
    except BaseException:
        services.stop()
        raise
    return services


def run(settings: Settings) -> int:
    services = start_all(settings)
    telegram = "; Telegram bridge on" if settings.telegram_token else ""
    print(f"Vraagbaak is ready: open http://localhost:{settings.web_port} "
          f"(Rasa {settings.rasa_url}, actions :{settings.action_port}{telegram}; Ctrl-C stops everything)", flush=True)
    stop = threading.Event()
    # Explicit handlers: a process started in the background inherits an ignored SIGINT.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    try:
        while not stop.is_set():
            for name, process in list(services.processes.items()):
                if process.poll() is None:
                    continue
                print(f"The {name} stopped (exit {process.returncode}); see {settings.var_dir / 'logs'}.",
                      file=sys.stderr)
                if name in OPTIONAL_SERVICES:  # the web chat goes on without it
                    del services.processes[name]
                else:
                    stop.set()
            stop.wait(1)
    except KeyboardInterrupt:
        pass
    finally:
        print("Stopping Vraagbaak ...", flush=True)
        services.stop()
    return 0
