#!/usr/bin/env bash
# make load: Locust, headless, against the ports `make dev` serves (run `make dev` first).
# LOAD_SHAPE=steady (default) or spike; LOAD_MINUTES caps the run (default 5). The same
# locustfile runs in a cluster as kustomize/components/loadgenerator.
set -euo pipefail
cd "$(dirname "$0")/.."

exec .venv/bin/locust -f kustomize/components/loadgenerator/locustfile.py --headless \
  --host "${WEB_URL:-http://127.0.0.1:8000}" --run-time "${LOAD_MINUTES:-5}m" --only-summary "$@"
