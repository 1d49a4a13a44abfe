#!/usr/bin/env bash
# make cluster: a single-node Kubernetes cluster on this Linux machine, with no Docker,
# from binaries built from the official Go modules (build.sh), in a network namespace
# of its own (network.sh). Modelled on Kubernetes' hack/local-up-cluster.sh: etcd, the
# API server, controller manager and scheduler, containerd with runc and the CNI bridge
# (Debian's), the kubelet and kube-proxy; then CoreDNS, metrics-server and a default
# StorageClass in the cluster, and an image registry on the machine. Safe to run again:
# what already runs is left running. Ends by printing the KUBECONFIG to use.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || die "make cluster needs root: it makes a network namespace and runs containerd and the kubelet"
started=$SECONDS
mkdir -p "$CLUSTER_LOGS" "$CLUSTER_PIDS"

"$CLUSTER_SCRIPTS/packages.sh"
"$CLUSTER_SCRIPTS/build.sh"
mkdir -p "$CLUSTER_DIR"
"$CLUSTER_SCRIPTS/network.sh"
"$CLUSTER_SCRIPTS/pki.sh"
pki=$CLUSTER_DIR/pki

# render TEMPLATE OUTPUT: a config file from scripts/cluster/config with this cluster's
# values (only the variables named here are replaced).
render() {
  mkdir -p "$(dirname "$2")"
  # shellcheck disable=SC2016  # envsubst's list of variables to replace, not an expansion
  CLUSTER_DIR=$CLUSTER_DIR NODE_IP=$NODE_IP NODE_NAME=$NODE_NAME POD_CIDR=$POD_CIDR \
    NODE_POD_CIDR=$NODE_POD_CIDR DNS_SERVICE_IP=$DNS_SERVICE_IP CGROUP_PARENT=$CGROUP_PARENT \
    REGISTRY_PORT=$REGISTRY_PORT envsubst \
    '${CLUSTER_DIR} ${NODE_IP} ${NODE_NAME} ${POD_CIDR} ${NODE_POD_CIDR} ${DNS_SERVICE_IP} ${CGROUP_PARENT} ${REGISTRY_PORT}' \
    <"$1" >"$2"
}
config=$CLUSTER_SCRIPTS/config
render "$config/containerd.toml" "$CLUSTER_DIR/containerd/config.toml"
render "$config/cni.conflist" "$CLUSTER_DIR/cni/10-snip.conflist"
render "$config/kubelet.yaml" "$CLUSTER_DIR/kubelet/config.yaml"
render "$config/kube-proxy.yaml" "$CLUSTER_DIR/kube-proxy.yaml"
render "$config/registry.yml" "$CLUSTER_DIR/registry.yml"
# Pods resolve only cluster names (CoreDNS); the node itself needs no resolver.
printf 'search cluster.local\noptions ndots:1\n' >"$CLUSTER_DIR/resolv.conf"

# The registry, on the machine's loopback (where podman and Skaffold push), and a relay
# on the machine's end of the veth, where containerd pulls from.
"$CLUSTER_SCRIPTS/registry.sh" config
if ! running registry; then
  say "starting the image registry on $REGISTRY"
  setsid docker-registry serve "$CLUSTER_DIR/registry.yml" >"$CLUSTER_LOGS/registry.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_PIDS/registry"
  setsid socat "TCP-LISTEN:$REGISTRY_PORT,bind=$HOST_IP,fork,reuseaddr" "TCP:127.0.0.1:$REGISTRY_PORT" \
    >"$CLUSTER_LOGS/registry-relay.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_PIDS/registry-relay"
fi

if ! running etcd; then
  say "starting etcd"
  # --unsafe-no-fsync: a throwaway test cluster's data need not survive a power cut,
  # and fsync on a shared VM's disk would dominate every write.
  start etcd "$CLUSTER_BIN/etcd" --name "$NODE_NAME" --data-dir "$CLUSTER_DIR/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --unsafe-no-fsync --log-level warn
fi

if ! running kube-apiserver; then
  say "starting kube-apiserver"
  start kube-apiserver "$CLUSTER_BIN/kube-apiserver" \
    --etcd-servers http://127.0.0.1:2379 \
    --bind-address 0.0.0.0 --advertise-address "$NODE_IP" --secure-port "$API_PORT" \
    --service-cluster-ip-range "$SERVICE_CIDR" --allow-privileged \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --client-ca-file "$pki/ca.crt" \
    --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$pki/ca.crt" --kubelet-preferred-address-types InternalIP \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/service-account.pub" \
    --service-account-signing-key-file "$pki/service-account.key" \
    --requestheader-client-ca-file "$pki/front-proxy-ca.crt" \
    --requestheader-allowed-names front-proxy-client \
    --requestheader-username-headers X-Remote-User --requestheader-group-headers X-Remote-Group \
    --requestheader-extra-headers-prefix X-Remote-Extra- \
    --proxy-client-cert-file "$pki/front-proxy-client.crt" --proxy-client-key-file "$pki/front-proxy-client.key" \
    --enable-aggregator-routing
fi
cp "$pki/admin.kubeconfig" "$KUBECONFIG_FILE"
wait_until 120 "the API server answering" kubectl_ get --raw /readyz
# The API server calls the kubelet (logs, exec, port-forward) as this certificate's user.
kubectl_ create clusterrolebinding kube-apiserver-kubelet-api --clusterrole system:kubelet-api-admin \
  --user kube-apiserver-kubelet-client --dry-run=client -o yaml | kubectl_ apply -f - >/dev/null

if ! running kube-controller-manager; then
  say "starting kube-controller-manager and kube-scheduler"
  start kube-controller-manager "$CLUSTER_BIN/kube-controller-manager" \
    --kubeconfig "$pki/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$pki/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$pki/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false --use-service-account-credentials \
    --service-cluster-ip-range "$SERVICE_CIDR" --cluster-cidr "$POD_CIDR" \
    --root-ca-file "$pki/ca.crt" --service-account-private-key-file "$pki/service-account.key" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --horizontal-pod-autoscaler-sync-period 5s
fi
if ! running kube-scheduler; then
  start kube-scheduler "$CLUSTER_BIN/kube-scheduler" --kubeconfig "$pki/scheduler.kubeconfig" \
    --authentication-kubeconfig "$pki/scheduler.kubeconfig" --authorization-kubeconfig "$pki/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --leader-elect=false
fi

if ! running containerd; then
  say "starting containerd"
  # After a reboot the socket file outlives the process: only an answer counts.
  rm -f "$CLUSTER_DIR/containerd/containerd.sock"
  start containerd containerd --config "$CLUSTER_DIR/containerd/config.toml"
fi
wait_until 60 "containerd answering" ctr --address "$CLUSTER_DIR/containerd/containerd.sock" version

# Every pod's cgroups go under one parent in each hierarchy (kubelet.yaml's cgroupRoot).
for hierarchy in /sys/fs/cgroup/*/; do
  [ -f "$hierarchy/cgroup.procs" ] && mkdir -p "$hierarchy$CGROUP_PARENT"
done
if ! running kubelet; then
  say "starting the kubelet"
  start kubelet "$CLUSTER_BIN/kubelet" --config "$CLUSTER_DIR/kubelet/config.yaml" \
    --kubeconfig "$pki/kubelet.kubeconfig" --root-dir "$CLUSTER_DIR/kubelet" \
    --hostname-override "$NODE_NAME" --node-ip "$NODE_IP"
fi
# The kubelet's own health, not the Node object, which a previous start left behind.
wait_until 120 "the kubelet answering" in_netns curl -sf http://127.0.0.1:10248/healthz
wait_until 120 "the node registering" kubectl_ get node "$NODE_NAME"

if ! running kube-proxy; then
  say "starting kube-proxy"
  start kube-proxy "$CLUSTER_BIN/kube-proxy" --config "$CLUSTER_DIR/kube-proxy.yaml"
fi

"$CLUSTER_SCRIPTS/images.sh"

say "applying the add-ons: CoreDNS, metrics-server, local-path-provisioner"
for addon in coredns metrics-server local-path-provisioner; do
  # shellcheck disable=SC2016  # envsubst's list of variables to replace
  CLUSTER_DIR=$CLUSTER_DIR envsubst '${CLUSTER_DIR}' <"$CLUSTER_SCRIPTS/addons/$addon/$addon.yaml" |
    kubectl_ apply --server-side -f - >/dev/null
done
kubectl_ wait --for condition=Ready "node/$NODE_NAME" --timeout 120s >/dev/null
kubectl_ -n kube-system wait --for condition=Available deployment/coredns deployment/metrics-server --timeout 180s >/dev/null
kubectl_ -n local-path-storage wait --for condition=Available deployment/local-path-provisioner --timeout 120s >/dev/null
kubectl_ wait --for condition=Available apiservice/v1beta1.metrics.k8s.io --timeout 120s >/dev/null

say "ready in $((SECONDS - started)) s: Kubernetes $("$CLUSTER_BIN/kubectl" version --client -o json | sed -n 's/.*"gitVersion": "\(.*\)".*/\1/p' | sed -n 1p), images at $REGISTRY"
echo "export KUBECONFIG=$KUBECONFIG_FILE PATH=$CLUSTER_BIN:\$PATH"
