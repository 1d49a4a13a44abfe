"""NetworkPolicies against the connections the suite needs: a connection the settings
make (see :func:`wiring.connections`) that a policy drops fails only in a running cluster,
as a timeout. The connections are read from an overlay whose Secrets are all rendered
(dev), then checked against the policies of another (staging, prod)."""

from __future__ import annotations

from dataclasses import dataclass

from .render import behind, containers, matches, workloads
from .wiring import connections

#: Where the suite's network-policies component expects these (its README says how to change them).
INGRESS_CONTROLLER_NAMESPACE = "ingress-nginx"
DNS = {"namespace": "kube-system", "labels": {"k8s-app": "kube-dns"}, "port": {"containerPort": 53, "protocol": "UDP"}}


@dataclass(frozen=True)
class Flow:
    """Pods labelled app=``source`` connect to Service ``service`` on ``port``."""

    source: str
    service: str
    port: int


def needed_flows(objects: list[dict]) -> set[Flow]:
    """The flows ``objects``' settings make between the suite's own pods."""
    return {
        Flow(conn.pod["metadata"]["labels"]["app"], conn.host, conn.port)
        for conn in connections(objects)
        if conn.namespace is not None
    }


def _port_allowed(rule: dict, port: dict) -> bool:
    ports = rule.get("ports")
    if not ports:
        return True
    return any(
        p.get("protocol", "TCP") == port.get("protocol", "TCP")
        and p.get("port") in (port.get("name"), port["containerPort"])
        for p in ports
    )


def _peer_allowed(peer: dict, policy_namespace: str, namespace: str, labels: dict) -> bool:
    if "namespaceSelector" in peer:
        ns_labels = {"kubernetes.io/metadata.name": namespace}
        if not matches(peer["namespaceSelector"], ns_labels):
            return False
    elif namespace != policy_namespace:
        return False
    return matches(peer.get("podSelector", {}), labels)


@dataclass(frozen=True)
class _Endpoint:
    """One side of a connection: a pod's namespace and labels."""

    namespace: str
    labels: dict


def _allowed(policies: list[dict], direction: str, me: _Endpoint, other: _Endpoint, port: dict) -> bool:
    """Whether the policies selecting ``me`` let ``direction`` traffic to/from ``other`` on ``port``."""
    field, peers = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    selecting = [
        p
        for p in policies
        if p["metadata"].get("namespace") == me.namespace
        and direction in p["spec"].get("policyTypes", ["Ingress"])
        and matches(p["spec"]["podSelector"], me.labels)
    ]
    if not selecting:
        return True  # no policy isolates this pod in this direction
    return any(
        _port_allowed(rule, port)
        and (
            not rule.get(peers)
            or any(_peer_allowed(peer, me.namespace, other.namespace, other.labels) for peer in rule[peers])
        )
        for policy in selecting
        for rule in policy["spec"].get(field, [])
    )


def dropped(objects: list[dict], flows: set[Flow]) -> list[str]:
    """The needed flows, DNS lookups and Ingress traffic the overlay's policies drop."""
    policies = [o for o in objects if o["kind"] == "NetworkPolicy"]
    pods = {pod["metadata"]["labels"].get("app"): (obj, pod) for obj, pod in workloads(objects)}
    services = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Service"}

    def endpoint(obj: dict, pod: dict) -> _Endpoint:
        return _Endpoint(obj["metadata"].get("namespace"), pod["metadata"].get("labels", {}))

    def targets(service: dict, port: int):
        """(app label, endpoint, container port) of each pod behind a Service port."""
        spec_port = next(p for p in service["spec"]["ports"] if p["port"] == port)
        target = spec_port.get("targetPort", port)
        for obj, pod in behind(objects, service):
            for c in containers(pod):
                for p in c.get("ports", []):
                    if target in (p.get("name"), p["containerPort"]):
                        yield pod["metadata"]["labels"].get("app"), endpoint(obj, pod), p

    problems = []
    for flow in sorted(flows, key=lambda f: (f.source, f.service)):
        if flow.source not in pods:
            continue  # a workload of another overlay (dev's seed Jobs): nothing here to drop
        source = endpoint(*pods[flow.source])
        for app, dest, port in targets(services[flow.service], flow.port):
            if not _allowed(policies, "Egress", source, dest, port):
                problems.append(f"{flow.source} -> {app}:{flow.port}: dropped by the egress policies of {flow.source}")
            if not _allowed(policies, "Ingress", dest, source, port):
                problems.append(f"{flow.source} -> {app}:{flow.port}: dropped by the ingress policies of {app}")
    dns = _Endpoint(DNS["namespace"], DNS["labels"])
    for app, (obj, pod) in sorted(pods.items()):
        if not _allowed(policies, "Egress", endpoint(obj, pod), dns, DNS["port"]):
            problems.append(f"{app} -> cluster DNS: dropped by the egress policies of {app}")
    controller = _Endpoint(INGRESS_CONTROLLER_NAMESPACE, {})
    for ing in (o for o in objects if o["kind"] == "Ingress"):
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"]["service"]
                service = services[backend["name"]]
                wanted = backend["port"]
                number = next(
                    p["port"]
                    for p in service["spec"]["ports"]
                    if p["port"] == wanted.get("number") or ("name" in p and p["name"] == wanted.get("name"))
                )
                for app, dest, port in targets(service, number):
                    if not _allowed(policies, "Ingress", dest, controller, port):
                        problems.append(
                            f"ingress controller -> {app} ({path['path']}): dropped by the ingress policies of {app}"
                        )
    return problems
