#!/usr/bin/env bash
# Every workshop scenario's --dry-run, one after the other: what each would do to a
# cluster, command by command, without one. NAMESPACE and CONTEXT pass on to each;
# IMAGE is the version rolling-update rolls to.
set -euo pipefail
cd "$(dirname "$0")/.."

flags=(--dry-run --namespace "${NAMESPACE:-snip-dev}")
[[ -z ${CONTEXT:-} ]] || flags+=(--context "$CONTEXT")
for scenario in swap-database scale-out self-heal rolling-update admin-process; do
  printf '\n######## %s\n' "$scenario"
  args=()
  [[ $scenario != rolling-update ]] || args=("${IMAGE:-redirect:v0.2.0}")
  "scripts/scenarios/$scenario.sh" "${flags[@]}" "${args[@]}"
done
