"""An overlay as a user deploys it, in namespaces of the test run's own.

``render`` wraps an overlay in a kustomization that points its images at the registry
(what ``kustomize edit set image`` does), renders it, and renames each of its namespaces
(and cluster-wide objects) with the run's prefix, so runs never meet. ``progress`` says
what has not finished rolling out yet.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from .kube import ROOT, Kube, KubectlError

OVERLAYS = ROOT / "kustomize" / "overlays"
COMPONENTS = ROOT / "kustomize" / "components"
WORKDIR = ROOT / "build" / "e2e"
#: Every object the run creates carries this label, so cleaning up finds them all.
RUN_LABEL = "snip-e2e-run"
#: Kinds of the overlays' objects that live in no namespace.
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "StorageClass"}


@dataclass
class Deployed:
    """One overlay in the cluster: its objects as applied, and where they live."""

    overlay: str
    objects: list[dict]
    #: The overlay's namespace names -> the run's.
    namespaces: dict[str, str]

    @property
    def namespace(self) -> str:
        """The suite's own namespace (where its services run; prod has a second one, for logging)."""
        return self.named("Deployment", "links")["metadata"]["namespace"]

    def named(self, kind: str, name: str) -> dict:
        return next(o for o in self.objects if o["kind"] == kind and o["metadata"]["name"] == name)


def render(overlay: str, run: str, images: dict[str, str], components: tuple[str, ...] = ()) -> Deployed:
    """The overlay's objects, with ``images`` (bare name -> repository:tag), the run's
    namespaces, and ``components`` of kustomize/components added to the overlay."""
    workdir = WORKDIR / "-".join((run, overlay, *components))
    workdir.mkdir(parents=True, exist_ok=True)
    # Components go into (a copy of) the overlay itself, as a user adds one: a component's
    # own objects must be built with the overlay's generators for their references to the
    # generated names (a hash appended) to be rewritten.
    source = overlay_with(overlay, components, workdir / "overlay") if components else OVERLAYS / overlay
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(source, workdir)],
        "labels": [{"pairs": {RUN_LABEL: run}}],
        "images": [
            {"name": name, "newName": ref.rsplit(":", 1)[0], "newTag": ref.rsplit(":", 1)[1]}
            for name, ref in images.items()
        ],
    }
    (workdir / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    done = subprocess.run(["kubectl", "kustomize", str(workdir)], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"kubectl kustomize {overlay}: {done.stderr.strip()}")
    objects = [o for o in yaml.safe_load_all(done.stdout) if o]
    # An overlay with more than one namespace (prod) sets none for all: a component's
    # objects, which name none, go where the suite runs.
    suite = next(o for o in objects if o["kind"] == "Deployment" and o["metadata"]["name"] == "links")
    for o in objects:
        if o["kind"] not in CLUSTER_SCOPED and "namespace" not in o["metadata"]:
            o["metadata"]["namespace"] = suite["metadata"]["namespace"]
    namespaces = {o["metadata"]["name"]: f"{run}-{o['metadata']['name']}" for o in objects if o["kind"] == "Namespace"}
    # Whole words only: every reference to a namespace (namespace fields, DNS names,
    # namespace selectors, subjects) moves with its name, and nothing that merely contains it.
    text = yaml.safe_dump_all(objects, sort_keys=False)
    for old, new in namespaces.items():
        text = re.sub(rf"(?<![\w-]){re.escape(old)}(?![\w-])", new, text)
    objects = [o for o in yaml.safe_load_all(text) if o]
    roles = {o["metadata"]["name"] for o in objects if o["kind"] == "ClusterRole"}
    for o in objects:
        if o["kind"] in ("ClusterRole", "ClusterRoleBinding"):
            o["metadata"]["name"] = f"{run}-{o['metadata']['name']}"
        if o["kind"] == "ClusterRoleBinding" and o["roleRef"]["name"] in roles:
            o["roleRef"]["name"] = f"{run}-{o['roleRef']['name']}"
    return Deployed(overlay, objects, namespaces)


def overlay_with(overlay: str, components: tuple[str, ...], target: Path) -> Path:
    """A copy of ``overlay`` at ``target`` with ``components`` appended to its own: its
    files copied (kustomize loads files only from within a kustomization's folder), its
    references to folders outside it made relative to ``target``."""
    source = OVERLAYS / overlay
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target)
    spec = yaml.safe_load((source / "kustomization.yaml").read_text())

    def moved(path: str) -> str:
        return os.path.relpath(source / path, target) if path.startswith("..") else path

    for field in ("resources", "components"):
        spec[field] = [moved(p) for p in spec.get(field, [])]
    spec["components"] += [os.path.relpath(COMPONENTS / c, target) for c in components]
    (target / "kustomization.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return target


def millicores(value) -> int:
    value = str(value)
    return int(value[:-1]) if value.endswith("m") else int(float(value) * 1000)


def fit_cpu_requests(deployed: Deployed, budgetmillicores: int) -> float:
    """Scale every container's CPU request down by one factor, so that the pods the
    overlay starts (replicas, or an autoscaler's minimum) request at most the budget; limits,
    replicas and everything else stay. Returns the factor (1 when they fit already).

    For a cluster smaller than the overlay was sized for: prod asks for several cores of
    requests, which a one-node test cluster on a small machine cannot schedule."""
    minimum = {
        o["spec"]["scaleTargetRef"]["name"]: o["spec"]["minReplicas"]
        for o in deployed.objects
        if o["kind"] == "HorizontalPodAutoscaler"
    }
    requests, total = [], 0
    for o in deployed.objects:
        if o["kind"] not in ("Deployment", "StatefulSet", "DaemonSet"):
            continue
        replicas = minimum.get(o["metadata"]["name"], o["spec"].get("replicas", 1))
        spec = o["spec"]["template"]["spec"]
        for c in spec["containers"] + spec.get("initContainers", []):
            cpu = c.get("resources", {}).get("requests", {}).get("cpu")
            if cpu is not None:
                requests.append(c["resources"]["requests"])
                if c in spec["containers"] or c.get("restartPolicy") == "Always":
                    total += millicores(cpu) * replicas
    factor = min(1.0, budgetmillicores / total) if total else 1.0
    for r in requests:
        r["cpu"] = f"{max(5, int(millicores(r['cpu']) * factor))}m"
    return factor


def progress(kube: Kube, namespace: str, skip: set[str] = frozenset()) -> tuple[bool, str]:
    """(done, what is not): every Deployment and StatefulSet rolled out and available,
    every DaemonSet's pods ready (but those in ``skip``), every Job but a CronJob's run complete."""
    waiting = []
    for d in kube.get("deployments", namespace):
        want, status = d["spec"].get("replicas", 1), d.get("status", {})
        # replicas above want: the old ReplicaSet's pods still run, and they count as available.
        if (
            status.get("observedGeneration", 0) < d["metadata"]["generation"]
            or any(status.get(key, 0) < want for key in ("updatedReplicas", "availableReplicas"))
            or status.get("replicas", 0) > want
        ):
            waiting.append(f"deployment/{d['metadata']['name']} {status.get('availableReplicas', 0)}/{want}")
    for s in kube.get("statefulsets", namespace):
        want, status = s["spec"].get("replicas", 1), s.get("status", {})
        if status.get("readyReplicas", 0) < want or status.get("updateRevision") != status.get("currentRevision"):
            waiting.append(f"statefulset/{s['metadata']['name']} {status.get('readyReplicas', 0)}/{want}")
    for ds in kube.get("daemonsets", namespace):
        status = ds.get("status", {})
        if ds["metadata"]["name"] in skip:
            continue
        if status.get("numberReady", 0) < status.get("desiredNumberScheduled", 1):
            waiting.append(f"daemonset/{ds['metadata']['name']} not ready")
    for job in kube.get("jobs", namespace):
        if any(ref["kind"] == "CronJob" for ref in job["metadata"].get("ownerReferences", [])):
            continue
        conditions = {c["type"]: c for c in job.get("status", {}).get("conditions", []) if c["status"] == "True"}
        name = job["metadata"]["name"]
        if "Failed" in conditions:
            raise AssertionError(
                f"job/{name} failed: {conditions['Failed'].get('message')}; its last failed run said:\n"
                + FAILED_RUNS.get((namespace, name), "(nothing seen)")
            )
        if "Complete" not in conditions:
            remember_failed_runs(kube, namespace, name)
            waiting.append(f"job/{name} running")
    return not waiting, ", ".join(waiting) or "all rolled out"


#: (namespace, Job) -> the output of its last failed container, kept while the pod is
#: there: once the Job gives up, its pods are deleted, and with them what they said.
FAILED_RUNS: dict[tuple[str, str], str] = {}


def remember_failed_runs(kube: Kube, namespace: str, job: str) -> None:
    for pod in kube.get("pods", namespace, selector=f"job-name={job}"):
        for status in pod["status"].get("containerStatuses", []):
            if status.get("lastState", {}).get("terminated", {}).get("exitCode"):
                args = ("-n", namespace, "logs", pod["metadata"]["name"], "-c", status["name"], "--previous")
                try:
                    FAILED_RUNS[(namespace, job)] = kube.run(*args, "--tail=30")
                except KubectlError as error:
                    FAILED_RUNS[(namespace, job)] = str(error)


def delete(kube: Kube, run: str, deployed: Deployed) -> None:
    """Remove what ``deployed`` created: its namespaces (and everything in them, volumes
    included) and its cluster-wide objects."""
    for kind in ("clusterrolebinding", "clusterrole"):
        kube.run("delete", kind, "-l", f"{RUN_LABEL}={run}", "--ignore-not-found", timeout=60)
    for namespace in deployed.namespaces.values():
        kube.run("delete", "namespace", namespace, "--ignore-not-found", "--wait=true", timeout=300)
