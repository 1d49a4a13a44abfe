#!/usr/bin/env bash
# Creates .venv and installs every service, the shared kit, the local tooling, the test
# support, the bench and the dev tools into it, pinned by requirements/lock.txt. Safe to
# re-run; make calls it when an input changed.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

editables=()
for project in services/*/pyproject.toml scripts/snipdev/pyproject.toml tests/support/pyproject.toml bench/pyproject.toml; do
  editables+=(-e "$(dirname "$project")")
done

.venv/bin/python -m pip install --quiet --disable-pip-version-check \
  -c requirements/lock.txt "${editables[@]}" -r requirements/dev.in
touch .venv/.installed
echo "bootstrap: .venv is ready"
