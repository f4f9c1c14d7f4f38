"""Child processes of the cluster test: each in a session (and process group) of its own, its
output in a log file, stopped whole at the end whatever happened, and killed with the test
process if that dies first (PR_SET_PDEATHSIG)."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PR_SET_PDEATHSIG = 1
STOP_GRACE_S = 10.0


class ClusterError(AssertionError):
    """Something of the cluster could not start or stopped: the test fails with this message."""


def _die_with_parent() -> None:
    """In the child before exec: SIGKILL when the test process ends, however it ends."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {path})"


@dataclass
class Child:
    name: str
    process: subprocess.Popen
    log: Path

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill_group(self, signum: int = signal.SIGKILL) -> None:
        try:
            os.killpg(self.process.pid, signum)
        except (ProcessLookupError, PermissionError):
            pass

    def group_members(self) -> list[int]:
        """Pids still alive in this child's process group (its workers too); a zombie that init
        has not reaped yet is dead."""
        members = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                fields = stat.rsplit(")", 1)[-1].split()  # state, ppid, pgrp, ...
                if fields[2] == str(self.process.pid) and fields[0] not in ("Z", "X"):
                    members.append(int(entry.name))
        return members


@dataclass
class Processes:
    """Every process the test started, so that all of them are stopped at the end."""

    log_dir: Path
    children: dict[str, Child] = field(default_factory=dict)

    def start(self, name: str, command: list[str], cwd: Path, env: dict[str, str]) -> Child:
        log = self.log_dir / f"{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True,
                                       preexec_fn=_die_with_parent)  # noqa: PLW1509 - no threads yet here
        child = Child(name, process, log)
        self.children[name] = child
        return child

    def stop_all(self) -> None:
        """SIGTERM to every group, then SIGKILL to whatever is left; every child reaped."""
        for child in self.children.values():
            child.kill_group(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for child in self.children.values():
            try:
                child.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            child.kill_group(signal.SIGKILL)
            try:
                child.process.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def leftovers(self, settle_s: float = 5.0) -> dict[str, list[int]]:
        """Processes still alive in the groups (after a moment for the kernel to finish killing)."""
        deadline = time.monotonic() + settle_s
        while True:
            left = {name: members for name, child in self.children.items() if (members := child.group_members())}
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url: str, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - our own servers
            return response.status == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_for(what: str, ready: Callable[[], bool], children: list[Child], timeout: float) -> float:
    """Wait until ``ready()``; fail at once, with the log's tail, when one of ``children`` dies.
    Returns the seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        for child in children:
            if not child.alive:
                raise ClusterError(f"{child.name} stopped (exit {child.process.returncode}) while waiting for "
                                   f"{what}; its log {child.log}:\n{tail(child.log)}")
        if ready():
            return time.monotonic() - started
        time.sleep(0.5)
    logs = "\n\n".join(f"{c.name} ({c.log}):\n{tail(c.log)}" for c in children)
    raise ClusterError(f"{what} not ready after {timeout:.0f} s\n{logs}")


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0
