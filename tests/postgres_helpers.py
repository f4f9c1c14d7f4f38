"""A real PostgreSQL server for the tests (Debian's postgresql package): initdb into /tmp, a
free loopback port, password auth over TCP. Shared by the tests of Rasa's tracker store
(test_tracker_postgres.py, test_privacy_purge.py) and of our own database (test_desk_*.py).

Import the fixture into a test module (``from postgres_helpers import postgres``): each module
gets a server of its own, stopped and removed when the module ends.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import shutil
import subprocess
import tempfile
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from e2e_helpers import free_port

POSTGRES_LIB = Path("/usr/lib/postgresql")
USER, DATABASE, EMPTY_DATABASE = "rasa", "rasa", "norasa"
#: With characters that must be percent-encoded in a URL, as an operator's password may have.
PASSWORD = "Pg s3cret/with@odd:chars%"
_fresh_numbers = itertools.count(1)


@dataclasses.dataclass(frozen=True)
class Postgres:
    port: int
    host: str = "127.0.0.1"
    #: The server's Unix socket directory, where the superuser gets in without a password.
    socket_dir: Path | None = None

    def url(self, password: str = PASSWORD, database: str = DATABASE) -> str:
        return f"postgresql://{USER}:{urllib.parse.quote(password, safe='')}@{self.host}:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """The superuser, over the Unix socket (trust), in autocommit."""
        assert self.socket_dir is not None
        return psycopg.connect(host=str(self.socket_dir), port=self.port, user="postgres", dbname="postgres",
                               autocommit=True)

    def fresh_database(self, prefix: str = "t") -> str:
        """A new empty database owned by the test user; its URL."""
        name = f"{prefix}_{os.getpid()}_{next(_fresh_numbers)}"
        with self.admin() as admin:
            admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(USER)))
        return self.url(database=name)


def _as_postgres(*command: str | Path) -> list[str]:
    """PostgreSQL refuses to run as root: as root, its commands run as the postgres user."""
    command_line = [str(part) for part in command]
    return ["runuser", "-u", "postgres", "--", *command_line] if os.geteuid() == 0 else command_line


def _run(*command: str | Path) -> None:
    done = subprocess.run(_as_postgres(*command), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{Path(command[0]).name} failed:\n{done.stdout}{done.stderr}"


def _postgres_bin() -> Path:
    """The newest installed server's bin/ (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(POSTGRES_LIB.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        pytest.fail("PostgreSQL is missing: `make test` installs it (Debian package postgresql; "
                    "by hand: apt-get install -y postgresql)")
    return found[-1].parent


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    """A throwaway server on a free loopback port, password auth over TCP, with a user and two
    databases; stopped and removed at the end."""
    bin_dir = _postgres_bin()
    root = Path(tempfile.mkdtemp(prefix="vraagbaak-pg-"))  # under /tmp: the postgres user can reach it
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    started = False
    try:
        _run(bin_dir / "initdb", "-D", data, "-U", "postgres", "-E", "UTF8", "--no-sync",
             "--auth-local=trust", "--auth-host=scram-sha-256")
        try:
            _run(bin_dir / "pg_ctl", "-D", data, "-l", root / "server.log", "-w", "start",
                 "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off")
        except AssertionError:
            log = root / "server.log"
            raise AssertionError(log.read_text() if log.is_file() else "no server log") from None
        started = True
        server = Postgres(port, socket_dir=root)
        # As superuser over the Unix socket (trust); everyone else comes in over TCP with a password.
        with server.admin() as admin:
            user = sql.Identifier(USER)
            admin.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(user, sql.Literal(PASSWORD)))
            for database in (DATABASE, EMPTY_DATABASE):
                admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(database), user))
        yield server
    finally:
        if started:
            subprocess.run(_as_postgres(bin_dir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"),
                           capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)
