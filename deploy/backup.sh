#!/bin/sh
# Back up what cannot be rebuilt, while everything runs:
#   tracker.pgdump       Rasa's tracker store (every conversation), pg_dump of the postgres service
#   vraagbaak.sqlite3    our records (feedback, hand-offs, unanswered questions), SQLite online backup
#   telegram-sender-key  the Telegram sender key, when it was generated into the volume
#   env                  a copy of .env (the secrets; VRAAGBAAK_TELEGRAM_SENDER_KEY when set there)
#   SHA256SUMS           checksums, which deploy/restore.sh checks
# The model, the search index and the certificates are rebuilt by `docker compose up`.
#
#   deploy/backup.sh [DIRECTORY]      default: backups/<date and time, UTC>
#
# The backup holds conversations and secrets: keep it as private as .env, and no longer than
# VRAAGBAAK_RETENTION_DAYS (README, "Backup and restore").
start=$(pwd)
cd "$(dirname "$0")/.."
. deploy/backup-common.sh

dest=${1:-backups/$(date -u +%Y-%m-%dT%H%M%SZ)}
case $dest in /*) ;; *) [ -n "${1:-}" ] && dest=$start/$dest ;; esac
[ ! -e "$dest" ] || [ -z "$(ls -A "$dest")" ] || die "$dest exists and is not empty: give a new directory"
mkdir -p "$dest"
chmod 700 "$dest"

say "backing up into $dest"
wait_for_postgres
in_postgres pg_dump -U rasa -d rasa --format=custom >"$dest/$TRACKER"

in_var records-out >"$dest/$RECORDS"
[ -s "$dest/$RECORDS" ] || { rm -f "$dest/$RECORDS"; say "no records database yet: nothing to back up there"; }
in_var key-out >"$dest/$SENDER_KEY"
[ -s "$dest/$SENDER_KEY" ] || rm -f "$dest/$SENDER_KEY"

if [ -f "$ENV_FILE" ]; then
    cp "$ENV_FILE" "$dest/$ENV_COPY"
else
    say "no $ENV_FILE: the backup holds no secrets (RASA_TOKEN, POSTGRES_PASSWORD, the sender key)"
fi

(cd "$dest" && sha256sum -- * >SHA256SUMS)
say "done: $(cd "$dest" && ls | tr '\n' ' ')"
