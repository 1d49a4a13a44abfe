#!/usr/bin/env bash
# Builds what make cluster runs from pinned Go modules (never a download of a binary):
#   kube   kube-apiserver, -controller-manager, -scheduler, kubelet, kube-proxy and
#          kubectl in one binary (kube/main.go), plus etcd, all from scripts/cluster/kube
#   CoreDNS, metrics-server and local-path-provisioner, the in-cluster add-ons, from
#   their own modules
#   skaffold and helm, the clients the e2e tests deploy with, from tools/ (`build.sh
#   tools` builds only these two, for a cluster that is not make cluster's; `build.sh
#   helm` only helm, for make chart)
# into .local/cluster/bin. Go's caches (go env GOCACHE GOMODCACHE) make a rebuild take
# seconds; a cold build takes about 15 minutes on 2 cores, the tools 10 more. Nothing
# built is committed.
set -euo pipefail
cd "$(dirname "$0")"
bin=$(realpath -m ../../.local/cluster/bin)
mkdir -p "$bin"

# kube/go.mod is the one place the Kubernetes version is written.
kube_version=$(cd kube && go list -m -f '{{.Version}}' k8s.io/kubernetes)
minor=${kube_version#v1.}
minor=${minor%%.*}
stamp=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  stamp+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  stamp+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

build() { # DIR OUTPUT PACKAGE [LDFLAGS] [TAGS]
  echo "cluster: building $2 (${1}/go.mod)"
  (cd "$1" && CGO_ENABLED=0 go build -trimpath -tags "${5:-}" -ldflags "-s -w ${4:-}" -o "$bin/$2" "$3")
}

# The clients, each at the version its go.mod pins, stamped as its own release does it.
helm() {
  local version
  version=$(cd tools/helm && go list -m -f '{{.Version}}' helm.sh/helm/v4)
  build tools/helm helm helm.sh/helm/v4/cmd/helm "-X helm.sh/helm/v4/internal/version.version=$version"
  "$bin/helm" version --short
}
tools() {
  local version
  version=$(cd tools/skaffold && go list -m -f '{{.Version}}' github.com/GoogleContainerTools/skaffold/v2)
  build tools/skaffold skaffold github.com/GoogleContainerTools/skaffold/v2/cmd/skaffold \
    "-X github.com/GoogleContainerTools/skaffold/v2/pkg/skaffold/version.version=$version" timetzdata
  "$bin/skaffold" version
  helm
}
case "${1:-}" in
  tools | helm) "$1" && exit ;;
esac

build kube kube . "$stamp"
for name in kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  ln -sf kube "$bin/$name"
done
build kube etcd go.etcd.io/etcd/server/v3
# The add-ons run in the cluster as images (images.sh packs them); their modules are
# separate so that their dependencies never move Kubernetes' own.
build addons/coredns coredns github.com/coredns/coredns
build addons/metrics-server metrics-server sigs.k8s.io/metrics-server/cmd/metrics-server
build addons/local-path-provisioner local-path-provisioner github.com/rancher/local-path-provisioner
"$bin/kubectl" version --client | sed -n 1p
tools
