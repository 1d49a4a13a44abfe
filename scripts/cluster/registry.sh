#!/usr/bin/env bash
# registry.sh config: points podman and containerd at the cluster's image registry.
#  - podman (and Skaffold through podman's Docker API) pushes to localhost:5001 over
#    plain HTTP: a registries.conf that says so, used through CONTAINERS_REGISTRIES_CONF.
#  - containerd pulls every registry name the manifests use (docker.io, registry.k8s.io,
#    ...) and localhost:5001 from the registry, through the relay on the veth, so the
#    manifests keep their images' real names. A name that is not there fails to pull:
#    nothing is fetched from outside the machine.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

[ "${1:-}" = config ] || die "usage: registry.sh config"
mkdir -p "$CLUSTER_DIR"
{
  # The machine's own settings first, then the local registry as insecure (plain HTTP).
  if [ -f /etc/containers/registries.conf ]; then grep -Ev '^\s*(#|$)' /etc/containers/registries.conf || true; fi
  printf '\n[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY"
} >"$CLUSTER_DIR/registries.conf"

for name in "$REGISTRY" docker.io registry.k8s.io quay.io ghcr.io cr.fluentbit.io; do
  dir=$CLUSTER_DIR/containerd/certs.d/$name
  mkdir -p "$dir"
  cat >"$dir/hosts.toml" <<TOML
# $name is served by the cluster's registry (scripts/cluster/registry.sh).
server = "http://$HOST_IP:$REGISTRY_PORT"

[host."http://$HOST_IP:$REGISTRY_PORT"]
  capabilities = ["pull", "resolve"]
TOML
done
