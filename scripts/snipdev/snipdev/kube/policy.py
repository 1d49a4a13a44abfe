"""Rules every rendered overlay must follow: Pod Security "restricted", probes, graceful
shutdown, resources, pinned images, namespaces, availability."""

from __future__ import annotations

from ..services import services
from .render import containers, image_name, matches, name_of, workloads

#: The suite's own images, one per service of services/ (manifests name them bare;
#: Skaffold and `images:` set the rest).
APP_IMAGES = set(services())
#: gunicorn's GRACEFUL_TIMEOUT when the environment does not set it (snipkit.gunicorn_conf).
GRACEFUL_TIMEOUT_DEFAULT = 20
#: The value of ``app.kubernetes.io/component`` on every admin process's pods (docs/admin.md).
ADMIN_COMPONENT = "admin"
#: Namespaces that may run privileged pods, and why.
PRIVILEGED_NAMESPACES = {"snip-logging": "the log agent reads the node's files (components/logging)"}


def _env(container: dict, name: str) -> str | None:
    return next((e.get("value") for e in container.get("env", []) if e["name"] == name), None)


def _effective(pod_sc: dict, sc: dict, key: str):
    return sc.get(key, pod_sc.get(key))


def pod_security(objects: list[dict]) -> list[str]:
    """Pod Security Standards "restricted", plus a read-only root filesystem, in every
    overlay: dev's file sync writes to a volume (components/dev-reload), not the image."""
    problems = []
    for obj, pod in workloads(objects):
        if obj["metadata"].get("namespace") in PRIVILEGED_NAMESPACES:
            continue
        spec = pod["spec"]
        pod_sc = spec.get("securityContext", {})
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            if spec.get(flag):
                problems.append(f"{name_of(obj)}: {flag} is set")
        problems += [
            f"{name_of(obj)}: volume {v['name']} is a hostPath" for v in spec.get("volumes", []) if "hostPath" in v
        ]
        for c in containers(pod):
            where = f"{name_of(obj)} container {c['name']}"
            sc = c.get("securityContext", {})
            if _effective(pod_sc, sc, "runAsNonRoot") is not True:
                problems.append(f"{where}: runAsNonRoot is not true")
            user = _effective(pod_sc, sc, "runAsUser")
            if not isinstance(user, int) or user == 0:
                problems.append(f"{where}: runAsUser is not a numeric non-root user")
            if (_effective(pod_sc, sc, "seccompProfile") or {}).get("type") not in ("RuntimeDefault", "Localhost"):
                problems.append(f"{where}: seccompProfile is not RuntimeDefault")
            if sc.get("allowPrivilegeEscalation") is not False:
                problems.append(f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("privileged"):
                problems.append(f"{where}: privileged")
            if "ALL" not in sc.get("capabilities", {}).get("drop", []):
                problems.append(f"{where}: capabilities do not drop ALL")
            if sc.get("capabilities", {}).get("add"):
                problems.append(f"{where}: adds capabilities")
            if sc.get("readOnlyRootFilesystem") is not True:
                problems.append(f"{where}: readOnlyRootFilesystem is not true")
    return problems


def resources(objects: list[dict]) -> list[str]:
    """CPU and memory requests and limits on every container."""
    problems = []
    for obj, pod in workloads(objects):
        for c in containers(pod):
            res = c.get("resources", {})
            for part in ("requests", "limits"):
                missing = {"cpu", "memory"} - set(res.get(part, {}))
                if missing:
                    problems.append(f"{name_of(obj)} container {c['name']}: no {part} for {', '.join(sorted(missing))}")
    return problems


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


def app_runtime(objects: list[dict]) -> list[str]:
    """Probes, writable scratch space, graceful shutdown and scraping for the suite's own pods."""
    problems = []
    for obj, pod, c in app_containers(objects):
        if _volume_at(pod, c, "/tmp") != "emptyDir":  # noqa: S108 - the mount point checked, not a file made
            problems.append(f"{name_of(obj)} container {c['name']}: no emptyDir mounted at /tmp")
    for obj, pod, c in servers(objects):
        where = f"{name_of(obj)} container {c['name']}"
        metrics_dir = _env(c, "PROMETHEUS_MULTIPROC_DIR")
        if not metrics_dir:
            problems.append(f"{where}: PROMETHEUS_MULTIPROC_DIR is not set")
        elif _volume_at(pod, c, metrics_dir) != "emptyDir":
            problems.append(f"{where}: no emptyDir mounted at {metrics_dir}")
        expected = {"startupProbe": "/livez", "livenessProbe": "/livez", "readinessProbe": "/readyz"}
        for probe, path in expected.items():
            got = c.get(probe, {}).get("httpGet", {}).get("path")
            if got != path:
                problems.append(f"{where}: {probe} does not GET {path} (got {got})")
        annotations = pod["metadata"].get("annotations", {})
        if annotations.get("prometheus.io/scrape") != "true" or not annotations.get("prometheus.io/port"):
            problems.append(f"{name_of(obj)}: pod template lacks prometheus.io scrape annotations")
        if obj["kind"] == "Deployment" and not pod["spec"].get("topologySpreadConstraints"):
            problems.append(f"{name_of(obj)}: no topologySpreadConstraints")
        if c.get("command", [None])[0] == "gunicorn":
            problems += _graceful_shutdown(obj, pod, c, where)
    return problems


def _graceful_shutdown(obj: dict, pod: dict, c: dict, where: str) -> list[str]:
    """A gunicorn pod must leave rotation (preStop pause) and then get time to drain."""
    command = c.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    if len(command) != 2 or command[0] != "sleep" or not command[1].isdigit():
        return [f"{where}: no preStop pause (exec sleep N)"]
    graceful = int(_env(c, "GRACEFUL_TIMEOUT") or GRACEFUL_TIMEOUT_DEFAULT)
    grace = pod["spec"].get("terminationGracePeriodSeconds", 30)
    if grace <= int(command[1]) + graceful:
        return [
            f"{name_of(obj)}: terminationGracePeriodSeconds {grace} is not longer than the preStop pause "
            f"({command[1]} s) plus GRACEFUL_TIMEOUT ({graceful} s)"
        ]
    return []


def admin_jobs(objects: list[dict]) -> list[str]:
    """Jobs end, are retried a bounded number of times, and go away; CronJobs never
    overlap, skip runs missed by long, and keep a short history. A Job's pod completes
    only when all its regular containers exit, so a sidecar must be a native one."""
    problems = []
    for obj, pod in workloads(objects):
        if obj["kind"] not in ("Job", "CronJob"):
            continue
        job = obj["spec"] if obj["kind"] == "Job" else obj["spec"]["jobTemplate"]["spec"]
        required = ["backoffLimit", "activeDeadlineSeconds"]
        if obj["kind"] == "Job":  # a CronJob's history limits remove its Jobs
            required.append("ttlSecondsAfterFinished")
        problems += [f"{name_of(obj)}: no {field}" for field in required if field not in job]
        if obj["kind"] == "CronJob":
            spec = obj["spec"]
            if spec.get("concurrencyPolicy") != "Forbid":
                problems.append(f"{name_of(obj)}: concurrencyPolicy is not Forbid")
            for field in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
                if field not in spec:
                    problems.append(f"{name_of(obj)}: no {field}")
        regular = [c["name"] for c in pod["spec"]["containers"]]
        if len(regular) > 1:
            problems.append(
                f"{name_of(obj)}: runs containers {', '.join(regular)}; the Job never completes while one keeps "
                "running: make the sidecar a native one (an init container with restartPolicy: Always)"
            )
    return problems


def service_accounts(objects: list[dict]) -> list[str]:
    """No Kubernetes API token in pods that never call the API."""
    problems = [
        f"{name_of(o)}: automountServiceAccountToken is not false"
        for o in objects
        if o["kind"] == "ServiceAccount"
        and o.get("automountServiceAccountToken") is not False
        and o["metadata"].get("namespace") not in PRIVILEGED_NAMESPACES
    ]
    for obj, pod, _container in app_containers(objects):
        if pod["spec"].get("automountServiceAccountToken") is not False:
            problems.append(f"{name_of(obj)}: pod automountServiceAccountToken is not false")
    return problems


def pinned_images(objects: list[dict]) -> list[str]:
    """Every image names an explicit version: a tag other than latest, or a digest."""
    problems = []
    for obj, pod in workloads(objects):
        for c in containers(pod):
            image = c["image"]
            if "@sha256:" in image:
                continue
            last = image.rsplit("/", 1)[-1]
            if ":" not in last:
                problems.append(f"{name_of(obj)} container {c['name']}: image {image} has no tag")
            elif last.endswith(":latest"):
                problems.append(f"{name_of(obj)} container {c['name']}: image {image} is :latest")
    return problems


def namespaces(objects: list[dict], namespace: str) -> list[str]:
    """Everything in ``namespace``, which is created here and enforces "restricted"."""
    problems = []
    declared = {o["metadata"]["name"]: o for o in objects if o["kind"] == "Namespace"}
    for name, ns in declared.items():
        enforce = ns["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce")
        expected = "privileged" if name in PRIVILEGED_NAMESPACES else "restricted"
        if enforce != expected:
            problems.append(f"Namespace/{name}: pod-security.kubernetes.io/enforce is {enforce}, not {expected}")
    if namespace not in declared:
        problems.append(f"Namespace/{namespace} is not part of the overlay")
    cluster_scoped = {"Namespace", "ClusterRole", "ClusterRoleBinding"}
    for obj in objects:
        ns = obj["metadata"].get("namespace")
        if obj["kind"] not in cluster_scoped and ns != namespace and ns not in PRIVILEGED_NAMESPACES:
            problems.append(f"{name_of(obj)}: in namespace {ns}, not {namespace}")
    return problems


def no_committed_secrets(objects: list[dict]) -> list[str]:
    """Outside dev, Secrets are created in the cluster by hand, never rendered from git."""
    return [f"{name_of(o)}: a Secret with committed values" for o in objects if o["kind"] == "Secret"]


def availability(objects: list[dict], autoscaled: set[str]) -> list[str]:
    """Autoscalers where due; a PodDisruptionBudget for every Deployment run more than once."""
    problems = []
    hpas = {o["spec"]["scaleTargetRef"]["name"]: o for o in objects if o["kind"] == "HorizontalPodAutoscaler"}
    pdbs = [o for o in objects if o["kind"] == "PodDisruptionBudget"]
    for name in sorted(autoscaled - set(hpas)):
        problems.append(f"Deployment/{name}: no HorizontalPodAutoscaler")
    for obj in objects:
        if obj["kind"] != "Deployment":
            continue
        name, spec = obj["metadata"]["name"], obj["spec"]
        hpa = hpas.get(name)
        if hpa and "replicas" in spec:
            problems.append(f"Deployment/{name}: sets replicas although an autoscaler owns the count")
        most = hpa["spec"]["maxReplicas"] if hpa else spec.get("replicas", 1)
        labels = spec["template"]["metadata"].get("labels", {})
        if most > 1 and not any(matches(p["spec"]["selector"], labels) for p in pdbs):
            problems.append(f"Deployment/{name}: runs up to {most} replicas but no PodDisruptionBudget selects it")
    return problems
