"""Is a port free? And if not, which program holds it: the question an operator has when a
server will not start ("Address already in use" said only in a log is no answer)."""

from __future__ import annotations

import errno
import re
import shutil
import socket
import subprocess
from pathlib import Path

_SS_PROCESS = re.compile(r'\("(?P<name>[^"]+)",pid=(?P<pid>\d+)')


def holder(port: int) -> str | None:
    """"pid 1234: python -m rasa_sdk ..." for the process listening on TCP ``port``, when the
    system lets us see it (``ss`` from iproute2; another user's processes stay hidden)."""
    ss = shutil.which("ss")
    if ss is None:
        return None
    try:
        out = subprocess.run([ss, "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _SS_PROCESS.search(out)
    if match is None:
        return None
    pid = match.group("pid")
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = match.group("name")
    return f"pid {pid}: {' '.join(command.split())[:120]}"


def port_problem(host: str, port: int, variable: str) -> str | None:
    """None when ``host:port`` can be listened on; else a sentence saying what holds it and
    which setting chooses another port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                return f"Port {port} on {host} cannot be used ({exc.strerror}); choose another with {variable}."
        else:
            return None
    taken_by = holder(port)
    by = f" by {taken_by}" if taken_by else " by another program"
    return (f"Port {port} on {host} is already in use{by}. Stop that program (an earlier `make run`?), "
            f"or choose another port with {variable}.")
