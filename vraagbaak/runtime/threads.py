"""How many threads one answer computes on in a server process: one, by default.

Numerical libraries start a pool of threads per process (OpenBLAS, OpenMP, TensorFlow, the
embedding engine) and let them spin while they wait for each other. In a server that answers
several users at once on a few cores those threads compete with the other answers: measured on
two cores, the action server spent 95 ms of CPU per answer with its default pools and 22 ms with
one thread each, and answered faster. Scale out with more processes (`--scale`, replicas) instead.

The pools read these variables once, when the library loads, so :func:`limit_threads` runs first
thing in each server process (rasa_entry, actions/__init__). A variable already set is kept: an
operator can still choose. Standard library only: it also runs in Rasa's own environment.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from vraagbaak.settings import Settings

#: The libraries' own variables, and ours for the embedding engine.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "TF_INTRA_OP_PARALLELISM_THREADS", "TF_INTER_OP_PARALLELISM_THREADS",
                    "VRAAGBAAK_EMBED_THREADS")


def limit_threads(environ: MutableMapping[str, str] = os.environ) -> str:
    """Set every thread variable that is not set yet to VRAAGBAAK_SERVER_THREADS; the value."""
    threads = environ.get("VRAAGBAAK_SERVER_THREADS") or str(Settings.server_threads)
    for name in THREAD_VARIABLES:
        if not environ.get(name):
            environ[name] = threads
    return threads
