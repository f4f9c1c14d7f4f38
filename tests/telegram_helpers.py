"""Running the real bridge (`vraagbaak telegram`, as its own process) against the fake Bot API,
and a scriptable stand-in for Rasa for the tests that are about the bridge rather than Rasa."""

from __future__ import annotations

import io
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from fake_telegram import TOKEN, FakeTelegram
from vraagbaak.logs import JsonFormatter
from vraagbaak.settings import PROJECT_ROOT

START_TIMEOUT_S = 30


class BridgeProcess:
    """`python -m vraagbaak.cli telegram` with the given settings as VRAAGBAAK_* variables; its
    log (stderr) goes to ``log_path`` for the tests to read."""

    def __init__(self, fake: FakeTelegram, var_dir: Path, ready: Callable[[], bool] | None = None,
                 **settings: Any) -> None:
        self.fake = fake
        self.log_path = var_dir / "telegram-bridge.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("VRAAGBAAK_")}
        env.update({"VRAAGBAAK_TELEGRAM_TOKEN": TOKEN, "VRAAGBAAK_TELEGRAM_API_URL": fake.api_url,
                    "VRAAGBAAK_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1"})
        env.update({f"VRAAGBAAK_{k.upper()}": str(v) for k, v in settings.items()})
        var_dir.mkdir(parents=True, exist_ok=True)
        self._log = self.log_path.open("wb")
        polls_before = fake.polls
        ready = ready or (lambda: fake.polls > polls_before)  # polling started: ready for updates
        self.process = subprocess.Popen([sys.executable, "-m", "vraagbaak.cli", "telegram"], cwd=PROJECT_ROOT,
                                        env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the bridge did not start:\n{self.log()}")
            time.sleep(0.05)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 15) -> int:
        """SIGINT, as the supervisor stops it; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
        return self.process.returncode


class FakeRasa:
    """Rasa's REST channel and tracker API, answering with ``reply(message)``; records requests.
    For the bridge's own behaviour (splitting, escaping, buttons, retries) only: the real Rasa
    answers in test_telegram_e2e.py."""

    def __init__(self, reply: Callable[[str], list[dict[str, Any]]] | None = None, delay: float = 0.0) -> None:
        self.reply = reply or (lambda message: [{"text": f"echo {message}"}])
        self.delay = delay
        self.requests: list[tuple[str, str, Any]] = []  # (method, path, body)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _body(self) -> Any:
                length = int(self.headers.get("Content-Length") or 0)
                return json.loads(self.rfile.read(length) or b"null")

            def _json(self, data: Any) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:  # noqa: N802
                body = self._body()
                fake.requests.append(("POST", self.path, body))
                if self.path.startswith("/webhooks/rest/webhook"):
                    time.sleep(fake.delay)
                    return self._json(fake.reply(body["message"]))
                self._json({"events": body})

            def do_PUT(self) -> None:  # noqa: N802
                body = self._body()
                fake.requests.append(("PUT", self.path, body))
                self._json({"events": body})

            def do_GET(self) -> None:  # noqa: N802
                fake.requests.append(("GET", self.path, None))
                self._json({"events": [{"event": "session_started"}]})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, name="fake-rasa", daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def messages(self) -> list[dict[str, Any]]:
        """What the bridge sent to the REST channel: sender, message and metadata."""
        return [body for method, path, body in self.requests if path.startswith("/webhooks/rest/webhook")]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def json_log(logger: str) -> Iterator[io.StringIO]:
    """The JSON lines ``logger`` writes meanwhile, extra fields included, as the bridge's log has
    them (caplog misses records once the project's logging stops them propagating)."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(JsonFormatter())
    target = logging.getLogger(logger)
    target.addHandler(handler)
    try:
        yield lines
    finally:
        target.removeHandler(handler)
