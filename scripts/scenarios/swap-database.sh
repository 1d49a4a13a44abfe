#!/usr/bin/env bash
# Backing services are attached resources: move the suite to a new PostgreSQL by changing
# only the Secrets that name the database and restarting the pods. No code, no image, no
# manifest of the services changes. Run locally, under load, by
# tests/scenarios/test_database_swap.py; on a cluster by tests/e2e/test_scenarios.py.
#   scripts/scenarios/swap-database.sh [--namespace NS] [--context CTX] [--dry-run] [ADDRESS:PORT CA_FILE ADMIN_PASSWORD_FILE]
#
# Without arguments, the new server is `postgres-next`, a second StatefulSet made from the
# suite's own (scripts/scenarios/postgres-next). With them, it is a database outside the
# cluster, a managed one: it gets the in-cluster name `postgres-external` (a Service and
# an EndpointSlice to ADDRESS:PORT), its roles and schemas are made by the in-cluster
# server's provision.sh, from the toolbox, as its admin user `postgres` (password in
# ADMIN_PASSWORD_FILE), and every connection to it is TLS with verify-full: the server's
# certificate must name postgres-external and be signed by the CA in CA_FILE.
set -euo pipefail
here=$(dirname "$0")
# shellcheck source=scripts/scenarios/lib.sh
source "$here/lib.sh" "$@"

EXTERNAL=false
case ${#ARGS[@]} in
  0) SERVER=postgres-next ;;
  3)
    EXTERNAL=true SERVER=postgres-external
    ADDRESS=${ARGS[0]%:*} PORT=${ARGS[0]##*:} CA_FILE=${ARGS[1]} ADMIN_PASSWORD_FILE=${ARGS[2]}
    [[ $ADDRESS =~ ^[0-9]+(\.[0-9]+){3}$ && $PORT =~ ^[0-9]+$ ]] ||
      { echo "swap-database.sh: ADDRESS:PORT must be an IPv4 address and a port, not ${ARGS[0]}" >&2 && exit 2; }
    for file in "$CA_FILE" "$ADMIN_PASSWORD_FILE"; do
      [[ -r $file ]] || { echo "swap-database.sh: cannot read $file" >&2 && exit 2; }
    done
    grep -q "BEGIN CERTIFICATE" "$CA_FILE" || { echo "swap-database.sh: CA_FILE $CA_FILE holds no PEM certificate" >&2 && exit 2; }
    ;;
  *) arguments 3 "[ADDRESS:PORT CA_FILE ADMIN_PASSWORD_FILE]" ;;
esac

# deployment:role, one per Secret that names the database (stats-worker reads the same
# Secret as stats-api). The role is also the name of the image's CLI (`stats db upgrade`).
ROLE_OF=(links:links redirect:redirect stats-api:stats)
# Every Deployment that connects to PostgreSQL.
WORKLOADS=(links redirect stats-api stats-worker)
# Where each service's pods find their role's Secret as files: the CA goes there.
CA_IN_POD=/var/run/secrets/snip/database/ca.crt

# New passwords in files, never on a command line: a trace or `ps` would show them.
secrets=$(mktemp -d)
trap 'rm -rf "$secrets"' EXIT
for role in password links redirect stats; do
  openssl rand -hex 24 | tr -d '\n' > "$secrets/$role"
done
tls=""
[[ $EXTERNAL == false ]] || tls="?sslmode=verify-full&sslrootcert=$CA_IN_POD"
for role in links redirect stats; do
  printf 'postgresql://%s:%s@%s:5432/snip%s' "$role" "$(cat "$secrets/$role")" "$SERVER" "$tls" > "$secrets/$role.url"
  printf '{"stringData": {"password": "%s", "url": "%s"}}' "$(cat "$secrets/$role")" "$(cat "$secrets/$role.url")" \
    > "$secrets/$role.patch.json"
done

# The Secret of the role's Deployment: the dev overlay generates Secrets with a hash in
# their names, so ask the Deployment, whose containers may name one more than once.
secret_of() {
  local secret
  secret=$(kube_ask get "deployment/$1" -o 'jsonpath={..secretName} {..secretKeyRef.name}')
  [[ $DRY_RUN == true ]] || secret=$(tr ' ' '\n' <<<"$secret" | grep -E "^$2-db(-|$)" | sort -u)
  printf '%s' "$secret"
}

if [[ $EXTERNAL == false ]]; then
  say "1. A new PostgreSQL with its own passwords, and a wait until it accepts connections"
  kube create secret generic postgres-next --from-file=password="$secrets/password" \
    --from-file=links="$secrets/links" --from-file=redirect="$secrets/redirect" --from-file=stats="$secrets/stats"
  kube apply -k "$here/postgres-next"
  kube rollout status statefulset/postgres-next --timeout=5m
  kube exec statefulset/postgres-next -c postgres -- pg_isready -U postgres -d snip -h 127.0.0.1
else
  say "1. The database outside the cluster gets a name inside it: postgres-external, at $ADDRESS:$PORT"
  kube apply -k "$here/postgres-external"
  address="{\"op\": \"replace\", \"path\": \"/endpoints/0/addresses/0\", \"value\": \"$ADDRESS\"}"
  port="{\"op\": \"replace\", \"path\": \"/ports/0/port\", \"value\": $PORT}"
  kube patch endpointslice postgres-external --type=json -p "[$address, $port]"
  say "   Its roles and schemas: provision.sh as the admin user, from the toolbox's postgres container"
  kube scale deployment/toolbox --replicas=1
  kube rollout status deployment/toolbox --timeout=5m
  # A psql session's start, sent on stdin (never a command line): the CA, then libpq's
  # settings and the admin password.
  {
    printf "umask 077\ncat > /tmp/external-ca.crt <<'CA'\n%s\nCA\n" "$(cat "$CA_FILE")"
    printf 'export PGHOST=%s PGPORT=5432 PGUSER=postgres PGDATABASE=snip' "$SERVER"
    printf ' PGSSLMODE=verify-full PGSSLROOTCERT=/tmp/external-ca.crt PGPASSWORD=%q\n' "$(cat "$ADMIN_PASSWORD_FILE")"
  } > "$secrets/session.sh"
  {
    cat "$secrets/session.sh"
    printf 'export LINKS_DB_PASSWORD=%q REDIRECT_DB_PASSWORD=%q STATS_DB_PASSWORD=%q\n' \
      "$(cat "$secrets/links")" "$(cat "$secrets/redirect")" "$(cat "$secrets/stats")"
    cat "$here/../../k8s/postgres/provision.sh"
  } > "$secrets/provision.sh"
  kube exec -i deployment/toolbox -c postgres -- bash -s < "$secrets/provision.sh"

  say "   The CA goes into each role's Secret (a new key; the URL still names the old server)"
  { printf 'stringData:\n  ca.crt: |\n'; sed 's/^/    /' "$CA_FILE"; } > "$secrets/ca.patch.yaml"
  for pair in "${ROLE_OF[@]}"; do
    deployment=${pair%%:*} role=${pair##*:}
    kube patch secret "$(secret_of "$deployment" "$role")" --type=merge --patch-file="$secrets/ca.patch.yaml"
  done
  say "   The kubelet updates a mounted Secret's files within about a minute: wait until each pod has it"
  for pair in "${ROLE_OF[@]}"; do
    deployment=${pair%%:*}
    until_ok 180 "${KUBECTL[@]}" exec "deployment/$deployment" -c "$deployment" -- test -s "$CA_IN_POD"
  done
fi

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
  kube patch secret "$(secret_of "$deployment" "$role")" --type=merge --patch-file="$secrets/$role.patch.json"
done

say "4. Running pods read their settings once, at start: restart them"
kube rollout restart "${WORKLOADS[@]/#/deployment/}"
for workload in "${WORKLOADS[@]}"; do
  kube rollout status "deployment/$workload" --timeout=5m
done

say "5. The new pods are connected to $SERVER; the old server has no client left"
kube get pods -l 'app in (links,redirect,stats-api,stats-worker)' -o wide
# Every connection but the superuser's own (this psql): the services' roles.
clients="SELECT usename, application_name, client_addr FROM pg_stat_activity WHERE usename <> current_user"
if [[ $EXTERNAL == false ]]; then
  kube exec statefulset/postgres-next -c postgres -- psql -U postgres -d snip -c "$clients"
else
  { cat "$secrets/session.sh"; printf 'psql -c %q\n' "$clients"; } > "$secrets/clients.sh"
  kube exec -i deployment/toolbox -c postgres -- bash -s < "$secrets/clients.sh"
fi
kube exec statefulset/postgres -c postgres -- psql -U postgres -d snip -c "$clients"
say "postgres keeps the old data and can go when you are sure (kubectl delete statefulset/postgres service/postgres)"
# In dev the overlay generates the Secrets, and the next skaffold deploy writes its values
# back: to keep the swap, change the url literals in kustomize/overlays/dev as well.
