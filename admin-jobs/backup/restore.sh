#!/usr/bin/env bash
# Restores a dump made by backup.sh into the database, replacing what the dump contains
# (every service's schema, tables and rows) in one transaction: it applies completely,
# or, on any error, not at all.
#
#   restore.sh FILE    FILE: a dump in BACKUP_DIR (its name), or a path
#
# Run it as a superuser (the dump recreates schemas owned by each service's role), on a
# database whose roles exist (k8s/postgres/provision.sh), with the services stopped:
# scaled to 0 on a cluster (docs/admin.md), Ctrl-C on make dev.
# Connection: libpq's PGHOST, PGPORT, PGUSER, PGDATABASE, and PGPASSWORD or PGPASSWORD_FILE.
set -euo pipefail
# shellcheck source=admin-jobs/backup/log.sh
. "$(dirname "$0")/log.sh"

[ $# -eq 1 ] || fail "usage: restore.sh FILE (a dump in BACKUP_DIR, or a path)"
: "${PGDATABASE:?PGDATABASE is required: the database to restore into}"
file=$1
[ -f "$file" ] || file="${BACKUP_DIR:-.}/$1"
[ -f "$file" ] || fail "no such dump" file="$1" backup_dir="${BACKUP_DIR:-}"

started=$SECONDS
if ! errors=$(pg_restore --clean --if-exists --single-transaction --exit-on-error \
  --dbname="$PGDATABASE" "$file" 2>&1 >/dev/null); then
  fail "restore failed, nothing was changed: ${errors%%$'\n'*}" file="$file" database="$PGDATABASE"
fi
log INFO "backup restored" file="$file" database="$PGDATABASE" seconds="$((SECONDS - started))"
