#!/usr/bin/env bash
# docker-api.sh [SOCKET]: serves a Docker API for Skaffold's docker builder on a machine
# with no Docker engine, podman's (`podman system service`), until stopped. SOCKET
# defaults to .local/podman/docker.sock. Then, in the shell that runs Skaffold:
#
#   export DOCKER_HOST=unix://$PWD/.local/podman/docker.sock DOCKER_BUILDKIT=0
#   export BASE_IMAGE=$(.ci/base-image.sh) PIP_CERT=/run/pip-ca.crt   # this machine only
#
# podman's API answers the classic builder's calls, not BuildKit's (DOCKER_BUILDKIT=0).
# It builds and pushes with this machine's settings: .ci/containers.conf (runc, ulimits),
# make cluster's registries.conf (its registry on localhost:5001 speaks plain HTTP), and
# PIP_CERT_FILE, the CA bundle of the proxy outbound HTTPS passes through, mounted
# read-only at /run/pip-ca.crt in every build step: skaffold.yaml's local-base profile
# hands pip that path (PIP_CERT), and the bundle never enters the build context or a layer.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
socket=$(realpath -m "${1:-$REPO_ROOT/.local/podman/docker.sock}")
conf=$(dirname "$socket")/containers.conf
mkdir -p "$(dirname "$socket")"
ca=${PIP_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}

# One containers.conf: this machine's, with the CA bundle's volume in its [containers] table.
if [ -f "$ca" ]; then
  sed "/^\[containers\]/a volumes = [\"$ca:/run/pip-ca.crt:ro\"]" "$REPO_ROOT/.ci/containers.conf" >"$conf"
else
  cp "$REPO_ROOT/.ci/containers.conf" "$conf"
fi
export CONTAINERS_CONF=$conf
[ ! -f "$CLUSTER_DIR/registries.conf" ] || export CONTAINERS_REGISTRIES_CONF=$CLUSTER_DIR/registries.conf
rm -f "$socket"
say "Docker API on unix://$socket (podman $(podman version --format '{{.Client.Version}}'))"
exec podman system service --time=0 "unix://$socket"
