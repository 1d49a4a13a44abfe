#!/usr/bin/env bash
# make cluster-down: stops every process make cluster started, removes the pods'
# containers, mounts and cgroups, the network namespace and the veth, and the cluster's
# state (etcd, certificates, volumes). Safe to run twice, and after a crash. What it
# keeps: the built binaries (.local/cluster/bin) and the images in podman's store and the
# registry's storage, so the next make cluster starts in about a minute.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || die "make cluster-down needs root"

# stop NAME...: SIGTERM, then SIGKILL whatever has not exited after 10 s.
stop() {
  local name pid pids=()
  for name in "$@"; do
    if running "$name"; then pids+=("$(cat "$CLUSTER_PIDS/$name")"); fi
  done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 20); do
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && continue 2; done
    return 0
  done
  kill -9 "${pids[@]}" 2>/dev/null || true
}

# The kubelet first, so that nothing restarts what containerd is about to stop.
stop kubelet kube-proxy kube-scheduler kube-controller-manager
# Every container's shim and process, then containerd: its runc shims outlive it.
if [ -d "$CLUSTER_DIR/containerd" ]; then
  pkill -f "containerd-shim-runc-v2 .*-address $CLUSTER_DIR/containerd/containerd.sock" 2>/dev/null || true
fi
stop containerd
for hierarchy in /sys/fs/cgroup/*/; do
  [ -d "$hierarchy$CGROUP_PARENT" ] || continue
  # Kill what is left in the pods' cgroups (a process whose shim died), deepest first.
  find "$hierarchy$CGROUP_PARENT" -name cgroup.procs -print0 | xargs -0 -r cat 2>/dev/null | xargs -r kill -9 2>/dev/null || true
  find "$hierarchy$CGROUP_PARENT" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
stop kube-apiserver etcd registry registry-relay

# The kubelet's and containerd's mounts (secrets, overlay roots, sandboxes' namespaces).
if [ -d "$CLUSTER_DIR" ]; then
  findmnt -rn -o TARGET | grep "^$CLUSTER_DIR/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
fi
# containerd's shims bind their network namespaces under /run/netns as cni-<id>.
for netns in /run/netns/cni-*; do
  [ -e "$netns" ] && ip netns delete "$(basename "$netns")" 2>/dev/null || true
done

ip link delete "$HOST_IF" 2>/dev/null || true
[ -e "/run/netns/$NETNS" ] && ip netns delete "$NETNS"

if [ -d "$CLUSTER_DIR" ]; then
  find "$CLUSTER_DIR" -mindepth 1 -maxdepth 1 ! -name registry -exec rm -rf {} +
fi
say "stopped; images stay in $CLUSTER_DIR/registry for the next make cluster"
