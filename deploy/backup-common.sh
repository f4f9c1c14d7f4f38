# Shared by deploy/backup.sh and deploy/restore.sh (sourced, not run). Everything goes through
# docker compose: PostgreSQL's own tools in the postgres container, Python's sqlite3 in a
# one-off container of the index service, which mounts the vraagbaak-var volume. No password
# is ever on a command line: inside its container, postgres trusts its own socket.

set -eu
umask 077

# `docker compose` (Compose v2) or the older `docker-compose`; COMPOSE overrides both.
if [ -z "${COMPOSE:-}" ]; then
    if docker compose version >/dev/null 2>&1; then COMPOSE="docker compose"; else COMPOSE=docker-compose; fi
fi
# The operator's secrets; ENV_FILE overrides (relative to the project directory).
ENV_FILE=${ENV_FILE:-.env}

# The files of a backup directory.
TRACKER=tracker.pgdump          # Rasa's tracker store: every conversation (pg_dump, custom format)
RECORDS=vraagbaak.sqlite3       # feedback, hand-off requests, unanswered questions (no identities)
SENDER_KEY=telegram-sender-key  # only when generated into the volume (else it is in .env)
ENV_COPY=env                    # the copy of .env

say() { printf '%s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# PostgreSQL's tools, run in the postgres container as the database's own user.
in_postgres() { $COMPOSE exec -T postgres "$@"; }

wait_for_postgres() {
    $COMPOSE up -d postgres >&2
    tries=0
    until in_postgres pg_isready -q -h 127.0.0.1 -U rasa -d rasa; do
        tries=$((tries + 1))
        [ "$tries" -lt 60 ] || die "PostgreSQL did not come up in 2 minutes: docker compose logs postgres"
        sleep 2
    done
}

# Python in a one-off container of our image with the vraagbaak-var volume (VRAAGBAAK_VAR_DIR):
# `in_var records-out|records-in|key-out|key-in`; data goes over stdin and stdout.
in_var() { $COMPOSE run --rm --no-deps -T index python -c "$VAR_PY" "$1"; }

VAR_PY='
import os, sqlite3, sys, tempfile

var = os.environ.get("VRAAGBAAK_VAR_DIR", "var")
records, key = os.path.join(var, "vraagbaak.sqlite3"), os.path.join(var, "telegram-sender-key")
what = sys.argv[1]


def copy(source, target):
    """SQLite online backup: a consistent copy while the servers write, WAL included."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


if what == "records-out" and os.path.exists(records):
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = os.path.join(tmp, "records.sqlite3")
        copy(records, snapshot)
        with open(snapshot, "rb") as f:
            sys.stdout.buffer.write(f.read())
elif what == "records-in":
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = os.path.join(tmp, "records.sqlite3")
        with open(snapshot, "wb") as f:
            f.write(sys.stdin.buffer.read())
        check = sqlite3.connect(snapshot)
        ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        check.close()
        if ok != "ok":
            sys.exit("the backup of the records is damaged: " + ok)
        os.makedirs(var, exist_ok=True)
        copy(snapshot, records)
elif what == "key-out" and os.path.exists(key):
    with open(key, "rb") as f:
        sys.stdout.buffer.write(f.read())
elif what == "key-in":
    os.makedirs(var, exist_ok=True)
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(sys.stdin.buffer.read())
'
