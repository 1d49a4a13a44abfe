# Shared by the make cluster scripts: where things live and how the cluster is addressed.
# Sourced, not run.
# shellcheck shell=bash disable=SC2034  # the scripts that source this read these

CLUSTER_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$CLUSTER_SCRIPTS/../.." && pwd)
# Built binaries are a cache of the repository's clone; the running cluster's state is
# the machine's (one make cluster per machine: it owns the network namespace below).
CLUSTER_BIN=$REPO_ROOT/.local/cluster/bin
CLUSTER_DIR=${CLUSTER_DIR:-/var/lib/snip-cluster}
CLUSTER_LOGS=$CLUSTER_DIR/logs
CLUSTER_PIDS=$CLUSTER_DIR/pids
KUBECONFIG_FILE=$CLUSTER_DIR/kubeconfig

# The whole cluster runs in this network namespace, joined to the machine by one veth
# pair. 198.18.0.0/15 is reserved for network tests (RFC 2544), so it collides with no
# real network; the pod and Service ranges are kind's and exist only inside the namespace.
NETNS=snip-cluster
HOST_IF=snip-host
NODE_IF=snip-node
HOST_IP=198.18.0.1
NODE_IP=198.18.0.2
NODE_NAME=snip-node
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
API_PORT=6443
# Images are pushed to localhost:5001 and pods name them so, as with kind's local
# registry (docs/local-cluster.md); containerd reaches it on the host's end of the veth.
REGISTRY=localhost:5001
REGISTRY_PORT=5001

# Every pod's cgroups live under this parent in each hierarchy, so that make
# cluster-down can remove exactly what the kubelet made.
CGROUP_PARENT=snip-cluster

say() { echo "cluster: $*" >&2; }
die() { echo "cluster: $*" >&2; exit 1; }

# in_netns CMD...: run a command in the cluster's network namespace only (the mount
# namespace stays the machine's, so the kubelet's mounts are the ones containerd sees).
in_netns() { nsenter --net="/run/netns/$NETNS" -- "$@"; }

kubectl_() { "$CLUSTER_BIN/kubectl" --kubeconfig "$KUBECONFIG_FILE" "$@"; }

# wait_until SECONDS WHAT CMD...: retry CMD every half second until it succeeds.
wait_until() {
  local timeout=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || die "$what did not happen within ${timeout} s"
    sleep 0.5
  done
}

# start NAME CMD...: run CMD in the background in the namespace, detached from this
# shell, with its output in logs/NAME.log and its pid in pids/NAME.
start() {
  local name=$1
  shift
  mkdir -p "$CLUSTER_LOGS" "$CLUSTER_PIDS"
  setsid nsenter --net="/run/netns/$NETNS" -- "$@" >"$CLUSTER_LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$CLUSTER_PIDS/$name"
}

running() { [ -f "$CLUSTER_PIDS/$1" ] && kill -0 "$(cat "$CLUSTER_PIDS/$1")" 2>/dev/null; }
