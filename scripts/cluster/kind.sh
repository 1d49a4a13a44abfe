#!/usr/bin/env bash
# The kind set-up docs/local-cluster.md walks through, in one script (the kind job in
# .github/workflows/ci.yml runs it too, so the guide is exercised on every push):
#   - a local image registry on localhost:5001, as kind's documentation sets one up, that
#     the nodes pull from (the same name make cluster's registry has);
#   - a kind cluster named snip (KIND_CLUSTER) with ports 80 and 443 mapped to the host;
#   - ingress-nginx (the Ingress controller the overlays' Ingress is written for);
#   - metrics-server, which the HorizontalPodAutoscalers read (kind has none).
# Needs docker, kind and kubectl. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

cluster=${KIND_CLUSTER:-snip}
registry=kind-registry
port=5001
# Pinned, as every image the suite names: bump deliberately.
ingress_nginx=https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.12.1/deploy/static/provider/kind/deploy.yaml

if [ "$(docker inspect -f '{{.State.Running}}' "$registry" 2>/dev/null)" != true ]; then
  docker run -d --restart=always -p "127.0.0.1:$port:5000" --network bridge --name "$registry" registry:2
fi

if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --name "$cluster" --config=- <<'YAML'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
# Registries are configured per host name in /etc/containerd/certs.d (below).
containerdConfigPatches:
  - |-
    [plugins."io.containerd.grpc.v1.cri".registry]
      config_path = "/etc/containerd/certs.d"
nodes:
  - role: control-plane
    kubeadmConfigPatches:
      - |
        kind: InitConfiguration
        nodeRegistration:
          kubeletExtraArgs:
            node-labels: "ingress-ready=true"
    extraPortMappings:
      - {containerPort: 80, hostPort: 80, protocol: TCP}
      - {containerPort: 443, hostPort: 443, protocol: TCP}
YAML
fi

# Inside the nodes, localhost:5001 is the registry container, reached by name on kind's network.
for node in $(kind get nodes --name "$cluster"); do
  docker exec "$node" mkdir -p "/etc/containerd/certs.d/localhost:$port"
  printf '[host."http://%s:5000"]\n' "$registry" |
    docker exec -i "$node" cp /dev/stdin "/etc/containerd/certs.d/localhost:$port/hosts.toml"
done
if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$registry")" = null ]; then
  docker network connect kind "$registry"
fi
# Tells tools (Skaffold, Tilt) where the cluster's local registry is (KEP-1755).
kubectl apply -f - <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: local-registry-hosting
  namespace: kube-public
data:
  localRegistryHosting.v1: |
    host: "localhost:$port"
    help: "https://kind.sigs.k8s.io/docs/user/local-registry/"
YAML

kubectl apply -f "$ingress_nginx"
# make cluster's metrics-server, but for kind's kubelets, whose serving certificates no
# cluster CA signed: there it cannot check them.
sed 's|--kubelet-certificate-authority=/etc/cluster-ca/ca.crt|--kubelet-insecure-tls|' \
  addons/metrics-server/metrics-server.yaml | kubectl apply -f -

kubectl -n ingress-nginx wait --for=condition=Available deployment/ingress-nginx-controller --timeout=180s
kubectl -n kube-system wait --for=condition=Available deployment/metrics-server --timeout=180s
echo "kind: cluster $cluster is ready; images go to localhost:$port"
