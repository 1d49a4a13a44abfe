#!/usr/bin/env bash
# Creates the cluster's network namespace and its one link to the machine (idempotent).
# Everything the cluster writes to the network stack (IP forwarding, the CNI bridge,
# kube-proxy's rules) stays in the namespace; nothing is routed off the machine: the
# namespace has no default route, and the machine forwards nothing into it.
set -euo pipefail
# shellcheck source=scripts/cluster/lib.sh
source "$(dirname "$0")/lib.sh"

[ -e "/run/netns/$NETNS" ] || ip netns add "$NETNS"
if ! ip link show "$HOST_IF" >/dev/null 2>&1; then
  ip link add "$HOST_IF" type veth peer name "$NODE_IF" netns "$NETNS"
  ip addr add "$HOST_IP/30" dev "$HOST_IF"
  ip link set "$HOST_IF" up
fi

in_netns ip link set lo up
in_netns ip addr replace "$NODE_IP/30" dev "$NODE_IF"
in_netns ip link set "$NODE_IF" up

# The bridge the CNI plugin attaches pods to, made now so that the Service range can be
# routed to it before the first pod: a connection from the node itself to a ClusterIP
# (the API server reaching metrics-server) needs a route before kube-proxy rewrites it.
in_netns ip link show cni0 >/dev/null 2>&1 || in_netns ip link add cni0 type bridge
in_netns ip link set cni0 up
in_netns ip route replace "$SERVICE_CIDR" dev cni0

# Bridged pod-to-pod traffic must pass iptables, or a pod reaching a Service that
# kube-proxy sends back to the same bridge is never rewritten.
in_netns sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.ipv4.ip_forward=1
# kube-proxy marks and routes ClusterIP traffic from the node through localnet.
in_netns sysctl -qw net.ipv4.conf.all.route_localnet=1
