#!/usr/bin/env bash
# The part of the official postgres image's entrypoint the suite relies on: on an empty
# PGDATA, initdb with POSTGRES_PASSWORD for POSTGRES_USER, create POSTGRES_DB, run
# /docker-entrypoint-initdb.d (*.sh executed if executable, else sourced; *.sql through
# psql) against a server on the local socket only, then serve on every address.
set -euo pipefail

if [ "${1:-}" != postgres ]; then exec "$@"; fi

export POSTGRES_USER=${POSTGRES_USER:-postgres}
export POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD=$(<"$POSTGRES_PASSWORD_FILE"); fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required to initialise an empty database}"
  install -d -m 0700 "$PGDATA"
  # shellcheck disable=SC2086  # POSTGRES_INITDB_ARGS is a list of arguments, as in the official image
  initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 ${POSTGRES_INITDB_ARGS:-}
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"

  pg_ctl -D "$PGDATA" -w -o "-c listen_addresses='' -c unix_socket_directories=/var/run/postgresql" start
  export PGHOST=/var/run/postgresql PGUSER=$POSTGRES_USER
  if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 --no-psqlrc -d postgres -q -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    # shellcheck disable=SC1090  # sources the scripts a user mounts there
    case "$f" in
      *.sh) if [ -x "$f" ]; then echo "entrypoint: running $f"; "$f"; else echo "entrypoint: sourcing $f"; . "$f"; fi ;;
      *.sql) echo "entrypoint: running $f"; psql -v ON_ERROR_STOP=1 --no-psqlrc -d "$POSTGRES_DB" -f "$f" ;;
      *) [ -e "$f" ] && echo "entrypoint: ignoring $f" ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  unset PGHOST PGUSER
  echo "entrypoint: initialised; starting PostgreSQL"
fi

exec postgres -c listen_addresses='*' -c unix_socket_directories=/var/run/postgresql "${@:2}"
