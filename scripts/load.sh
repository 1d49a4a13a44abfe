#!/usr/bin/env bash
# make load: Locust, headless, against the ports `make dev` serves (run `make dev` first).
# LOAD_SHAPE=steady (default) or spike, LOAD_USERS (20), LOAD_MINUTES (5); the same
# locustfile runs in a cluster as kustomize/components/loadgenerator.
set -euo pipefail
cd "$(dirname "$0")/.."

export LOAD_MINUTES="${LOAD_MINUTES:-5}"
exec .venv/bin/locust -f kustomize/components/loadgenerator/locustfile.py --headless "$@"
