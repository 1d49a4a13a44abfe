#!/usr/bin/env bash
# Builds the local base image that stands in for python:3.11-slim on a machine with no
# reachable image registry (see .ci/base-image/Containerfile), once: later runs reuse it.
# Its root is the Debian one the cluster's stand-in images share (scripts/cluster/images).
# Prints the image name. Needs podman, debootstrap and root.
set -euo pipefail
cd "$(dirname "$0")/.."

BASE_IMAGE=${BASE_IMAGE:-localhost/snip-python:3.11-bookworm}

if ! podman image exists "$BASE_IMAGE"; then
  rootfs_image=$(scripts/cluster/images/rootfs.sh)
  echo "base-image: installing python3 into $BASE_IMAGE" >&2
  podman build --quiet --build-arg ROOTFS_IMAGE="$rootfs_image" -t "$BASE_IMAGE" .ci/base-image >/dev/null
fi
echo "$BASE_IMAGE"
