"""Render the overlays and components with ``kubectl kustomize`` (offline, no cluster)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import yaml

from snipdev import ROOT

BASE = ROOT / "k8s"
#: Every overlay deploys the admin processes beside the base, so components may patch them.
ADMIN = ROOT / "admin-jobs"
OVERLAYS = ROOT / "kustomize" / "overlays"
COMPONENTS = ROOT / "kustomize" / "components"


class RenderError(Exception):
    """kubectl kustomize refused a kustomization; the message is its error output."""


def overlays() -> list[str]:
    return sorted(p.parent.name for p in OVERLAYS.glob("*/kustomization.yaml"))


def components() -> list[str]:
    return sorted(p.parent.name for p in COMPONENTS.glob("*/kustomization.yaml"))


def render(directory: Path) -> list[dict]:
    """The objects ``kubectl kustomize directory`` produces."""
    done = subprocess.run(["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory}: {done.stderr.strip()}")
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def render_component(name: str, workdir: Path) -> list[dict]:
    """The base and the admin processes (what every overlay deploys) with one component
    on top: how a component is checked on its own."""
    workdir.mkdir(parents=True, exist_ok=True)
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(BASE, workdir), os.path.relpath(ADMIN, workdir)],
        "components": [os.path.relpath(COMPONENTS / name, workdir)],
    }
    (workdir / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    return render(workdir)


def dump(objects: list[dict]) -> str:
    return yaml.safe_dump_all(objects, sort_keys=False)


def workloads(objects: list[dict]) -> Iterator[tuple[dict, dict]]:
    """(object, pod template) for everything that runs pods."""
    for obj in objects:
        kind, spec = obj["kind"], obj.get("spec", {})
        if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
            yield obj, spec["template"]
        elif kind == "CronJob":
            yield obj, spec["jobTemplate"]["spec"]["template"]


def containers(pod: dict) -> list[dict]:
    """Every container of a pod template, init containers (and native sidecars) included."""
    spec = pod.get("spec", {})
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def name_of(obj: dict) -> str:
    return f"{obj['kind']}/{obj['metadata']['name']}"


def image_name(image: str) -> str:
    """``registry/links:v1`` -> ``links``: the bare name the manifests use."""
    last = image.split("@")[0].rsplit("/", 1)[-1]
    return last.split(":")[0]


def find(objects: list[dict], kind: str, name: str) -> dict:
    """The one object of ``kind`` named ``name``."""
    return next(o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name)


def container(obj: dict, name: str) -> dict:
    """The container (or init container) ``name`` of a workload."""
    pod = next(pod for o, pod in workloads([obj]))
    return next(c for c in containers(pod) if c["name"] == name)


def matches(selector: dict, labels: dict) -> bool:
    """Kubernetes label selector semantics (matchLabels, matchExpressions); an empty
    selector matches everything."""
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expr in selector.get("matchExpressions", []):
        present, value = expr["key"] in labels, labels.get(expr["key"])
        ok = {
            "In": present and value in expr.get("values", []),
            "NotIn": not present or value not in expr.get("values", []),
            "Exists": present,
            "DoesNotExist": not present,
        }[expr["operator"]]
        if not ok:
            return False
    return True


def behind(objects: list[dict], service: dict) -> list[tuple[dict, dict]]:
    """(workload, pod template) of every pod a Service sends traffic to; a Service with
    no selector sends to none of them."""
    selector = service["spec"].get("selector") or {}
    namespace = service["metadata"].get("namespace")
    return [
        (obj, pod)
        for obj, pod in workloads(objects)
        if selector
        and obj["metadata"].get("namespace") == namespace
        and matches({"matchLabels": selector}, pod["metadata"].get("labels", {}))
    ]
