#!/usr/bin/env bash
# Build, release, run: roll redirect to a new image under load with no failed request
# (a new pod is ready before an old one leaves), then `rollout undo` to the revision
# before. Run locally, under load, by tests/scenarios/test_rolling_restart.py.
# Needs the loadgenerator component in the overlay (its README says how).
#   scripts/scenarios/rolling-update.sh [--namespace NS] [--context CTX] [--dry-run] IMAGE
#   e.g. IMAGE=ghcr.io/you/snip/redirect:v0.2.0, or another tag Skaffold built
set -euo pipefail
# shellcheck source=scripts/scenarios/lib.sh
source "$(dirname "$0")/lib.sh" "$@"
arguments 1 IMAGE
image=${ARGS[0]}

say "0. Load, and the revisions so far"
kube rollout status deployment/loadgenerator --timeout=2m
kube rollout history deployment/redirect
load_totals

say "1. The new version: pods replaced one at a time, each new one ready before an old one goes"
kube set image deployment/redirect "redirect=$image"
# What `rollout history` shows as the reason for this revision.
kube annotate deployment/redirect kubernetes.io/change-cause="redirect=$image" --overwrite
kube rollout status deployment/redirect --timeout=5m
kube rollout history deployment/redirect
load_totals

say "2. Revision control: back to the previous revision, the same way"
kube rollout undo deployment/redirect
kube rollout status deployment/redirect --timeout=5m
kube rollout history deployment/redirect
load_totals
