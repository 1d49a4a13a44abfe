#!/usr/bin/env bash
# Installs the Debian packages CI needs and a fresh machine lacks, with one apt-get update:
#   podman, runc, debootstrap  make image-test builds and runs the images (no Docker here)
#   chromium                   the web screenshot tests drive it headless
#   prometheus                 promtool checks and unit-tests the alerting rules
#   wrk                        the bench harness's smoke test drives it
#   redis-server               the tests' Redis (ensure-services.sh starts it)
set -euo pipefail

missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v chromium >/dev/null || missing+=(chromium)
command -v promtool >/dev/null || missing+=(prometheus)
command -v wrk >/dev/null || missing+=(wrk)
command -v redis-server >/dev/null || missing+=(redis-server)

if [ ${#missing[@]} -gt 0 ]; then
  echo "ci: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
