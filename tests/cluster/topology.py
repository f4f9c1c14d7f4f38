"""The cluster: Redis, haproxy, and ``replicas`` Rasa servers, action servers and web gateways on
free loopback ports, sharing one PostgreSQL database (Rasa's tracker store and our records).

* a user talks to haproxy's web frontend, which spreads over the web gateways (``vraagbaak web``);
* they relay to haproxy's rasa frontend, over the Rasa servers, which keep conversations in
  PostgreSQL (Rasa's SQL tracker store) and one lock per conversation in Redis;
* they call haproxy's actions frontend, over the action servers (rasa_sdk), which write their
  records (feedback, unanswered questions) to the same PostgreSQL database.

The Rasa servers read deploy/cluster/endpoints.yml, filled from their environment; haproxy's
configuration is deploy/cluster/haproxy.cfg with its placeholders filled. Every process runs in a
process group of its own (:mod:`cluster.processes`); :meth:`Cluster.stop` stops them all.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import signal
import socket
import string
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from cluster.processes import Child, ClusterError, Processes, answers, free_port, port_open, tail, wait_for
from vraagbaak.runtime import rasa
from vraagbaak.settings import PROJECT_ROOT, Settings

HOST = "127.0.0.1"
DEPLOY = PROJECT_ROOT / "deploy" / "cluster"
ENDPOINTS = DEPLOY / "endpoints.yml"
HAPROXY_TEMPLATE = DEPLOY / "haproxy.cfg"
#: Seconds a Rasa server may take to load its model and answer /status (two start at once).
RASA_START_TIMEOUT_S = 300
OTHERS_START_TIMEOUT_S = 180
#: A killed Rasa server leaves the lock of the conversation it was handling in Redis until its
#: ticket's lifetime is over (Rasa's default 60 s): the retry of that message waits that long.
#: Live replicas renew their tickets (deploy/cluster/endpoints.yml's lock store), so it can be short.
LOCK_LIFETIME_S = 10
#: The gateways wait this long for Rasa (so a message waiting for such a lock is not apologised for).
GATEWAY_RASA_TIMEOUT_S = 90
#: Rate limits of the gateways, far above what the test sends: all its users share one address.
GENEROUS_LIMITS = {"VRAAGBAAK_WEB_SENDER_BURST": "1000", "VRAAGBAAK_WEB_SENDER_PER_MINUTE": "100000",
                   "VRAAGBAAK_WEB_IP_BURST": "100000", "VRAAGBAAK_WEB_IP_PER_MINUTE": "1000000",
                   "VRAAGBAAK_FORWARDED_ALLOW_IPS": HOST, "VRAAGBAAK_RASA_CONNECTIONS": "64"}


def require_programs() -> None:
    """redis-server and haproxy come from Debian (`make test-cluster` installs them)."""
    missing = [name for name in ("redis-server", "haproxy") if shutil.which(name) is None
               and not Path(f"/usr/sbin/{name}").is_file()]
    if missing:
        raise ClusterError(f"{' and '.join(missing)} missing: `make test-cluster` installs them (Debian packages "
                           f"redis-server haproxy, in the Makefile's SYSTEM_PACKAGES; by hand: "
                           f"apt-get install -y {' '.join(missing)})")


def _program(name: str) -> str:
    return shutil.which(name) or f"/usr/sbin/{name}"


@dataclass(frozen=True)
class Database:
    """The PostgreSQL database every server shares (tests/postgres_helpers.py starts the server)."""

    host: str
    port: int
    user: str
    password: str
    name: str

    def url(self) -> str:
        return (f"postgresql://{self.user}:{urllib.parse.quote(self.password, safe='')}@{self.host}:{self.port}/"
                f"{self.name}")

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname=self.name, autocommit=True)


@dataclass
class Ports:
    replicas: int
    redis: int = field(default_factory=free_port)
    front_web: int = field(default_factory=free_port)
    front_rasa: int = field(default_factory=free_port)
    front_actions: int = field(default_factory=free_port)
    rasa: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    web: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        taken = {self.redis, self.front_web, self.front_rasa, self.front_actions}
        for group in (self.rasa, self.actions, self.web):
            while len(group) < self.replicas:
                port = free_port()
                if port not in taken:
                    taken.add(port)
                    group.append(port)


def haproxy_config(ports: Ports, stats_socket: Path) -> str:
    def servers(prefix: str, numbers: list[int]) -> str:
        return "\n".join(f"    server {prefix}{i} {HOST}:{port} check" for i, port in enumerate(numbers, 1))

    return string.Template(HAPROXY_TEMPLATE.read_text()).substitute(
        stats_socket=stats_socket, host=HOST, web_port=ports.front_web, rasa_port=ports.front_rasa,
        actions_port=ports.front_actions, web_servers=servers("web", ports.web),
        rasa_servers=servers("rasa", ports.rasa), actions_servers=servers("actions", ports.actions))


def haproxy_command(socket_path: Path, command: str) -> str:
    """One command on haproxy's admin socket (``show stat``, ``disable server rasa/rasa2``)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(5)
        s.connect(str(socket_path))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


@dataclass(frozen=True)
class ServerStat:
    backend: str
    server: str
    status: str
    sessions: int  # stot: requests (one per connection: no keep-alive to the servers is assumed)
    responses_5xx: int


def parse_stats(text: str) -> list[ServerStat]:
    rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
    return [ServerStat(r["pxname"], r["svname"], r["status"], int(r["stot"] or 0), int(r["hrsp_5xx"] or 0))
            for r in rows if r.get("svname") not in (None, "FRONTEND", "BACKEND")]


class Cluster:
    """Start with :meth:`start`, always :meth:`stop` (a ``finally``)."""

    def __init__(self, run_dir: Path, database: Database, index_settings: Settings, replicas: int = 2,
                 rasa_token: str = "cluster-test-token", endpoints: Path = ENDPOINTS,
                 rasa_pythonpath: tuple[Path, ...] = ()) -> None:
        """``endpoints`` and ``rasa_pythonpath``: the Rasa servers' endpoints file, and folders for
        the modules it names (to try another lock store, say)."""
        self.run_dir = run_dir
        self.endpoints = endpoints
        self.rasa_pythonpath = rasa_pythonpath
        self.database = database
        self.replicas = replicas
        self.ports = Ports(replicas)
        self.token = rasa_token
        self.log_dir = run_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.processes = Processes(self.log_dir)
        self.stats_socket = run_dir / "haproxy.sock"
        # One var/ for every server: the index built once (linked), the model, the records'
        # SQLite file when VRAAGBAAK_DATABASE_URL is not used by the code yet.
        self.var_dir = run_dir / "var"
        self.var_dir.mkdir(exist_ok=True)
        (self.var_dir / "index").symlink_to(index_settings.index_dir, target_is_directory=True)
        self.settings = Settings(knowledge_dir=index_settings.knowledge_dir, var_dir=self.var_dir,
                                 rasa_token=rasa_token, host=HOST)
        self.startup_seconds: dict[str, float] = {}

    # --- addresses ---------------------------------------------------------------------------
    @property
    def front_url(self) -> str:
        return f"http://{HOST}:{self.ports.front_web}"

    def rasa_url(self, i: int) -> str:
        return f"http://{HOST}:{self.ports.rasa[i - 1]}"

    def rasa(self, i: int) -> Child:
        return self.processes.children[f"rasa{i}"]

    def actions(self, i: int) -> Child:
        return self.processes.children[f"actions{i}"]

    # --- starting ------------------------------------------------------------------------------
    def start(self) -> None:
        require_programs()
        self._require_lock_store()
        self._copy_model()
        self._start_redis()
        self._start_haproxy()
        for i in range(1, self.replicas + 1):  # the slowest first: they start in parallel
            self._start_rasa(i)
        for i in range(1, self.replicas + 1):
            self._start_actions(i)
        for i in range(1, self.replicas + 1):
            self._start_web(i)
        self._wait_ready()

    def _require_lock_store(self) -> None:
        """A lock store named by its module path (``type: package.module.Class``) must be there,
        in the project or in ``rasa_pythonpath``: else every Rasa server fails to start."""
        found = re.search(r"^lock_store:\s*\n\s+type:\s*(\S+)", self.endpoints.read_text(), re.MULTILINE)
        kind = found.group(1).strip("\"'") if found else "in_memory"
        if "." not in kind:
            return
        module = Path(*kind.split(".")[:-1]).with_suffix(".py")
        if not any((root / module).is_file() for root in (PROJECT_ROOT, *self.rasa_pythonpath)):
            raise ClusterError(f"{self.endpoints} names the lock store {kind}, but {module} is missing: Rasa's "
                               "own RedisLockStore lets two replicas take one conversation's lock at once "
                               "(see the comment in that file)")

    def _copy_model(self) -> None:
        """Train when bot/ changed (into the checkout's var/, as `make run` and the e2e tests do),
        then give the cluster its own copy."""
        if not rasa.rasa_executable().is_file():
            raise ClusterError("Rasa is not installed: run `make install` (scripts/install-rasa.sh)")
        rasa.train_if_changed(Settings())
        target = rasa.models_dir(self.settings)
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(rasa.model_path(Settings()), rasa.model_path(self.settings))

    def _start_redis(self) -> None:
        data = self.run_dir / "redis"
        data.mkdir()
        self.processes.start("redis", [_program("redis-server"), "--bind", HOST, "--port", str(self.ports.redis),
                                       "--save", "", "--appendonly", "no", "--dir", str(data),
                                       "--protected-mode", "yes"], self.run_dir, dict(os.environ))

    def _start_haproxy(self) -> None:
        config = self.run_dir / "haproxy.cfg"
        config.write_text(haproxy_config(self.ports, self.stats_socket))
        self.processes.start("haproxy", [_program("haproxy"), "-db", "-f", str(config)], self.run_dir,
                             dict(os.environ))

    def _start_rasa(self, i: int) -> None:
        port = self.ports.rasa[i - 1]
        command = rasa.server_command(self.settings, port)
        command[command.index("--endpoints") + 1] = str(self.endpoints)
        env = rasa.server_env(self.settings, rasa.rasa_env(
            ACTION_SERVER_URL=f"http://{HOST}:{self.ports.front_actions}/webhook",
            DB_HOST=self.database.host, DB_PORT=str(self.database.port), DB_NAME=self.database.name,
            DB_USER=self.database.user, DB_PASSWORD=self.database.password,
            REDIS_HOST=HOST, REDIS_PORT=str(self.ports.redis), TICKET_LOCK_LIFETIME=str(LOCK_LIFETIME_S),
            SQLALCHEMY_SILENCE_UBER_WARNING="1"))
        env["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], *map(str, self.rasa_pythonpath)])
        self.processes.start(f"rasa{i}", command, rasa.BOT_DIR, env)

    def _common_env(self) -> dict[str, str]:
        return {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "RASA_TELEMETRY_ENABLED": "false",
                "VRAAGBAAK_HOST": HOST, "VRAAGBAAK_VAR_DIR": str(self.var_dir),
                "VRAAGBAAK_KNOWLEDGE_DIR": str(self.settings.knowledge_dir),
                "VRAAGBAAK_DATABASE_URL": self.database.url()}

    def _start_actions(self, i: int) -> None:
        """As `vraagbaak run` starts it (supervisor.start_action_server), on its own port and log;
        it watches the same knowledge folder (live reload on)."""
        env = {**self._common_env(), "SANIC_HOST": HOST, "VRAAGBAAK_LIVE_RELOAD": "1"}
        self.processes.start(f"actions{i}", [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
                                             "--port", str(self.ports.actions[i - 1])], PROJECT_ROOT, env)

    def _start_web(self, i: int) -> None:
        env = {**self._common_env(), **GENEROUS_LIMITS,
               "VRAAGBAAK_WEB_PORT": str(self.ports.web[i - 1]),
               "VRAAGBAAK_RASA_URL": f"http://{HOST}:{self.ports.front_rasa}",
               "VRAAGBAAK_ACTION_URL": f"http://{HOST}:{self.ports.front_actions}",
               "VRAAGBAAK_RASA_TOKEN": self.token, "VRAAGBAAK_RASA_TIMEOUT": str(GATEWAY_RASA_TIMEOUT_S),
               "VRAAGBAAK_TRACKER_DB": self.database.url()}
        self.processes.start(f"web{i}", [sys.executable, "-m", "vraagbaak.cli", "web"], PROJECT_ROOT, env)

    def _wait_ready(self) -> None:
        started = time.monotonic()
        children = list(self.processes.children.values())
        checks = {"redis": lambda: port_open(self.ports.redis),
                  "haproxy": lambda: self.stats_socket.exists() and port_open(self.ports.front_web)}
        for i in range(1, self.replicas + 1):
            checks[f"rasa{i}"] = lambda i=i: answers(f"{self.rasa_url(i)}/status?token={self.token}")
            checks[f"actions{i}"] = lambda i=i: answers(f"http://{HOST}:{self.ports.actions[i - 1]}/health")
            checks[f"web{i}"] = lambda i=i: answers(f"http://{HOST}:{self.ports.web[i - 1]}/health/live")

        def wait(name: str) -> None:
            timeout = RASA_START_TIMEOUT_S if name.startswith("rasa") else OTHERS_START_TIMEOUT_S
            wait_for(name, checks[name], children, timeout)
            self.startup_seconds[name] = round(time.monotonic() - started, 1)

        with ThreadPoolExecutor(len(checks)) as pool:
            for future in [pool.submit(wait, name) for name in checks]:
                future.result()
        # Through the front: a gateway is ready when Rasa and the actions answer behind haproxy.
        wait_for("the front's /health/ready", lambda: answers(f"{self.front_url}/health/ready"), children, 60)
        self.wait_all_up()
        self.startup_seconds["all"] = round(time.monotonic() - started, 1)

    # --- while it runs -------------------------------------------------------------------------
    def stats(self) -> list[ServerStat]:
        return parse_stats(haproxy_command(self.stats_socket, "show stat"))

    def haproxy(self, command: str) -> str:
        """A command on haproxy's admin socket (``disable server rasa/rasa2``)."""
        return haproxy_command(self.stats_socket, command)

    def wait_all_up(self, timeout: float = 60) -> None:
        wait_for("every server UP in haproxy", lambda: [s.status for s in self.stats()] == ["UP"] * 3 * self.replicas,
                 list(self.processes.children.values()), timeout)

    def kill(self, *names: str) -> None:
        """SIGKILL to each one's whole process group, as the out-of-memory killer or a crash would;
        all at the same moment (a retry must not reach one that is still to be killed)."""
        children = [self.processes.children[name] for name in names]
        for child in children:
            child.kill_group(signal.SIGKILL)
        for child in children:
            child.process.wait(10)

    def dead_now(self) -> list[str]:
        """Servers that stopped although nobody killed them."""
        return [f"{c.name} (exit {c.process.returncode}): {tail(c.log, 15)}"
                for c in self.processes.children.values() if not c.alive]

    def stop(self) -> dict[str, list[int]]:
        """Stop everything; returns what was left over (should be nothing)."""
        self.processes.stop_all()
        return self.processes.leftovers()
