"""Cross-references between objects that the API server accepts but that break at run
time: selectors that match nothing, ports nobody listens on, URLs to Services that do
not exist, ConfigMaps and Secrets nobody created."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from .render import behind, containers, image_name, name_of, workloads

#: Default ports of the URL schemes the suite uses, for URLs that name none.
SCHEME_PORTS = {"http": 80, "https": 443, "redis": 6379, "postgresql": 5432, "postgres": 5432}
#: URL settings meant for people's browsers, not for the pod to connect to.
PUBLIC_URLS = {"PUBLIC_BASE_URL"}


def _key(obj: dict, name: str | None = None) -> tuple[str | None, str]:
    return obj["metadata"].get("namespace"), name or obj["metadata"]["name"]


def _container_ports(pod: dict) -> list[dict]:
    return [p for c in containers(pod) for p in c.get("ports", [])]


def services(objects: list[dict]) -> list[str]:
    """Every Service selects pods, and every targetPort is a port those pods declare."""
    problems = []
    for svc in (o for o in objects if o["kind"] == "Service"):
        pods = [pod for _obj, pod in behind(objects, svc)]
        if not pods:
            problems.append(f"{name_of(svc)}: selector {svc['spec'].get('selector')} matches no pod template")
            continue
        for port in svc["spec"]["ports"]:
            target = port.get("targetPort", port["port"])
            field = "name" if isinstance(target, str) else "containerPort"
            for pod in pods:
                if not any(p.get(field) == target for p in _container_ports(pod)):
                    problems.append(f"{name_of(svc)}: targetPort {target} is not a declared container port")
    return problems


def ingresses(objects: list[dict]) -> list[str]:
    """Every Ingress backend is an existing Service and one of its ports."""
    svcs = {_key(o): o for o in objects if o["kind"] == "Service"}
    problems = []
    for ing in (o for o in objects if o["kind"] == "Ingress"):
        for rule in ing["spec"].get("rules", []):
            for path in rule.get("http", {}).get("paths", []):
                backend = path["backend"]["service"]
                svc = svcs.get(_key(ing, backend["name"]))
                if svc is None:
                    problems.append(f"{name_of(ing)}: {path['path']} goes to missing Service {backend['name']}")
                    continue
                port = backend["port"]
                if not any(
                    p.get("name") == port.get("name") or p["port"] == port.get("number") for p in svc["spec"]["ports"]
                ):
                    problems.append(
                        f"{name_of(ing)}: {path['path']} goes to {backend['name']} port {port}, not a Service port"
                    )
    return problems


def _decoded(obj: dict) -> dict[str, str]:
    data = {k: base64.b64decode(v).decode() for k, v in obj.get("data", {}).items()}
    return {**data, **obj.get("stringData", {})}


def _env_values(objects: list[dict], namespace: str | None, pod: dict, container: dict) -> dict[str, str]:
    """What the container's settings will be, as far as the overlay knows them: env vars,
    and ``NAME_FILE`` resolved to the ConfigMap or Secret key mounted at that path."""
    store = {(o["kind"], *_key(o)): o for o in objects if o["kind"] in ("ConfigMap", "Secret")}

    def lookup(kind: str, name: str) -> dict[str, str]:
        obj = store.get((kind, namespace, name))
        if obj is None:
            return {}
        return _decoded(obj) if kind == "Secret" else obj.get("data", {})

    values: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            values.update(lookup("ConfigMap", source["configMapRef"]["name"]))
        if "secretRef" in source:
            values.update(lookup("Secret", source["secretRef"]["name"]))
    for env in container.get("env", []):
        ref = env.get("valueFrom", {})
        if "value" in env:
            values[env["name"]] = env["value"]
        elif "configMapKeyRef" in ref:
            values[env["name"]] = lookup("ConfigMap", ref["configMapKeyRef"]["name"]).get(ref["configMapKeyRef"]["key"])
        elif "secretKeyRef" in ref:
            values[env["name"]] = lookup("Secret", ref["secretKeyRef"]["name"]).get(ref["secretKeyRef"]["key"])
    for name, path in list(values.items()):
        if name.endswith("_FILE"):
            values[name.removesuffix("_FILE")] = _mounted_value(pod, container, path, lookup)
    return {k: v for k, v in values.items() if v is not None}


def _mounted_value(pod: dict, container: dict, path: str, lookup) -> str | None:
    """The ConfigMap or Secret value a container reads at ``path``, if the overlay has it."""
    volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        volume = volumes.get(mount["name"], {})
        if not path.startswith(mount["mountPath"].rstrip("/") + "/"):
            continue
        relative = path[len(mount["mountPath"].rstrip("/")) + 1 :]
        for kind, source, name_field in (("Secret", "secret", "secretName"), ("ConfigMap", "configMap", "name")):
            if source in volume:
                items = volume[source].get("items")
                key = next((i["key"] for i in items if i["path"] == relative), None) if items else relative
                return lookup(kind, volume[source][name_field]).get(key) if key else None
    return None


def _service_port(svc: dict, port: int) -> bool:
    return any(p["port"] == port for p in svc["spec"]["ports"])


@dataclass(frozen=True)
class Connection:
    """A connection a container's settings make: to ``host``:``port`` (a Service name in
    ``namespace``, or the pod's loopback when ``namespace`` is None)."""

    workload: dict
    pod: dict
    container: str
    setting: str
    host: str
    namespace: str | None
    port: int


def connections(objects: list[dict]) -> Iterator[Connection]:
    """Every in-cluster connection named by a *_URL setting (env var or NAME_FILE)."""
    cluster_namespaces = {o["metadata"]["name"] for o in objects if o["kind"] == "Namespace"} | {"svc"}
    for obj, pod in workloads(objects):
        namespace = obj["metadata"].get("namespace")
        for c in containers(pod):
            for name, value in _env_values(objects, namespace, pod, c).items():
                if not name.endswith("_URL") or name in PUBLIC_URLS or "://" not in value:
                    continue
                parts = urlsplit(value)
                if parts.scheme not in SCHEME_PORTS or not parts.hostname:
                    continue
                port = parts.port or SCHEME_PORTS[parts.scheme]
                if parts.hostname in ("127.0.0.1", "localhost"):
                    yield Connection(obj, pod, c["name"], name, parts.hostname, None, port)
                    continue
                host = parts.hostname.split(".")
                if len(host) > 1 and host[1] not in cluster_namespaces:
                    continue  # outside the cluster
                yield Connection(obj, pod, c["name"], name, host[0], host[1] if len(host) > 1 else namespace, port)


def urls(objects: list[dict]) -> list[str]:
    """Every *_URL setting reaches a Service of the overlay on one of its ports, or, for
    the pod's own loopback, a port another container of the same pod declares."""
    svcs = {_key(o): o for o in objects if o["kind"] == "Service"}
    problems = []
    for conn in connections(objects):
        where = f"{name_of(conn.workload)} container {conn.container}: {conn.setting}"
        if conn.namespace is None:
            if not any(p["containerPort"] == conn.port for p in _container_ports(conn.pod)):
                problems.append(f"{where} points at localhost:{conn.port}, which no container of the pod declares")
            continue
        svc = svcs.get((conn.namespace, conn.host))
        if svc is None:
            problems.append(f"{where} names host {conn.host}, which is no Service of the overlay")
        elif not _service_port(svc, conn.port):
            problems.append(f"{where} uses port {conn.port}, which Service {conn.host} does not expose")
    return problems


def references(objects: list[dict], external: set[str] = frozenset()) -> list[str]:
    """Every ConfigMap and Secret a pod uses exists in the overlay (with the key asked
    for), or is one of the ``external`` Secrets created in the cluster by hand; every
    ``NAME_FILE`` setting names a file on a mounted volume."""
    store = {(o["kind"], *_key(o)): o for o in objects if o["kind"] in ("ConfigMap", "Secret")}
    problems = []

    def check(where: str, namespace: str | None, kind: str, name: str, key: str | None = None) -> None:
        obj = store.get((kind, namespace, name))
        if obj is None:
            if not (kind == "Secret" and name in external):
                problems.append(f"{where}: {kind} {name} does not exist in the overlay")
        elif key is not None and key not in {**obj.get("data", {}), **obj.get("stringData", {})}:
            problems.append(f"{where}: {kind} {name} has no key {key}")

    for obj, pod in workloads(objects):
        ns = obj["metadata"].get("namespace")
        for volume in pod["spec"].get("volumes", []):
            where = f"{name_of(obj)} volume {volume['name']}"
            if "configMap" in volume:
                for item in volume["configMap"].get("items", [{"key": None}]):
                    check(where, ns, "ConfigMap", volume["configMap"]["name"], item["key"])
            if "secret" in volume:
                for item in volume["secret"].get("items", [{"key": None}]):
                    check(where, ns, "Secret", volume["secret"]["secretName"], item["key"])
        for c in containers(pod):
            where = f"{name_of(obj)} container {c['name']}"
            for source in c.get("envFrom", []):
                if "configMapRef" in source:
                    check(where, ns, "ConfigMap", source["configMapRef"]["name"])
                if "secretRef" in source:
                    check(where, ns, "Secret", source["secretRef"]["name"])
            mounts = [m["mountPath"].rstrip("/") + "/" for m in c.get("volumeMounts", [])]
            for env in c.get("env", []):
                ref = env.get("valueFrom", {})
                if env["name"].endswith("_FILE") and not env.get("value", "").startswith(tuple(mounts)):
                    problems.append(f"{where}: {env['name']} names {env.get('value')}, which is on no mounted volume")
                if "configMapKeyRef" in ref:
                    check(where, ns, "ConfigMap", ref["configMapKeyRef"]["name"], ref["configMapKeyRef"]["key"])
                if "secretKeyRef" in ref:
                    check(where, ns, "Secret", ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"])
    return problems


def bound_ports(objects: list[dict], default_port: int) -> list[str]:
    """The suite's servers bind PORT (``default_port`` when unset) through the shared
    gunicorn config; that port must be the container port named http."""
    from .policy import servers

    problems = []
    for obj, _pod, c in servers(objects):
        where = f"{name_of(obj)} container {c['name']}"
        command = c.get("command", [])
        binds = [arg for arg in command if arg.startswith(("-b", "--bind"))]
        if command[:1] == ["gunicorn"] and ("python:snipkit.gunicorn_conf" not in command or binds):
            problems.append(f"{where}: gunicorn does not run with -c python:snipkit.gunicorn_conf alone")
        env = {e["name"]: e.get("value") for e in c.get("env", [])}
        port = int(env.get("PORT") or default_port)
        http = [p["containerPort"] for p in c.get("ports", []) if p.get("name") == "http"]
        if http != [port]:
            problems.append(f"{where}: binds port {port} but its container port named http is {http}")
    return problems


def image_versions(objects: list[dict]) -> list[str]:
    """Each image runs at one version across the overlay: an admin process (a migration,
    a purge, the backup) runs exactly the code, or the pg_dump, of what it administers."""
    used: dict[str, dict[str, list[str]]] = {}
    for obj, pod in workloads(objects):
        for c in containers(pod):
            used.setdefault(image_name(c["image"]), {}).setdefault(c["image"], []).append(
                f"{name_of(obj)} container {c['name']}"
            )
    problems = []
    for name, versions in sorted(used.items()):
        if len(versions) > 1:
            where = "; ".join(f"{image} in {', '.join(places)}" for image, places in sorted(versions.items()))
            problems.append(f"image {name} runs at {len(versions)} versions: {where}")
    return problems
