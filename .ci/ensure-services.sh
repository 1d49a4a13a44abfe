#!/usr/bin/env bash
# Brings up PostgreSQL and Redis on a CI machine, which starts with neither running
# (Debian's PostgreSQL is installed but stopped; redis-server comes from
# install-packages.sh). Prints the TEST_DATABASE_URL and TEST_REDIS_URL to export; the
# tests create their own database, roles and key prefix there and drop them afterwards.
set -euo pipefail

# A password for the superuser, so the tests connect over TCP as Debian's pg_hba.conf
# allows (scram-sha-256 on 127.0.0.1), without editing it. Only this machine can reach it.
PGPASSWORD_CI=${PGPASSWORD_CI:-snip-ci}

# Only the two settings go to stdout (the caller evals it); whatever the servers print
# (pg_ctl's "Removed stale pid file", for one) goes to stderr.
exec 3>&1 1>&2

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  echo "ci: starting PostgreSQL" >&2
  pg_ctlcluster --skip-systemctl-redirect \
    "$(find /etc/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -1)" main start 3>&-
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"ALTER ROLE postgres PASSWORD '$PGPASSWORD_CI'\""

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "ci: starting Redis" >&2
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/snip-ci-redis.log 3>&-
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.2; done
fi

echo "TEST_DATABASE_URL=postgresql://postgres:$PGPASSWORD_CI@127.0.0.1:5432/postgres" >&3
echo "TEST_REDIS_URL=redis://127.0.0.1:6379/0" >&3
