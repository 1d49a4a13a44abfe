#!/usr/bin/env bash
# Builds every service's image (or those named as arguments) from the one Dockerfile,
# with Docker when an engine answers, else podman. Prints each image's name.
#
# Settings (environment):
#   REGISTRY    image name prefix             default: snip  (e.g. ghcr.io/you/snip)
#   TAG         the tag                       default: the git commit, -dirty if changed
#   ALSO_TAG    a second tag for the same build, e.g. the release version v1.2.3
#   PUSH=1      push what was built (with PLATFORMS, Docker builds and pushes in one go)
#   PLATFORMS   e.g. linux/amd64,linux/arm64  Docker buildx only; default: this machine's
#   ATTEST=1    attach an SBOM and provenance to pushed images (Docker buildx only)
#   BASE_IMAGE  the Python base image         default: the Dockerfile's
#   PIP_CERT_FILE  a CA bundle for pip behind a TLS-intercepting proxy (podman only)
#   ENGINE      docker or podman              default: detected
set -euo pipefail
cd "$(dirname "$0")/.."

REGISTRY=${REGISTRY:-snip}
revision=$(git rev-parse HEAD)
if [ -z "${TAG:-}" ]; then
  TAG=$(git rev-parse --short=12 HEAD)
  [ -z "$(git status --porcelain -- services requirements Dockerfile)" ] || TAG="$TAG-dirty"
fi
if [ -z "${ENGINE:-}" ]; then
  ENGINE=podman
  docker info >/dev/null 2>&1 && ENGINE=docker
fi
source_url=$(git remote get-url origin 2>/dev/null | sed -E 's#^git@([^:]+):#https://\1/#; s#\.git$##' || true)

args=(--build-arg VERSION="$TAG" --build-arg REVISION="$revision" --build-arg SOURCE="$source_url")
[ -n "${BASE_IMAGE:-}" ] && args+=(--build-arg BASE_IMAGE="$BASE_IMAGE")
if [ "$ENGINE" = docker ]; then
  build=(docker buildx build)
  [ -n "${PLATFORMS:-}" ] && args+=(--platform "$PLATFORMS")
  # A multi-platform image cannot be loaded into the local engine, only pushed.
  if [ -n "${PUSH:-}" ]; then args+=(--push); else args+=(--load); fi
  # An SBOM and SLSA provenance (max: the build's parameters too), as attestations beside
  # each platform's image in the index the tag names. Needs a buildx builder of the
  # docker-container driver (setup-buildx-action's), not the engine's default one.
  if [ -n "${ATTEST:-}" ]; then args+=(--sbom=true --provenance=mode=max); fi
else
  build=(podman build)
  [ -n "${PLATFORMS:-}" ] && { echo "images: PLATFORMS needs Docker buildx" >&2; exit 2; }
  if [ -n "${PIP_CERT_FILE:-}" ]; then
    args+=(--volume "$PIP_CERT_FILE:/run/pip-ca.crt:ro" --build-arg PIP_CERT=/run/pip-ca.crt)
  fi
fi

if [ $# -gt 0 ]; then services=("$@"); else mapfile -t services < <(scripts/services.sh); fi
for service in "${services[@]}"; do
  tags=("$REGISTRY/$service:$TAG")
  [ -n "${ALSO_TAG:-}" ] && tags+=("$REGISTRY/$service:$ALSO_TAG")
  tag_args=()
  for image in "${tags[@]}"; do tag_args+=(--tag "$image"); done
  echo "images: building ${tags[*]} with $ENGINE" >&2
  "${build[@]}" "${args[@]}" --build-arg SERVICE="$service" "${tag_args[@]}" --file Dockerfile . >&2
  if [ "$ENGINE" = podman ] && [ -n "${PUSH:-}" ]; then
    for image in "${tags[@]}"; do podman push "$image" >&2; done
  fi
  echo "${tags[0]}"
done
