#!/usr/bin/env bash
# make load: Locust, headless, against the suite `make dev` runs (start it first): the
# URLs come from the same local settings (WEB_PORT..., environment or .env).
# LOAD_SHAPE=steady (default) or spike, LOAD_USERS (20), LOAD_MINUTES (5); the same
# locustfile runs in a cluster as kustomize/components/loadgenerator.
set -euo pipefail
cd "$(dirname "$0")/.."

# Not `eval "$(...)"` directly: a suite that does not answer must stop the load here.
urls=$(.venv/bin/python -m snipdev.settings urls)
set -a
eval "$urls"
set +a
export LOAD_MINUTES="${LOAD_MINUTES:-5}"
exec .venv/bin/locust -f kustomize/components/loadgenerator/locustfile.py --headless "$@"
