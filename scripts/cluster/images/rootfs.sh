#!/usr/bin/env bash
# Prints the name of a minimal Debian bookworm root filesystem image, made once with
# debootstrap and imported into podman: the base of every stand-in image (and of CI's
# Python base, .ci/base-image.sh), for a machine that can pull from no image registry.
# Needs root, podman and debootstrap.
set -euo pipefail

ROOTFS_IMAGE=${ROOTFS_IMAGE:-localhost/snip-rootfs:bookworm}
if ! podman image exists "$ROOTFS_IMAGE"; then
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' EXIT
  echo "rootfs: debootstrap bookworm into $rootfs" >&2
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/dev/null
  # The downloaded packages would stay in the image's first layer for good.
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --quiet - "$ROOTFS_IMAGE" >/dev/null
fi
echo "$ROOTFS_IMAGE"
