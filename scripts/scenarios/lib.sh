# shellcheck shell=bash
# Sourced by every scenario script (`source lib.sh "$@"`): the flags they share, and the
# one way they run kubectl, so that --dry-run shows exactly what a real run would do.
#
#   -n, --namespace NS   the overlay's namespace (default snip-dev)
#   --context CTX        a kube context other than the current one
#   --dry-run            print every kubectl command, run none
#   -h, --help           print the script's own description and stop
#
# Another flag is refused; other words are left in ARGS, for the script to check with
# `arguments N USAGE`. Every command is printed as "+ command", quoted so it can be
# pasted into a shell; narration lines start with "==".

NAMESPACE=snip-dev
CONTEXT=
DRY_RUN=false
ARGS=()
# The comment block at the top of the script that sourced this, without its "# ".
usage() { sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"; }

while (($#)); do
  case "$1" in
    -n | --namespace) NAMESPACE=${2:?$1 needs a namespace} && shift 2 ;;
    --context) CONTEXT=${2:?$1 needs a context} && shift 2 ;;
    --dry-run) DRY_RUN=true && shift ;;
    -h | --help) usage && exit 0 ;;
    -*) echo "$(basename "$0"): unknown flag $1 (see --help)" >&2 && exit 2 ;;
    *) ARGS+=("$1") && shift ;;
  esac
done

# arguments N USAGE: the script takes exactly N words besides the flags.
arguments() {
  if [[ ${#ARGS[@]} -ne $1 ]]; then
    echo "usage: $(basename "$0") [--namespace NS] [--context CTX] [--dry-run]${2:+ $2}" >&2
    exit 2
  fi
}

# The scripts' own stdout, for the trace: it reaches the terminal even from inside a
# pipe or a $(...) whose output the script reads.
exec 3>&1

quoted() {
  local word words=()
  for word in "$@"; do
    if [[ $word =~ ^[A-Za-z0-9_./=:@%+,-]+$ ]]; then
      words+=("$word")
    elif [[ $word == "\$("*")" ]]; then
      words+=("\"$word\"")
    else
      words+=("'${word//\'/\'\\\'\'}'")
    fi
  done
  printf '%s' "${words[*]}"
}

say() { printf '\n== %s\n' "$*" >&3; }

# Prints a command, then runs it unless this is a dry run.
run() {
  printf '+ %s\n' "$(quoted "$@")" >&3
  [[ $DRY_RUN == true ]] || "$@"
}

# Like run, for a command whose output the script uses: a dry run answers with the
# command itself, as $(...), so later commands show where their value comes from.
ask() {
  printf '+ %s\n' "$(quoted "$@")" >&3
  if [[ $DRY_RUN == true ]]; then
    printf '%s(%s)' '$' "$(quoted "$@")"
  else
    "$@"
  fi
}

# until_ok SECONDS command...: printed once, then run every 3 s until it succeeds; after
# SECONDS, the script stops, naming it.
until_ok() {
  local limit=$1 deadline
  shift
  printf '+ %s  # until it succeeds, up to %s s\n' "$(quoted "$@")" "$limit" >&3
  [[ $DRY_RUN == false ]] || return 0
  deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { echo "$(basename "$0"): not done after $limit s: $(quoted "$@")" >&2 && return 1; }
    sleep 3
  done
}

KUBECTL=(kubectl)
[[ -z $CONTEXT ]] || KUBECTL+=(--context "$CONTEXT")
KUBECTL+=(-n "$NAMESPACE")

# kubectl in the scenario's namespace (and context): `kube get pods`.
kube() { run "${KUBECTL[@]}" "$@"; }
kube_ask() { ask "${KUBECTL[@]}" "$@"; }

# The load generator's running totals, from the table Locust prints every few seconds
# (kustomize/components/loadgenerator): its "Aggregated" row is requests, failures (%).
load_totals() {
  kube logs deployment/loadgenerator -c locust --tail=40 |
    awk '$1 == "Aggregated" {total = $2; failed = $3} END {if (total) print "load generator so far:", total, "requests,", failed, "failed"}'
}
