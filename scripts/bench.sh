#!/usr/bin/env bash
# make bench: install wrk if it is missing, then measure every figure against the stack's
# ceiling and write bench/results.json, bench/results.md, the tables in
# docs/performance.md and its scale chart. PostgreSQL and Redis are found as the tests
# find them (TEST_DATABASE_URL/TEST_REDIS_URL, else testcontainers, else embedded servers).
# SCALE: the numbers of links of the scale series (default 1k,100k,1M; "none" skips it).
# BASELINE: a commit whose code also serves web's home page, for a before/after pair.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "bench: installing wrk (Debian package)"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq wrk >/dev/null
fi

args=(--update-docs --scale "${SCALE:-1k,100k,1M}")
[ -z "${BASELINE:-}" ] || args+=(--baseline "$BASELINE")
exec .venv/bin/python -m snipbench "${args[@]}" "$@"
