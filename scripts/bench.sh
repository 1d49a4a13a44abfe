#!/usr/bin/env bash
# make bench: install wrk if it is missing, then measure every figure against the stack's
# ceiling and write bench/results.json, bench/results.md and the tables in
# docs/performance.md. PostgreSQL and Redis are found as the tests find them
# (TEST_DATABASE_URL/TEST_REDIS_URL, else testcontainers, else embedded servers).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq wrk >/dev/null
fi

exec .venv/bin/python -m snipdev.bench --update-docs "$@"
