"""The suite's own rules for every rendered overlay, which no tool knows: probe paths,
scratch space, graceful shutdown, scraping, Job and CronJob hygiene, namespaces,
committed Secrets, availability. (Pod Security settings, resources, image tags and
service account tokens are checkov's: kube/checkov.py.)

Each rule returns its findings as (object, field): the object as checkov names it
(``Deployment.snip-prod.links``), and the field at fault, as the API server names one.
"""

from __future__ import annotations

from ..services import services
from .checkov import resource_id
from .render import containers, image_name, matches, workloads

#: The suite's own images, one per service of services/ (manifests name them bare;
#: Skaffold and `images:` set the rest).
APP_IMAGES = set(services())
#: gunicorn's GRACEFUL_TIMEOUT when the environment does not set it (snipkit.gunicorn_conf).
GRACEFUL_TIMEOUT_DEFAULT = 20
#: The value of ``app.kubernetes.io/component`` on every admin process's pods (docs/admin.md).
ADMIN_COMPONENT = "admin"
#: Namespaces that may run privileged pods, and why.
PRIVILEGED_NAMESPACES = {"snip-logging": "the log agent reads the node's files (components/logging)"}
#: What each probe of a server must GET: a liveness probe that checked the backing
#: services would restart every pod when one of them is down.
PROBE_PATHS = {"startupProbe": "/livez", "livenessProbe": "/livez", "readinessProbe": "/readyz"}

Finding = tuple[str, str]


def _env(container: dict, name: str) -> str | None:
    return next((e.get("value") for e in container.get("env", []) if e["name"] == name), None)


def _volume_at(pod: dict, container: dict, path: str) -> str | None:
    """The kind of volume mounted at ``path`` ("emptyDir", "secret", ...), if any."""
    volumes = {v["name"]: v for v in pod["spec"].get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        if mount["mountPath"] == path and mount["name"] in volumes:
            return next(k for k in volumes[mount["name"]] if k != "name")
    return None


def app_containers(objects: list[dict]):
    """(object, pod, container) for every container running one of the suite's processes.

    Init containers are left out: one may use an app image for a step that runs to
    completion (dev-reload copies the code with it), and serves, probes and scrapes nothing.
    """
    for obj, pod in workloads(objects):
        for c in pod["spec"]["containers"]:
            if image_name(c["image"]) in APP_IMAGES:
                yield obj, pod, c


def is_admin(obj: dict, pod: dict) -> bool:
    """An admin process (docs/admin.md): a Job, a CronJob, or a pod labelled
    ``app.kubernetes.io/component: admin`` (the toolbox). It runs commands, serves nothing."""
    component = pod["metadata"].get("labels", {}).get("app.kubernetes.io/component")
    return obj["kind"] in ("Job", "CronJob") or component == ADMIN_COMPONENT


def servers(objects: list[dict]):
    """(object, pod, container) for every container of the suite's images that serves:
    those of the pods that are no admin process."""
    for obj, pod, c in app_containers(objects):
        if not is_admin(obj, pod):
            yield obj, pod, c


def requests(objects: list[dict]) -> list[Finding]:
    """CPU and memory requests on every container. checkov asks for limits, and for
    requests only when a container has no resources at all; with a limit and no request
    the API server copies the limit, so the pod reserves all of it and fewer fit a node."""
    return [
        (resource_id(obj), f"containers[{c['name']}].resources.requests.{resource}")
        for obj, pod in workloads(objects)
        for c in containers(pod)
        for resource in ("cpu", "memory")
        if resource not in c.get("resources", {}).get("requests", {})
    ]


def app_runtime(objects: list[dict]) -> list[Finding]:
    """Scratch space on the read-only root, probe paths, a metrics directory, scraping,
    spreading and graceful shutdown for the suite's own pods."""
    found = []
    for obj, pod, c in app_containers(objects):
        if _volume_at(pod, c, "/tmp") != "emptyDir":  # noqa: S108 - the mount point checked, not a file made
            found.append((resource_id(obj), f"containers[{c['name']}].volumeMounts[/tmp]"))
    for obj, pod, c in servers(objects):
        where, prefix = resource_id(obj), f"containers[{c['name']}]"
        metrics_dir = _env(c, "PROMETHEUS_MULTIPROC_DIR")
        if not metrics_dir or _volume_at(pod, c, metrics_dir) != "emptyDir":
            found.append((where, f"{prefix}.volumeMounts[{metrics_dir}]"))
        found += [
            (where, f"{prefix}.{probe}.httpGet.path")
            for probe, path in PROBE_PATHS.items()
            if c.get(probe, {}).get("httpGet", {}).get("path") != path
        ]
        annotations = pod["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/scrape") != "true" or not annotations.get("prometheus.io/port"):
            found.append((where, "spec.template.metadata.annotations[prometheus.io/scrape]"))
        if obj["kind"] == "Deployment" and not pod["spec"].get("topologySpreadConstraints"):
            found.append((where, "spec.template.spec.topologySpreadConstraints"))
        if c.get("command", [None])[0] == "gunicorn":
            found += _graceful_shutdown(obj, pod, c)
    return found


def _graceful_shutdown(obj: dict, pod: dict, c: dict) -> list[Finding]:
    """A gunicorn pod must leave rotation (preStop pause), then get the time to drain:
    the kubelet kills it terminationGracePeriodSeconds after the pause begins."""
    command = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    if len(command) != 2 or command[0] != "sleep" or not command[1].isdigit():
        return [(resource_id(obj), f"containers[{c['name']}].lifecycle.preStop")]
    graceful = int(_env(c, "GRACEFUL_TIMEOUT") or GRACEFUL_TIMEOUT_DEFAULT)
    if pod["spec"].get("terminationGracePeriodSeconds", 30) <= int(command[1]) + graceful:
        return [(resource_id(obj), "spec.template.spec.terminationGracePeriodSeconds")]
    return []


def admin_jobs(objects: list[dict]) -> list[Finding]:
    """Jobs end, are retried a bounded number of times, and go away; CronJobs never
    overlap, skip runs missed by long, and keep a short history. A Job's pod completes
    only when all its regular containers exit, so a sidecar must be a native one."""
    found = []
    for obj, pod in workloads(objects):
        if obj["kind"] not in ("Job", "CronJob"):
            continue
        where = resource_id(obj)
        at = "spec" if obj["kind"] == "Job" else "spec.jobTemplate.spec"
        job = obj["spec"] if obj["kind"] == "Job" else obj["spec"]["jobTemplate"]["spec"]
        required = ["backoffLimit", "activeDeadlineSeconds"]
        if obj["kind"] == "Job":  # a CronJob's history limits remove its Jobs
            required.append("ttlSecondsAfterFinished")
        found += [(where, f"{at}.{field}") for field in required if field not in job]
        if obj["kind"] == "CronJob":
            spec = obj["spec"]
            if spec.get("concurrencyPolicy") != "Forbid":
                found.append((where, "spec.concurrencyPolicy"))
            for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
                if field not in spec:
                    found.append((where, f"spec.{field}"))
        if len(pod["spec"]["containers"]) > 1:
            found.append((where, f"{at}.template.spec.containers"))
    return found


def namespaces(objects: list[dict], namespace: str) -> list[Finding]:
    """Everything in ``namespace``, which the overlay creates, enforcing "restricted"
    (the API server's Pod Security admission then refuses any pod that is not)."""
    declared = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Namespace"}
    found = [] if namespace in declared else [(f"Namespace.{namespace}", "metadata.name")]
    for name, ns in declared.items():
        expected = "privileged" if name in PRIVILEGED_NAMESPACES else "restricted"
        if ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce") != expected:
            found.append((resource_id(ns), "metadata.labels[pod-security.kubernetes.io/enforce]"))
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
    for obj in objects:
        ns = obj["metadata"].get("namespace")
        if obj["kind"] not in cluster_scoped and ns != namespace and ns not in PRIVILEGED_NAMESPACES:
            found.append((resource_id(obj), "metadata.namespace"))
    return found


def no_committed_secrets(objects: list[dict]) -> list[Finding]:
    """Outside dev, Secrets are created in the cluster by hand, never rendered from git."""
    return [(resource_id(o), "kind") for o in objects if o["kind"] == "Secret"]


def availability(objects: list[dict], autoscaled: set[str]) -> list[Finding]:
    """Autoscalers where due, owning the replica count; a PodDisruptionBudget for every
    Deployment run more than once."""
    hpas = {o["spec"]["scaleTargetRef"]["name"]: o for o in objects if o["kind"] == "HorizontalPodAutoscaler"}
    pdbs = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    found = []
    for obj in objects:
        if obj["kind"] != "Deployment":
            continue
        name, spec, where = obj["metadata"]["name"], obj["spec"], resource_id(obj)
        hpa = hpas.get(name)
        if name in autoscaled and not hpa:
            found.append((where, "HorizontalPodAutoscaler"))
        if hpa and "replicas" in spec:
            found.append((where, "spec.replicas"))
        most = hpa["spec"]["maxReplicas"] if hpa else spec.get("replicas", 1)
        labels = spec["template"]["metadata"].get("labels", {})
        if most > 1 and not any(matches(p["spec"]["selector"], labels) for p in pdbs):
            found.append((where, "PodDisruptionBudget"))
    return found
