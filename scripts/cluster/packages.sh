#!/usr/bin/env bash
# Installs the Debian packages make cluster runs and a fresh machine lacks, with one
# apt-get update: containerd, runc and the CNI plugins (the node), iptables and conntrack
# (kube-proxy), docker-registry and socat (the image registry and its relay), podman,
# debootstrap, catatonit and busybox-static (the images), openssl (the certificates),
# skopeo (make chart's image digests).
set -euo pipefail

missing=()
need() { command -v "$1" >/dev/null || missing+=("$2"); }
need containerd containerd
need runc runc
[ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
need iptables iptables
need conntrack conntrack
need docker-registry docker-registry
need socat socat
need podman podman
need debootstrap debootstrap
need catatonit catatonit
[ -x /bin/busybox ] || missing+=(busybox-static)
need openssl openssl
need curl curl
need envsubst gettext-base
# make chart reads the released images' digests with it when Docker buildx is not there.
need skopeo skopeo

if [ ${#missing[@]} -gt 0 ]; then
  echo "cluster: installing ${missing[*]}" >&2
  apt-get update -qq
  # The packages' services must not start: make cluster runs its own containerd and
  # registry, with its own configuration.
  policy=/usr/sbin/policy-rc.d
  [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && trap 'rm -f "$policy"' EXIT; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
