#!/usr/bin/env bash
# Dumps the whole database (every service's schema) into BACKUP_DIR, then keeps only the
# newest BACKUP_KEEP dumps. Each dump is written under a temporary name, checked with
# pg_restore --list, and only then renamed, so BACKUP_DIR never holds a partial dump
# under a real name; running it again just adds the next dump.
#
# One script for the cluster and the laptop: the backup CronJob runs it in the postgres
# image (its pg_dump is the server's own version), `make backup` against make dev's server.
# Connection: libpq's PGHOST, PGPORT, PGUSER, PGDATABASE, and PGPASSWORD or PGPASSWORD_FILE.
set -euo pipefail
# shellcheck source=admin-jobs/backup/log.sh
. "$(dirname "$0")/log.sh"

: "${BACKUP_DIR:?BACKUP_DIR is required: the folder (a mounted volume) that holds the dumps}"
: "${PGDATABASE:?PGDATABASE is required: the database to dump}"
keep=${BACKUP_KEEP:-7}
[[ $keep =~ ^[1-9][0-9]*$ ]] || fail "BACKUP_KEEP must be a whole number of at least 1" got="$keep"
[ -d "$BACKUP_DIR" ] && [ -w "$BACKUP_DIR" ] || fail "BACKUP_DIR is not a writable folder" dir="$BACKUP_DIR"

# What a run killed mid-dump left behind.
rm -f "$BACKUP_DIR"/.*.partial

name="$PGDATABASE-$(date -u +%Y%m%dT%H%M%SZ).dump"
partial="$BACKUP_DIR/.$name.partial"
started=$SECONDS
if ! errors=$(pg_dump --format=custom --file="$partial" 2>&1 >/dev/null); then
  rm -f "$partial"
  fail "pg_dump failed: ${errors%%$'\n'*}" database="$PGDATABASE"
fi
if ! errors=$(pg_restore --list "$partial" 2>&1 >/dev/null); then
  rm -f "$partial"
  fail "the new dump does not read back: ${errors%%$'\n'*}" file="$name"
fi
mv "$partial" "$BACKUP_DIR/$name"
log INFO "backup written" file="$name" bytes="$(wc -c <"$BACKUP_DIR/$name" | tr -d ' ')" \
  seconds="$((SECONDS - started))"

# Names sort by time (UTC timestamps), so everything before the newest $keep goes.
mapfile -t dumps < <(find "$BACKUP_DIR" -maxdepth 1 -name "$PGDATABASE-*.dump" -printf '%f\n' | sort)
for old in "${dumps[@]:0:$((${#dumps[@]} > keep ? ${#dumps[@]} - keep : 0))}"; do
  rm -f "$BACKUP_DIR/$old"
  log INFO "old backup removed" file="$old" keep="$keep"
done
