#!/usr/bin/env bash
# make image-test: build every service image with podman on a local base image, then run
# each the way the manifests will and check that it serves and stops cleanly
# (tests/images/imagetest.py). Needs root, podman, runc and debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."

# This machine's podman settings; see .ci/containers.conf.
export CONTAINERS_CONF="${CONTAINERS_CONF:-$PWD/.ci/containers.conf}"
export ENGINE=podman REGISTRY=localhost/snip TAG=image-test
# Where a registry answers, pass the public base instead: BASE_IMAGE=python:3.11.14-slim-bookworm.
BASE_IMAGE=${BASE_IMAGE:-$(.ci/base-image.sh)}
export BASE_IMAGE
# pip in the build trusts what this machine trusts (a TLS-intercepting proxy's CA).
export PIP_CERT_FILE="${PIP_CERT_FILE:-/etc/ssl/certs/ca-certificates.crt}"

started=$SECONDS
# Not `mapfile < <(...)`: a failed build must stop the test, not shorten its list.
built=$(scripts/images.sh)
mapfile -t images <<< "$built"
echo "image-test: built ${#images[@]} images in $((SECONDS - started)) s"
.venv/bin/python tests/images/imagetest.py "${images[@]}"
