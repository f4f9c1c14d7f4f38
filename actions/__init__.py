"""Rasa custom actions: a thin layer from tracker state to :mod:`vraagbaak.assistant` and back."""

import os

from vraagbaak.runtime.threads import limit_threads

limit_threads()  # before numpy and the embedding engine load: they read it once

from vraagbaak.logs import configure_logging  # noqa: E402

configure_logging()

# Sanic imports this package again in its worker process, before that worker listens: load the
# index and the model there, so that /health (what `vraagbaak run`, compose and Kubernetes wait
# for) answers only once questions can be answered. The main process only manages the worker.
if os.environ.get("SANIC_WORKER_NAME") and os.environ.get("VRAAGBAAK_PRELOAD", "1") != "0":
    import logging
    import time

    from actions.common import assistant

    _started = time.monotonic()
    assistant()
    logging.getLogger("vraagbaak.actions").info(
        "ready to answer", extra={"seconds": round(time.monotonic() - _started, 1)})
