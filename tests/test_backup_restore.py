"""deploy/backup.sh and deploy/restore.sh, one round trip for real: Debian's PostgreSQL (started as
tests/test_tracker_postgres.py starts it) with rows in a table like Rasa's ``events``, our records
in a SQLite file open in WAL mode, the Telegram sender key and .env. Backup, wipe, restore, and
every row is back.

No Docker engine runs here, so ``COMPOSE`` is a stand-in for `docker compose` that runs what the
scripts ask of a service (``exec -T postgres pg_dump ...``, ``run --rm --no-deps -T index python
...``) on this machine, and records every command line it is given; ``stop``, ``up`` and ``ps``
only record."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

# The throwaway PostgreSQL server of the /vergeet tests (a module-scoped fixture: one server here).
from postgres_helpers import PASSWORD, Postgres, _postgres_bin, postgres  # noqa: F401
from vraagbaak.desk.records import TABLES, Records
from vraagbaak.settings import PROJECT_ROOT, Settings

BACKUP, RESTORE = PROJECT_ROOT / "deploy" / "backup.sh", PROJECT_ROOT / "deploy" / "restore.sh"
ENV_TEXT = "RASA_TOKEN=backup-test-token-Xy7\nPOSTGRES_PASSWORD=backup-test-db-pw-Qz9\n"
SENDER_KEY = "backup-test-sender-key-Kp3"

FAKE_COMPOSE = '''#!{python}
"""`docker compose` without Docker: runs a service's command here, records every call."""
import os, sys
args = sys.argv[1:]
with open(os.environ["FAKE_COMPOSE_LOG"], "a") as log:
    log.write(" ".join(args) + "\\n")
while args and args[0].startswith("-"):  # global options (--profile telegram): each takes a value
    args = args[2:]
verb, rest = args[0], args[1:]
if verb in ("exec", "run"):
    while rest[0].startswith("-"):
        rest = rest[1:]
    os.execvp(rest[1], rest[1:])  # rest[0] is the service
if verb == "ps":
    print("rasa\\nweb")  # what was running before a restore
'''


@pytest.fixture
def site(tmp_path: Path, postgres: Postgres) -> Iterator[dict[str, str]]:  # noqa: F811
    """The scripts' environment: the fake compose, the PostgreSQL server (libpq's variables, as
    the postgres container's own socket would be), a var/ directory and an .env of their own."""
    fake = tmp_path / "compose"
    fake.write_text(FAKE_COMPOSE.format(python=sys.executable))
    fake.chmod(0o755)
    (tmp_path / "var").mkdir()
    path = os.pathsep.join([str(_postgres_bin()), str(Path(sys.executable).parent), os.environ["PATH"]])
    yield {"PATH": path, "COMPOSE": str(fake), "FAKE_COMPOSE_LOG": str(tmp_path / "compose.log"),
           "PGHOST": postgres.host, "PGPORT": str(postgres.port), "PGPASSWORD": PASSWORD,
           "VRAAGBAAK_VAR_DIR": str(tmp_path / "var"), "ENV_FILE": str(tmp_path / ".env")}


def run(script: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["sh", str(script), *args], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stdout}{done.stderr}"
    return done


def events(postgres: Postgres) -> list[tuple[object, ...]]:  # noqa: F811
    with psycopg.connect(postgres.url()) as db:
        return db.execute("SELECT id, sender_id, type_name, timestamp, data FROM events ORDER BY id").fetchall()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_brings_back_conversations_records_sender_key_and_env(site: dict[str, str], tmp_path: Path,
                                                                       postgres: Postgres) -> None:  # noqa: F811
    # Conversations, as Rasa's SQLTrackerStore keeps them (the columns /vergeet and purge use).
    with psycopg.connect(postgres.url()) as db:
        db.execute("CREATE TABLE events (id serial PRIMARY KEY, sender_id varchar(255) NOT NULL, "
                   "type_name varchar(255) NOT NULL, timestamp double precision, data text)")
        for n, (sender, text) in enumerate([("tg-1", "Hoe vraag ik zorgtoeslag aan?"),
                                            ("tg-2", "كيف أطلب zorgtoeslag؟"), ("web-3", "ግብሪ")]):
            db.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (%s, 'user', %s, %s)",
                       (sender, 1_760_000_000.5 + n, f'{{"text": "{text}"}}'))
    conversations = events(postgres)
    # Records, written by the assistant's own class and left open in WAL mode: an online backup.
    var = Path(site["VRAAGBAAK_VAR_DIR"])
    records = Records.open(Settings(var_dir=var))
    records.feedback(True, "toeslagen/zorgtoeslag", "nl", "den-haag", "zorgtoeslag aanvragen")
    records.handoff("ar", "haarlem", "أريد التحدث مع شخص")
    records.unanswered("ti", None, "ግብሪ", "below_threshold", None, 0.2)
    kept = {table: records.rows(table) for table in TABLES}
    (var / "telegram-sender-key").write_text(SENDER_KEY)
    env_file = Path(site["ENV_FILE"])
    env_file.write_text(ENV_TEXT)

    backup = tmp_path / "backup"
    run(BACKUP, str(backup), env=site)
    assert sorted(p.name for p in backup.iterdir()) == \
        ["SHA256SUMS", "env", "telegram-sender-key", "tracker.pgdump", "vraagbaak.sqlite3"]
    assert mode(backup) == 0o700 and all(mode(p) == 0o600 for p in backup.iterdir())

    # Wipe: a lost database volume, a lost var volume's contents, a lost .env.
    with psycopg.connect(postgres.url()) as db:
        db.execute("DROP TABLE events")
    with sqlite3.connect(var / "vraagbaak.sqlite3") as db:
        for table in TABLES:
            db.execute(f"DELETE FROM {table}")
    (var / "telegram-sender-key").unlink()
    env_file.unlink()
    assert not any(Records.open(Settings(var_dir=var)).rows(table) for table in TABLES)

    done = run(RESTORE, str(backup), env=site)
    assert events(postgres) == conversations
    assert {table: Records.open(Settings(var_dir=var)).rows(table) for table in TABLES} == kept
    assert (var / "telegram-sender-key").read_text() == SENDER_KEY and mode(var / "telegram-sender-key") == 0o600
    assert env_file.read_text() == ENV_TEXT and mode(env_file) == 0o600
    assert "restored" in done.stderr

    calls = Path(site["FAKE_COMPOSE_LOG"]).read_text().splitlines()
    restore_calls = calls[calls.index(next(c for c in calls if c.endswith(" ps --services --filter status=running"))):]
    stop = restore_calls.index("--profile telegram stop")
    assert stop < next(i for i, c in enumerate(restore_calls) if "pg_restore" in c)  # nothing writes meanwhile
    assert restore_calls[-1] == "--profile telegram up -d rasa web"  # what ran before runs again
    # No secret on any command line: the database's password, the token, the key, .env.
    log = "\n".join(calls)
    assert all(secret not in log for secret in (PASSWORD, SENDER_KEY, "backup-test-token", "backup-test-db-pw"))


def test_a_damaged_backup_is_refused_before_anything_is_stopped(site: dict[str, str], tmp_path: Path) -> None:
    backup = tmp_path / "backup"
    backup.mkdir()
    (backup / "tracker.pgdump").write_bytes(b"PGDMP, or so it says")
    subprocess.run(["sha256sum", "tracker.pgdump"], cwd=backup, check=True,
                   stdout=(backup / "SHA256SUMS").open("w"))
    (backup / "tracker.pgdump").write_bytes(b"PGDMP, changed since")
    done = subprocess.run(["sh", str(RESTORE), str(backup)], capture_output=True, text=True, env=site, timeout=60)
    assert done.returncode != 0 and "damaged" in done.stderr
    assert not Path(site["FAKE_COMPOSE_LOG"]).exists()  # compose was never asked to do anything
