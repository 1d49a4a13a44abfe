"""What skaffold.yaml asks Skaffold to run around a deploy, run the way Skaffold runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import yaml

from .kube import ROOT, Kube


def run_deploy_hooks(kube: Kube, namespace: str, when: str = "before") -> None:
    """Run the dev configuration's host deploy hooks against ``namespace`` (each hook's
    last argument names the namespace; the profiles patch it), with the environment
    Skaffold gives them (SKAFFOLD_KUBE_CONTEXT)."""
    config = yaml.safe_load((ROOT / "skaffold.yaml").read_text())
    context = kube.run("config", "current-context").strip()
    kubectl_dir = str(Path(kube.kubectl).parent) if os.sep in kube.kubectl else ""
    env = {
        **os.environ,
        "SKAFFOLD_KUBE_CONTEXT": context,
        "KUBECONFIG": str(kube.kubeconfig),
        "PATH": os.pathsep.join(p for p in (kubectl_dir, os.environ["PATH"]) if p),
    }
    for hook in config["deploy"]["kubectl"]["hooks"][when]:
        command = [*hook["host"]["command"][:-1], namespace]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
        if done.returncode != 0:
            raise AssertionError(f"deploy hook {command}: {done.stderr.strip()}")


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch, as Skaffold applies verify's overrides (lists are replaced)."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def verify_job(namespace: str) -> dict:
    """The Job `skaffold verify` creates for the dev configuration's test: Skaffold's own
    Job of its container, then the overrides, with the test run's namespace."""
    test = yaml.safe_load((ROOT / "skaffold.yaml").read_text())["verify"][0]
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": test["name"]},
        "spec": {"template": {"spec": {"containers": [test["container"]], "restartPolicy": "Never"}}},
    }
    job = merge_patch(job, json.loads(test["executionMode"]["kubernetesCluster"]["overrides"]))
    job["metadata"]["namespace"] = namespace
    return job


def run_verify(kube: Kube, namespace: str, timeout_s: float = 120) -> str:
    """Run the smoke test as `skaffold verify` does; return its log, or fail with it."""
    job = verify_job(namespace)
    name = job["metadata"]["name"]
    kube.run("-n", namespace, "delete", "job", name, "--ignore-not-found", "--wait=true")
    kube.apply([job])

    def finished() -> tuple[bool, str]:
        status = kube.get("jobs", namespace, name)[0].get("status", {})
        return bool(status.get("succeeded") or status.get("failed")), str(status)

    kube.wait_for("skaffold verify's smoke test", finished, timeout_s)
    log = kube.run("-n", namespace, "logs", f"job/{name}")
    if not kube.get("jobs", namespace, name)[0]["status"].get("succeeded"):
        raise AssertionError(f"skaffold verify's smoke test failed in {namespace}: {log}")
    return log
