#!/usr/bin/env bash
# make chart: the released prod overlay (images pinned by digest, as make
# release-manifests renders it) packaged as a Helm chart, for `helm install`, `helm
# upgrade` and `helm rollback` with Helm's revision history. The chart is generated from
# that render (scripts/snipdev/snipdev/kube/chart.py); nothing in it is written by hand.
#
#   VERSION   the release, e.g. v1.2.3: the images' tag and the chart's version (required)
#   REGISTRY  where the images are, e.g. ghcr.io/you/snip (required)
#   HELM      the helm to package with   default: make cluster's build, else PATH's
# Writes build/release/snip-${VERSION#v}.tgz (the chart's folder stays in build/chart/snip)
# and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${VERSION:?VERSION is required, e.g. v1.2.3}"
[[ "$VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]] || { echo "chart: VERSION must be vMAJOR.MINOR.PATCH, not $VERSION" >&2; exit 2; }
HELM=${HELM:-$( [ -x .local/cluster/bin/helm ] && echo .local/cluster/bin/helm || echo helm )}

render=$(scripts/release-manifests.sh)
.venv/bin/python -m snipdev.kube.chart "$render" "$VERSION" build/chart/snip
"$HELM" lint --quiet build/chart/snip >&2
"$HELM" package build/chart/snip --destination build/release >&2
echo "build/release/snip-${VERSION#v}.tgz"
