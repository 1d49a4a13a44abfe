#!/usr/bin/env bash
# Creates each service's role and schema in one database, idempotently.
#
# One source of truth for the database layout: the PostgreSQL StatefulSet runs this on
# first start (docker-entrypoint-initdb.d), and `make dev` and the tests run the same
# file against their own servers. Connection: the usual libpq variables (PGHOST,
# PGPORT, PGUSER, PGDATABASE), or the postgres image's POSTGRES_USER/POSTGRES_DB.
#
# Ownership rule: each service owns its schema; no service writes another's tables.
#   links    owns schema links   (read-write)
#   stats    owns schema stats   (read-write)
#   redirect owns schema redirect (clicks kept during a Redis outage) and may only
#            SELECT from schema links (the source of its cache; see docs/architecture.md)
set -euo pipefail

: "${LINKS_DB_PASSWORD:?LINKS_DB_PASSWORD is required}"
: "${REDIRECT_DB_PASSWORD:?REDIRECT_DB_PASSWORD is required}"
: "${STATS_DB_PASSWORD:?STATS_DB_PASSWORD is required}"
export PGUSER="${PGUSER:-${POSTGRES_USER:-postgres}}"
export PGDATABASE="${PGDATABASE:-${POSTGRES_DB:-$PGUSER}}"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

psql -v ON_ERROR_STOP=1 --no-psqlrc --quiet \
  -v links_user="${LINKS_DB_USER:-links}" -v links_password="$LINKS_DB_PASSWORD" \
  -v redirect_user="${REDIRECT_DB_USER:-redirect}" -v redirect_password="$REDIRECT_DB_PASSWORD" \
  -v stats_user="${STATS_DB_USER:-stats}" -v stats_password="$STATS_DB_PASSWORD" <<'SQL'
-- Roles: created once; a re-run resets the password to the Secret's current value.
SELECT format('CREATE ROLE %I LOGIN', r) FROM unnest(ARRAY[:'links_user', :'redirect_user', :'stats_user']) AS r
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'links_user', :'links_password') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'redirect_user', :'redirect_password') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'stats_user', :'stats_password') \gexec

-- Nobody but the owners may create objects anywhere.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), r)
  FROM unnest(ARRAY[:'links_user', :'redirect_user', :'stats_user']) AS r \gexec

-- Schemas, owned by their service's role, which finds its tables there by default.
SELECT format('CREATE SCHEMA IF NOT EXISTS links AUTHORIZATION %I', :'links_user') \gexec
SELECT format('CREATE SCHEMA IF NOT EXISTS stats AUTHORIZATION %I', :'stats_user') \gexec
SELECT format('CREATE SCHEMA IF NOT EXISTS redirect AUTHORIZATION %I', :'redirect_user') \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = links', :'links_user', current_database()) \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = stats', :'stats_user', current_database()) \gexec
SELECT format('ALTER ROLE %I IN DATABASE %I SET search_path = redirect', :'redirect_user', current_database()) \gexec

-- redirect reads links' tables, present and future, and can write none of them.
SELECT format('GRANT USAGE ON SCHEMA links TO %I', :'redirect_user') \gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA links TO %I', :'redirect_user') \gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA links GRANT SELECT ON TABLES TO %I',
              :'links_user', :'redirect_user') \gexec
SQL
echo "provisioned roles and schemas in database ${PGDATABASE}"
