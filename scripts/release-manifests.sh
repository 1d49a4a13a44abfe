#!/usr/bin/env bash
# Renders the production overlay with every image pinned by digest, for a release:
# build once, then deploy exactly those bytes everywhere. Needs the images pushed
# (make images PUSH=1), and Docker buildx or skopeo to read their digests from the
# registry (the digest of what the tag names: a multi-platform image's index).
#
#   VERSION   the release tag whose images to pin, e.g. v1.2.3 (required)
#   REGISTRY  where the images are, e.g. ghcr.io/you/snip (required)
#   OVERLAY   the overlay to render   default: kustomize/overlays/prod
# Writes build/release/snip-$VERSION.yaml and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."

: "${VERSION:?VERSION is required, e.g. v1.2.3}"
: "${REGISTRY:?REGISTRY is required, e.g. ghcr.io/you/snip}"
OVERLAY=${OVERLAY:-kustomize/overlays/prod}
[ -f "$OVERLAY/kustomization.yaml" ] || { echo "release-manifests: no $OVERLAY/kustomization.yaml" >&2; exit 2; }

digest() { # IMAGE
  if docker buildx version >/dev/null 2>&1; then
    docker buildx imagetools inspect "$1" --format '{{.Manifest.Digest}}'
  else
    # The manifest's bytes as the registry serves them: their hash is the digest.
    # skopeo reads podman's CONTAINERS_REGISTRIES_CONF (an HTTP registry) only as a flag.
    skopeo ${CONTAINERS_REGISTRIES_CONF:+--registries-conf "$CONTAINERS_REGISTRIES_CONF"} inspect --raw "docker://$1" |
      sha256sum | sed 's/^/sha256:/; s/ .*//'
  fi
}

# A kustomization of our own on top of the overlay: the overlay stays as it is in Git,
# with the bare image names (image: links) that this pins.
out=build/release
rm -rf "$out" && mkdir -p "$out"
{
  echo "apiVersion: kustomize.config.k8s.io/v1beta1"
  echo "kind: Kustomization"
  echo "resources: [../../$OVERLAY]"
  echo "images:"
  while read -r service; do
    digest=$(digest "$REGISTRY/$service:$VERSION")
    printf '  - name: %s\n    newName: %s\n    digest: %s\n' "$service" "$REGISTRY/$service" "$digest"
  done < <(scripts/services.sh)
} > "$out/kustomization.yaml"
kubectl kustomize "$out" > "$out/snip-$VERSION.yaml"
echo "$out/snip-$VERSION.yaml"
