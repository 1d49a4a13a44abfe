# shellcheck shell=bash
# Sourced by backup.sh and restore.sh: log lines in the suite's JSON format on stdout
# (timestamp, level, service, logger, message, then "key": value pairs given as key=value).
# Whole numbers are written as JSON numbers; other values as strings, escaped for quotes,
# backslashes and line breaks.

json_string() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/ }
  s=${s//$'\r'/ }
  s=${s//$'\t'/ }
  printf '"%s"' "$s"
}

# A whole number as a JSON number, anything else as a JSON string.
json_value() {
  if [[ $1 =~ ^(0|[1-9][0-9]*)$ ]]; then printf '%s' "$1"; else json_string "$1"; fi
}

# log LEVEL MESSAGE [key=value ...]
log() {
  local level=$1 message=$2 field
  shift 2
  printf '{"timestamp": "%s", "level": "%s", "service": "%s", "logger": "%s", "message": %s' \
    "$(date -u +%Y-%m-%dT%H:%M:%S.000+00:00)" "$level" "${SERVICE_NAME:-postgres-admin}" \
    "$(basename "$0" .sh)" "$(json_string "$message")"
  for field in "$@"; do
    printf ', %s: %s' "$(json_string "${field%%=*}")" "$(json_value "${field#*=}")"
  done
  printf '}\n'
}

# fail MESSAGE [key=value ...]: log an error and exit 1.
fail() {
  log ERROR "$@"
  exit 1
}

# The password may come from a file (PGPASSWORD_FILE, a mounted Secret), the suite's
# NAME_FILE convention; libpq itself reads PGPASSWORD.
if [ -n "${PGPASSWORD_FILE:-}" ]; then
  [ -r "$PGPASSWORD_FILE" ] || fail "cannot read PGPASSWORD_FILE" file="$PGPASSWORD_FILE"
  PGPASSWORD=$(<"$PGPASSWORD_FILE")
  export PGPASSWORD
fi
