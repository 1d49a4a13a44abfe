#!/usr/bin/env bash
# Concurrency: the suite scales out by adding processes. First by hand (links has no
# autoscaler), then redirect's HorizontalPodAutoscaler reacting to more load from the
# load generator. The access log's `host` field (a pod's name) shows the spread.
# Needs the loadgenerator component in the overlay (its README says how).
#   scripts/scenarios/scale-out.sh [--namespace NS] [--context CTX] [--dry-run]
set -euo pipefail
# shellcheck source=scripts/scenarios/lib.sh
source "$(dirname "$0")/lib.sh" "$@"
arguments 0 ""

# Access lines of the last minute, counted by the pod that served them.
requests_by_pod() {
  kube logs -l "app=$1" -c "$1" --since=1m --tail=-1 --max-log-requests=20 |
    awk -F'"host": "' '/"logger": "access"/ {split($2, h, "\""); n[h[1]]++} END {for (p in n) print n[p], "requests:", p}'
}

say "0. The load generator is running"
kube rollout status deployment/loadgenerator --timeout=2m
replicas=$(kube_ask get deployment/links -o 'jsonpath={.spec.replicas}')

say "1. By hand: three links processes; the Service spreads new requests over them"
kube scale deployment/links --replicas=3
kube rollout status deployment/links --timeout=3m
run sleep 60
requests_by_pod links

say "2. By the autoscaler: ten times the users, and redirect's HPA adds pods as CPU rises"
say "   (its CPU figures come from metrics-server; without it the targets stay <unknown>)"
kube set env deployment/loadgenerator LOAD_USERS=200
kube get hpa redirect
# Until it has added every pod it may (the dev overlay: 2), at most five minutes: the
# scale-up comes once the pods' CPU passes the target. A bigger machine needs more
# users: LOAD_USERS=400 and run again.
most=$(kube_ask get hpa redirect -o 'jsonpath={.spec.maxReplicas}')
kube wait hpa/redirect --for=jsonpath='{.status.currentReplicas}'="$most" --timeout=5m
# The autoscaler has asked for the pods; they serve once ready.
kube rollout status deployment/redirect --timeout=3m
kube get hpa redirect
requests_by_pod redirect

say "3. Back as it was: the load generator's previous revision, links' replica count"
kube rollout undo deployment/loadgenerator
kube scale deployment/links --replicas "$replicas"
say "redirect's HPA scales in by itself once the load has been low for its stabilization window (1 min in dev)"
