"""Scripts run inside the cluster, as a client of the suite's Services would be.

The client is a pod of the suite's own image (it has Python; the scripts use only its
standard library), labelled ``app: smoke-test`` so the network policies let it reach the
HTTP services as they let Skaffold's smoke test, and shaped for the "restricted" Pod
Security profile every suite namespace enforces. Each script in incluster/ prints one
JSON object as its last line: its result.
"""

from __future__ import annotations

import json
from pathlib import Path

from .kube import Kube

SCRIPTS = Path(__file__).parent / "incluster"
CLIENT = "e2e-client"
#: The services the smoke path finds ready first (incluster/smoke.py).
SMOKE_SERVICES = ("web", "links", "redirect", "stats-api")


def client_pod(image: str) -> dict:
    restricted = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True, "capabilities": {"drop": ["ALL"]}}
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": CLIENT, "labels": {"app": "smoke-test"}},
        "spec": {
            "automountServiceAccountToken": False,
            # Deleted at the end of a test; nothing to drain.
            "terminationGracePeriodSeconds": 0,
            "securityContext": {"runAsNonRoot": True, "runAsUser": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [
                {
                    "name": "client",
                    "image": image,
                    "command": ["sleep", "infinity"],
                    "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"memory": "256Mi"}},
                    "securityContext": restricted,
                    # Scratch space for the scripts (the root filesystem is read-only).
                    "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],  # noqa: S108 - a mount point
                }
            ],
            "volumes": [{"name": "tmp", "emptyDir": {}}],
        },
    }


class Client:
    """The client pod in one namespace."""

    name = CLIENT

    def __init__(self, kube: Kube, namespace: str, image: str):
        self.kube, self.namespace = kube, namespace
        pod = client_pod(image)
        pod["metadata"]["namespace"] = namespace
        kube.apply([pod])
        kube.run("-n", namespace, "wait", "--for=condition=Ready", f"pod/{CLIENT}", "--timeout=300s", timeout=310)

    def run(self, script: str, *args: str, timeout: float = 300) -> dict:
        """Run incluster/<script>.py in the pod with ``args``; return its JSON result."""
        source = (SCRIPTS / f"{script}.py").read_text()
        out = self.kube.run(
            "-n", self.namespace, "exec", "-i", CLIENT, "--", "python", "-", *args, input=source, timeout=timeout
        )
        return json.loads(out.strip().splitlines()[-1])

    def click_path(self, clicks: int) -> dict:
        """The smoke path (incluster/smoke.py) with ``clicks`` redirects; returns what it
        saw, or raises AssertionError naming each step that failed: every service ready,
        each redirect to the link's URL, each one counted, the link on web's home page."""
        seen = self.run("smoke", str(clicks))
        problems = []
        if seen["ready"] != dict.fromkeys(SMOKE_SERVICES, 200):
            problems.append(f"not every service is ready: {seen['ready']}")
        if seen["redirects"] != clicks:
            problems.append(f"{seen['redirects']} of {clicks} redirects went to the link's URL")
        if seen["counted"] != clicks:
            problems.append(f"stats counted {seen['counted']} of {clicks} redirects")
        if not seen["listed_by_web"]:
            problems.append(f"web's home page does not list {seen['code']}")
        if problems:
            raise AssertionError("; ".join(problems))
        return seen

    def close(self) -> None:
        self.kube.run("-n", self.namespace, "delete", "pod", CLIENT, "--ignore-not-found", "--wait=false")
