#!/usr/bin/env bash
# Runs checkov with the given arguments, offline, from a virtualenv of its own
# (.local/checkov), installed here on first use and again when requirements/scan.txt
# changes: checkov's pins clash with the suite's. `make scan` and tests/k8s call it;
# CHECKOV_VENV names another virtualenv (a copy of the clone shares the clone's).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${CHECKOV_VENV:-.local/checkov}
if [ ! -x "$venv/bin/checkov" ] || ! cmp -s requirements/scan.txt "$venv/scan.txt"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r requirements/scan.txt
  cp requirements/scan.txt "$venv/scan.txt"
fi
# BC_SKIP_MAPPING: no call home for the guideline links; --skip-download: no policies fetched.
BC_SKIP_MAPPING=TRUE exec "$venv/bin/checkov" --skip-download "$@"
