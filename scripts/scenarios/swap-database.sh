#!/usr/bin/env bash
# Backing services are attached resources: move the suite from the PostgreSQL StatefulSet
# `postgres` to a new one, `postgres-next`, by changing only the Secrets that name the
# database and restarting the pods. No code, no image, no manifest of the services changes.
# Run locally, under load, by tests/scenarios/test_database_swap.py.
#   scripts/scenarios/swap-database.sh [--namespace NS] [--context CTX] [--dry-run]
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=scripts/scenarios/lib.sh
source "$here/lib.sh" "$@"
arguments 0 ""

# deployment:role, one per Secret that names the database (stats-worker reads the same
# Secret as stats-api). The role is also the name of the image's CLI (`stats db upgrade`).
ROLE_OF=(links:links redirect:redirect stats-api:stats)
# Every Deployment that connects to PostgreSQL.
WORKLOADS=(links redirect stats-api stats-worker)

# New passwords in files, never on a command line: a trace or `ps` would show them.
secrets=$(mktemp -d)
trap 'rm -rf "$secrets"' EXIT
for role in password links redirect stats; do
  openssl rand -hex 24 | tr -d '\n' > "$secrets/$role"
done
for role in links redirect stats; do
  printf 'postgresql://%s:%s@postgres-next:5432/snip' "$role" "$(cat "$secrets/$role")" > "$secrets/$role.url"
  printf '{"stringData": {"password": "%s", "url": "%s"}}' "$(cat "$secrets/$role")" "$(cat "$secrets/$role.url")" \
    > "$secrets/$role.patch.json"
done

say "1. A new PostgreSQL with its own passwords, and a wait until it accepts connections"
kube create secret generic postgres-next --from-file=password="$secrets/password" \
  --from-file=links="$secrets/links" --from-file=redirect="$secrets/redirect" --from-file=stats="$secrets/stats"
kube apply -k "$here/postgres-next"
kube rollout status statefulset/postgres-next --timeout=5m
kube exec statefulset/postgres-next -c postgres -- pg_isready -U postgres -d snip -h 127.0.0.1

say "2. The schema: each service's migrate command, from the image it runs, against the new server"
# The URL arrives on stdin through the kit's NAME_FILE convention, not in the command line.
for pair in "${ROLE_OF[@]}"; do
  deployment=${pair%%:*} role=${pair##*:}
  kube exec -i "deployment/$deployment" -c "$deployment" -- \
    env -u DATABASE_URL DATABASE_URL_FILE=/dev/stdin "$role" db upgrade < "$secrets/$role.url"
done

say "3. The Secrets that name the database now name the new one"
for pair in "${ROLE_OF[@]}"; do
  deployment=${pair%%:*} role=${pair##*:}
  # The dev overlay generates Secrets with a hash in their names: ask the Deployment,
  # whose containers may name the same one more than once (redirect's init container).
  secret=$(kube_ask get "deployment/$deployment" -o 'jsonpath={..secretName} {..secretKeyRef.name}')
  [[ $DRY_RUN == true ]] || secret=$(tr ' ' '\n' <<<"$secret" | grep -E "^$role-db(-|$)" | sort -u)
  kube patch secret "$secret" --type=merge --patch-file="$secrets/$role.patch.json"
done

say "4. Running pods read their settings once, at start: restart them"
kube rollout restart "${WORKLOADS[@]/#/deployment/}"
for workload in "${WORKLOADS[@]}"; do
  kube rollout status "deployment/$workload" --timeout=5m
done

say "5. The new pods are connected to postgres-next; the old server has no client left"
kube get pods -l 'app in (links,redirect,stats-api,stats-worker)' -o wide
# Every connection but the superuser's own (this psql): the services' roles.
clients="SELECT usename, application_name, client_addr FROM pg_stat_activity WHERE usename <> current_user"
kube exec statefulset/postgres-next -c postgres -- psql -U postgres -d snip -c "$clients"
kube exec statefulset/postgres -c postgres -- psql -U postgres -d snip -c "$clients"
say "postgres keeps the old data and can go when you are sure (kubectl delete statefulset/postgres service/postgres)"
# In dev the overlay generates the Secrets, and the next skaffold deploy writes its values
# back: to keep the swap, change the url literals in kustomize/overlays/dev as well.
