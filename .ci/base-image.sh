#!/usr/bin/env bash
# Builds the local base image that stands in for python:3.11-slim on a machine with no
# reachable image registry (see .ci/base-image/Containerfile), once: later runs reuse it.
# Prints the image name. Needs podman, debootstrap and root.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOTFS_IMAGE=localhost/snip-rootfs:bookworm
BASE_IMAGE=${BASE_IMAGE:-localhost/snip-python:3.11-bookworm}

if ! podman image exists "$BASE_IMAGE"; then
  if ! podman image exists "$ROOTFS_IMAGE"; then
    rootfs=$(mktemp -d)
    trap 'rm -rf "$rootfs"' EXIT
    echo "base-image: debootstrap bookworm into $rootfs" >&2
    debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
    # The downloaded packages would stay in the image's first layer for good.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -c . | podman import --quiet - "$ROOTFS_IMAGE" >/dev/null
  fi
  echo "base-image: installing python3 into $BASE_IMAGE" >&2
  podman build --quiet --build-arg ROOTFS_IMAGE="$ROOTFS_IMAGE" -t "$BASE_IMAGE" .ci/base-image >/dev/null
fi
echo "$BASE_IMAGE"
