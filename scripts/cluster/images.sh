#!/usr/bin/env bash
# Builds, with podman, every image the cluster runs that no registry here can give, and
# pushes each to the cluster's registry under the very name the manifests use, which
# containerd resolves there (registry.sh maps docker.io, registry.k8s.io ... to it):
#   - the pause image and the add-ons (CoreDNS, metrics-server, local-path-provisioner
#     and its busybox helper), from what build.sh built;
#   - a stand-in for each third-party image the suite's manifests name (postgres,
#     redis, pgbouncer, curl ...), from Debian's packages, honouring the parts of the
#     official image's contract the manifests rely on (images/README.md).
# The suite's own images are not built here: the e2e tests and Skaffold build and push them.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
export CONTAINERS_CONF=${CONTAINERS_CONF:-$REPO_ROOT/.ci/containers.conf}
export CONTAINERS_REGISTRIES_CONF=$CLUSTER_DIR/registries.conf
images=$CLUSTER_SCRIPTS/images

# registry_path REF: where containerd looks for REF in a mirror (docker.io's one-part
# names live under library/, as on Docker Hub).
registry_path() {
  local ref=$1 host=docker.io first=${1%%/*}
  if [[ $ref == */* && ($first == *.* || $first == *:* || $first == localhost) ]]; then
    host=$first
    ref=${ref#*/}
  fi
  [[ $host != docker.io || $ref == */* ]] || ref=library/$ref
  echo "$ref"
}

# build_and_push REF CONTEXT [BUILD ARGS...]
build_and_push() {
  local ref=$1 context=$2 local_name
  shift 2
  local_name=localhost/cluster/$(registry_path "$ref")
  say "image $ref"
  if ! podman build --build-arg ROOTFS_IMAGE="$rootfs" "$@" -t "$local_name" "$context" >"$scratch/build.log" 2>&1; then
    cat "$scratch/build.log" >&2
    die "building $ref failed"
  fi
  podman push --quiet "$local_name" "$REGISTRY/$(registry_path "$ref")"
  # A rebuilt stand-in keeps its tag: drop the node's copy so the next pod pulls it anew.
  if [ -S "$containerd_socket" ]; then
    ctr --address "$containerd_socket" --namespace k8s.io images rm "$(normalized "$ref")" >/dev/null 2>&1 || true
  fi
}

# normalized REF: the full name containerd stores REF under (docker.io/library/redis:7).
normalized() {
  local first=${1%%/*}
  if [[ $1 == */* && ($first == *.* || $first == *:* || $first == localhost) ]]; then
    echo "$1"
  else
    echo "docker.io/$(registry_path "$1")"
  fi
}
containerd_socket=$CLUSTER_DIR/containerd/containerd.sock

# addon_image NAME: the image of the add-on's own program, as its manifest names it.
addon_image() { sed -n "s/^ *image: *\([^ ]*$1[^ ]*\).*/\1/p" "$CLUSTER_SCRIPTS/addons/$1/$1.yaml" | sed -n 1p; }

rootfs=$("$images/rootfs.sh")
# pip, in a stand-in's build, trusts what this machine trusts (a TLS-intercepting proxy).
pip_cert=()
if [ -f "${PIP_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}" ]; then
  pip_cert=(--volume "${PIP_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}:/run/pip-ca.crt:ro" --build-arg PIP_CERT=/run/pip-ca.crt)
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -r "$images/etc" "$scratch/etc"

cp /usr/bin/catatonit "$scratch/"
build_and_push "$(sed -n 's/^ *sandbox_image = "\(.*\)"/\1/p' "$CLUSTER_SCRIPTS/config/containerd.toml")" \
  "$scratch" -f "$images/pause/Containerfile"
cp /bin/busybox "$scratch/"
build_and_push "$(sed -n 's/^ *image: *\(busybox[^ ]*\)/\1/p' "$CLUSTER_SCRIPTS/addons/local-path-provisioner/local-path-provisioner.yaml")" \
  "$scratch" -f "$images/busybox/Containerfile"
for addon in coredns metrics-server local-path-provisioner; do
  cp "$CLUSTER_BIN/$addon" "$scratch/"
  build_and_push "$(addon_image "$addon")" "$scratch" \
    -f "$images/program/Containerfile" --build-arg PROGRAM="$addon"
done

# Every third-party image the suite's manifests and skaffold.yaml name, at its exact tag.
# The suite's own images are named bare (links, web ...): they have no tag here.
cd "$REPO_ROOT"
mapfile -t third_party < <(grep -rhoE '^\s*image: *[^ ]+:[^ ]+' k8s kustomize admin-jobs skaffold.yaml |
  sed 's/^ *image: *//' | sort -u)
for ref in "${third_party[@]}"; do
  name=${ref%:*}
  name=${name##*/}
  if [ -d "$images/$name" ]; then
    # VERSION is the tag, for a stand-in that installs that very release (Locust).
    build_and_push "$ref" "$images/$name" --build-arg VERSION="${ref##*:}" "${pip_cert[@]}"
  else
    say "no stand-in for $ref (images/README.md says why): pods that use it cannot start here"
  fi
done
