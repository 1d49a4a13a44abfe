#!/usr/bin/env bash
# Disposability and self-healing under load: a links pod deleted (its ReplicaSet makes a
# new one while the old one drains), then a gunicorn worker killed (the master forks a
# new one). The load generator's failure count should not move.
# Needs the loadgenerator component in the overlay (its README says how).
#   scripts/scenarios/self-heal.sh [--namespace NS] [--context CTX] [--dry-run]
set -euo pipefail
# shellcheck source=scripts/scenarios/lib.sh
source "$(dirname "$0")/lib.sh" "$@"

say "0. Load, and two links pods, so that one can go while the other serves"
kube rollout status deployment/loadgenerator --timeout=2m
replicas=$(kube_ask get deployment/links -o 'jsonpath={.spec.replicas}')
kube scale deployment/links --replicas=2
kube rollout status deployment/links --timeout=3m
load_totals

say "1. A pod deleted: it leaves the Service, drains, and a new pod takes its place"
pod=$(kube_ask get pods -l app=links -o 'jsonpath={.items[0].metadata.name}')
kube delete pod "$pod" --wait=false
kube get pods -l app=links
# The Deployment's status lags the deletion by a moment; then it waits for the new pod.
run sleep 5
kube rollout status deployment/links --timeout=3m
kube get pods -l app=links

say "2. A worker process killed (SIGKILL, as the OOM killer does): gunicorn forks a new one"
# PID 1 is the gunicorn master (exec-form CMD); its first child is a worker.
kill_worker='import os, signal; os.kill(int(open("/proc/1/task/1/children").read().split()[0]), signal.SIGKILL)'
kube exec deployment/links -c links -- python -c "$kill_worker"
run sleep 10
kube logs deployment/links -c links --since=30s

say "3. What the clients saw: the failures column has not moved"
load_totals
kube scale deployment/links --replicas "$replicas"
