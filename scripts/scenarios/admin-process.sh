#!/usr/bin/env bash
# Admin processes run as one-off processes of the same release: the migrate Jobs of the
# last deploy, a purge started by hand from its CronJob, and a command in the toolbox
# Deployment (scaled to 0 when nobody needs it), all with the services' own image.
#   scripts/scenarios/admin-process.sh [--namespace NS] [--context CTX] [--dry-run]
set -euo pipefail
# shellcheck source=scripts/scenarios/lib.sh
source "$(dirname "$0")/lib.sh" "$@"
arguments 0 ""

say "1. The migrate Jobs of the last deploy (removed 10 minutes after they finish)"
kube wait --for=condition=complete job/links-db-upgrade job/redirect-db-upgrade job/stats-db-upgrade --timeout=5m
kube logs job/links-db-upgrade

say "2. A purge now, from the CronJob's own template: same image, same settings as the nightly run"
job=links-purge-by-hand-$(date +%s)
kube create job "$job" --from=cronjob/links-purge
kube wait --for=condition=complete "job/$job" --timeout=5m
kube logs "job/$job"

say "3. A command by hand in the toolbox: scaled up, used, scaled back to zero"
kube scale deployment/toolbox --replicas=1
kube rollout status deployment/toolbox --timeout=3m
# One container per image; migrations are safe to run twice: this one finds nothing to do.
kube exec deployment/toolbox -c links -- links db upgrade
kube scale deployment/toolbox --replicas=0
