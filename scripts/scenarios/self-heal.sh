#!/usr/bin/env bash
# Disposability and self-healing under load: a links pod deleted (its ReplicaSet makes a
# new one while the old one drains), a gunicorn worker killed (the master forks a new
# one), then the container's main process stopped at once (the kubelet restarts the
# container). The first two cost no request; the last costs those sent to that pod
# until its readiness probe takes it out of the Service.
# Needs the loadgenerator component in the overlay (its README says how).
#   scripts/scenarios/self-heal.sh [--namespace NS] [--context CTX] [--dry-run]
set -euo pipefail
# shellcheck source=scripts/scenarios/lib.sh
source "$(dirname "$0")/lib.sh" "$@"
arguments 0 ""

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

say "3. The main process gone at once (gunicorn's master, sent SIGQUIT): the kubelet restarts the container"
quit_master='import os, signal; os.kill(1, signal.SIGQUIT)'
kube exec deployment/links -c links -- python -c "$quit_master"
run sleep 15
kube get pods -l app=links
kube rollout status deployment/links --timeout=3m

say "4. What the clients saw: no failure from the deletion or the worker, a few from the quit"
load_totals
kube scale deployment/links --replicas "$replicas"
