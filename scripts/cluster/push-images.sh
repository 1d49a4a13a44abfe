#!/usr/bin/env bash
# push-images.sh TAG: builds the suite's images (scripts/images.sh) and pushes them to
# the cluster's registry as <registry>/snip/<service>:TAG; prints each image's name.
# The registry is make cluster's (localhost:5001, also kind's usual local registry), or
# E2E_REGISTRY. With Docker, Docker builds; without, podman, with this machine's
# settings as make image-test uses them (a local base image, pip's CA bundle).
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || die "usage: push-images.sh TAG"
cd "$REPO_ROOT"

export REGISTRY=${E2E_REGISTRY:-$REGISTRY}/snip TAG=$1 PUSH=1
if ! docker info >/dev/null 2>&1; then
  export ENGINE=podman CONTAINERS_CONF=${CONTAINERS_CONF:-$REPO_ROOT/.ci/containers.conf}
  [ -f "$CLUSTER_DIR/registries.conf" ] && export CONTAINERS_REGISTRIES_CONF=$CLUSTER_DIR/registries.conf
  BASE_IMAGE=${BASE_IMAGE:-$(.ci/base-image.sh)}
  export BASE_IMAGE PIP_CERT_FILE=${PIP_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}
fi
exec scripts/images.sh
