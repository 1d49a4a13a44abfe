#!/bin/sh
# The smoke test `skaffold verify` runs after a deploy (skaffold.yaml), in the curl image,
# in the suite's namespace: every HTTP service ready, a link created through links, its
# short URL answered by redirect with a redirect to the link's URL.
set -eu

for service in web links redirect stats-api; do
  curl -fsS --max-time 5 "http://$service:8080/readyz" >/dev/null
done
url="https://example.org/snip-smoke-test/$(date +%s)"
created=$(curl -fsS --max-time 5 -H 'Content-Type: application/json' -d "{\"url\": \"$url\"}" http://links:8080/api/links)
code=$(echo "$created" | sed -n 's/.*"code": *"\([^"]*\)".*/\1/p')
[ -n "$code" ] || { echo "smoke test failed: links answered $created" >&2; exit 1; }
answer=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' "http://redirect:8080/r/$code")
if [ "$answer" != "302 $url" ]; then
  echo "smoke test failed: /r/$code answered $answer, not a redirect to $url" >&2
  exit 1
fi
echo "smoke test passed: /r/$code answered $answer"
