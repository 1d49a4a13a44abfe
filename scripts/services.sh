#!/usr/bin/env bash
# Prints the services that get an image, one per line: every folder of services/ with a
# pyproject.toml, except the shared kit. New services are picked up with no edit.
set -euo pipefail
cd "$(dirname "$0")/.."

for project in services/*/pyproject.toml; do
  service=$(basename "$(dirname "$project")")
  [ "$service" = snipkit ] || echo "$service"
done
