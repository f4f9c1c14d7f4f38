#!/bin/sh
# Put a backup of deploy/backup.sh back: the conversations (PostgreSQL), the records (SQLite),
# the Telegram sender key, and .env when there is none (a new machine). It stops every service
# first and starts again what was running. What the databases held is replaced by the backup.
#
#   deploy/restore.sh DIRECTORY
#
# On a new machine: clone the repository, then deploy/restore.sh DIRECTORY, then
# `docker compose up -d` (the model and the index are rebuilt on the way).
start=$(pwd)
cd "$(dirname "$0")/.."
. deploy/backup-common.sh

[ $# -eq 1 ] || die "usage: deploy/restore.sh DIRECTORY (a backup of deploy/backup.sh)"
src=$1
case $src in /*) ;; *) src=$start/$src ;; esac
[ -f "$src/$TRACKER" ] || die "$src holds no $TRACKER: not a backup of deploy/backup.sh"
(cd "$src" && sha256sum --quiet -c SHA256SUMS) || die "$src is damaged: its checksums do not match"

if [ -f "$src/$ENV_COPY" ]; then
    if [ ! -f "$ENV_FILE" ]; then
        cp "$src/$ENV_COPY" "$ENV_FILE"
        chmod 600 "$ENV_FILE"
        say "restored $ENV_FILE"
    elif ! cmp -s "$src/$ENV_COPY" "$ENV_FILE"; then
        say "kept the current $ENV_FILE; the backup's differs: $src/$ENV_COPY"
    fi
fi

running=$($COMPOSE --profile telegram ps --services --filter status=running 2>/dev/null || true)
say "stopping every service"
$COMPOSE --profile telegram stop >&2

wait_for_postgres
say "restoring the conversations"
in_postgres pg_restore -U rasa -d rasa --clean --if-exists --no-owner --single-transaction <"$src/$TRACKER"

if [ -f "$src/$RECORDS" ]; then
    say "restoring the records"
    in_var records-in <"$src/$RECORDS"
fi
if [ -f "$src/$SENDER_KEY" ]; then
    say "restoring the Telegram sender key"
    in_var key-in <"$src/$SENDER_KEY"
fi

if [ -n "$running" ]; then
    say "starting again: $(echo $running)"
    # shellcheck disable=SC2086 # one service name per word
    $COMPOSE --profile telegram up -d $running >&2
else
    say "restored; start with: docker compose up -d"
fi
