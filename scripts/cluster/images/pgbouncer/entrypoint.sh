#!/usr/bin/env bash
# The part of edoburu/pgbouncer's entrypoint the suite relies on: pgbouncer.ini and the
# user list written into /etc/pgbouncer from DATABASE_URL and the settings below, unless
# a pgbouncer.ini is already there.
set -euo pipefail

ini=/etc/pgbouncer/pgbouncer.ini
if [ ! -f "$ini" ]; then
  if [ -n "${DATABASE_URL:-}" ]; then
    # postgresql://user:password@host:port/name
    rest=${DATABASE_URL#*://}
    credentials=${rest%@*}
    address=${rest##*@}
    DB_USER=${credentials%%:*}
    DB_PASSWORD=${credentials#*:}
    DB_NAME=${address#*/}
    DB_NAME=${DB_NAME%%\?*}
    address=${address%%/*}
    DB_HOST=${address%%:*}
    DB_PORT=${address#*:}
    [ "$DB_PORT" != "$address" ] || DB_PORT=5432
  fi
  : "${DB_HOST:?DATABASE_URL or DB_HOST is required}" "${DB_USER:?}" "${DB_NAME:=$DB_USER}"
  auth_type=${AUTH_TYPE:-md5}
  if [ "$auth_type" = md5 ]; then
    password="md5$(printf '%s%s' "${DB_PASSWORD:-}" "$DB_USER" | md5sum | cut -d' ' -f1)"
  else
    password=${DB_PASSWORD:-}
  fi
  printf '"%s" "%s"\n' "$DB_USER" "$password" >/etc/pgbouncer/userlist.txt
  cat >"$ini" <<INI
[databases]
${DB_NAME} = host=${DB_HOST} port=${DB_PORT:-5432} dbname=${DB_NAME}
[pgbouncer]
listen_addr = ${LISTEN_ADDR:-0.0.0.0}
listen_port = ${LISTEN_PORT:-5432}
unix_socket_dir =
auth_type = ${auth_type}
auth_file = /etc/pgbouncer/userlist.txt
pool_mode = ${POOL_MODE:-session}
default_pool_size = ${DEFAULT_POOL_SIZE:-20}
max_client_conn = ${MAX_CLIENT_CONN:-100}
ignore_startup_parameters = ${IGNORE_STARTUP_PARAMETERS:-extra_float_digits}
query_timeout = ${QUERY_TIMEOUT:-0}
server_tls_sslmode = ${SERVER_TLS_SSLMODE:-prefer}
logfile =
pidfile =
INI
fi
exec "$@"
