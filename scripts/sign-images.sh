#!/usr/bin/env bash
# Signs every service's image by digest with cosign, keyless: in a GitHub workflow with
# `id-token: write`, the signature names the workflow run that built the image (Sigstore's
# Fulcio certificate, logged in Rekor). The digest is what TAG names in REGISTRY: for a
# multi-platform image, its index, which also carries the SBOM and provenance
# attestations `make images` attached (docs/images.md, Verifying an image).
#
#   REGISTRY  where the images are, e.g. ghcr.io/you/snip (required)
#   TAG       the tag whose digest to sign, e.g. the commit or v1.2.3 (required)
set -euo pipefail
cd "$(dirname "$0")/.."
: "${REGISTRY:?REGISTRY is required}" "${TAG:?TAG is required}"

while read -r service; do
  digest=$(docker buildx imagetools inspect "$REGISTRY/$service:$TAG" --format '{{.Manifest.Digest}}')
  echo "sign-images: $REGISTRY/$service@$digest" >&2
  cosign sign --yes "$REGISTRY/$service@$digest"
done < <(scripts/services.sh)
