#!/usr/bin/env bash
# Renders every overlay into build/k8s/<overlay>.yaml: what `kubectl apply -k` would send,
# to read, diff between commits, or hand to a scanner. Needs only kubectl (offline).
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p build/k8s
for overlay in kustomize/overlays/*/; do
  name=$(basename "$overlay")
  kubectl kustomize "$overlay" > "build/k8s/$name.yaml"
  echo "render: build/k8s/$name.yaml"
done
