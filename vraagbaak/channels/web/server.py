"""Serving the gateway with uvicorn: `vraagbaak web` in the foreground, or in a thread of this
process for tests and benchmarks (:class:`BackgroundServer`)."""

from __future__ import annotations

import threading
import time

import uvicorn
from starlette.applications import Starlette

from vraagbaak.channels.web.app import create_app
from vraagbaak.settings import Settings

#: Seconds an idle keep-alive connection from a browser or proxy stays open.
KEEP_ALIVE_S = 20
#: Seconds open requests (a push stream, a long poll) get to finish when the server stops.
GRACEFUL_S = 3


def uvicorn_config(settings: Settings, app: Starlette | None = None) -> uvicorn.Config:
    """One process, one event loop: the gateway waits on Rasa, it does not compute. The proxy
    headers are read by the application itself (VRAAGBAAK_FORWARDED_ALLOW_IPS), so they mean the
    same whichever way it is served; uvicorn's own access log is replaced by a structured one."""
    return uvicorn.Config(app or create_app(settings), host=settings.host, port=settings.web_port,
                          proxy_headers=False, server_header=False, access_log=False, log_config=None,
                          timeout_keep_alive=KEEP_ALIVE_S, timeout_graceful_shutdown=GRACEFUL_S,
                          lifespan="on")


def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM."""
    uvicorn.Server(uvicorn_config(settings)).run()


class BackgroundServer:
    """The gateway on a thread of this process, started and ready when the constructor returns."""

    def __init__(self, settings: Settings, app: Starlette | None = None, timeout_s: float = 30.0) -> None:
        self.settings = settings
        self.server = uvicorn.Server(uvicorn_config(settings, app))
        self.thread = threading.Thread(target=self.server.run, name="web", daemon=True)
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the web gateway did not start on {settings.host}:{settings.web_port}")
            time.sleep(0.02)

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.settings.web_port}"

    def shutdown(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=GRACEFUL_S + 5)
