#!/usr/bin/env bash
# Re-resolves every dependency to its newest allowed version and rewrites
# requirements/lock.txt. Run it on purpose, review the diff, then run make test.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
editables=()
for project in services/*/pyproject.toml scripts/snipdev/pyproject.toml tests/support/pyproject.toml bench/pyproject.toml; do
  editables+=(-e "$(dirname "$project")")
done
"$tmp/venv/bin/pip" install --quiet "${editables[@]}" -r requirements/dev.in
{
  sed -n '1,3p' requirements/lock.txt
  "$tmp/venv/bin/pip" freeze --exclude-editable | grep -v '^#'
} > "$tmp/lock.txt"
mv "$tmp/lock.txt" requirements/lock.txt
echo "lock: requirements/lock.txt updated"
