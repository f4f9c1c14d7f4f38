"""Start Rasa's command line with its API token added inside the process.

Rasa 3.6 reads the token only from ``--auth-token`` on its command line, where every local user
can read it (``ps``, /proc/*/cmdline). This entry point takes it from the environment
(``VRAAGBAAK_RASA_TOKEN``, or ``RASA_TOKEN`` under docker compose), which only the process's own
user can read, and builds Rasa's argv in memory:

    python -m vraagbaak.runtime.rasa_entry run --enable-api --model ... --port 5005

Standard library only (and Rasa): it runs in Rasa's own environment and image, where our
package's dependencies are not installed. `rasa run` also gets one computation thread
(:mod:`.threads`) and two per-message costs removed (:mod:`.rasa_tuning`).
"""

from __future__ import annotations

import os
import sys

TOKEN_VARIABLES = ("VRAAGBAAK_RASA_TOKEN", "RASA_TOKEN")


def rasa_argv(args: list[str], environ: dict[str, str]) -> list[str]:
    """Rasa's argv: ``rasa`` and ``args``, with ``--auth-token`` after a ``run`` command when a
    token is set. A token given on the command line is refused: it is what this module avoids."""
    if "--auth-token" in args or any(a.startswith("--auth-token=") for a in args):
        raise SystemExit("rasa_entry: do not pass --auth-token; set VRAAGBAAK_RASA_TOKEN (or RASA_TOKEN)")
    token = next((environ[name] for name in TOKEN_VARIABLES if environ.get(name)), "")
    if args[:1] == ["run"] and token:
        return ["rasa", *args, "--auth-token", token]
    if args[:1] == ["run"] and "--enable-api" in args:
        raise SystemExit("rasa_entry: --enable-api without a token would open Rasa's API to anyone "
                         "who can reach it; set VRAAGBAAK_RASA_TOKEN (or RASA_TOKEN)")
    return ["rasa", *args]


def main() -> None:
    sys.argv = rasa_argv(sys.argv[1:], dict(os.environ))
    if sys.argv[1:2] == ["run"]:
        from vraagbaak.runtime.threads import limit_threads  # noqa: PLC0415

        limit_threads()  # before TensorFlow and numpy load: they read it once
        from vraagbaak.runtime import rasa_tuning  # noqa: PLC0415

        rasa_tuning.apply()
    from rasa.__main__ import main as rasa_main  # noqa: PLC0415 - only after argv is built

    rasa_main()


if __name__ == "__main__":
    main()
