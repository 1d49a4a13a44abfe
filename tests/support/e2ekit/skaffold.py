"""Skaffold on the e2e cluster: the real binary driven as a user drives it (``Skaffold``,
with a Docker API to build with), and what skaffold.yaml asks it to run around a deploy,
run the way Skaffold runs it (for the modules that deploy without Skaffold)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from repocopy import copy_of_the_repository

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


def run_verify(kube: Kube, namespace: str, timeout_s: float = 300) -> str:
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


#: What scripts/cluster/build.sh builds (tools/skaffold/go.mod pins the version).
BUILT = ROOT / ".local" / "cluster" / "bin" / "skaffold"


def binary() -> str | None:
    """The skaffold to run: make cluster's build, else one on PATH (the kind job's)."""
    return str(BUILT) if BUILT.exists() else shutil.which("skaffold")


def workspace(where: Path) -> Path:
    """A copy of the repository's files (as they are, edits included) in a git repository
    of its own, for Skaffold to build and watch: a test edits the copy, never the clone,
    and Skaffold's gitCommit tags still name a commit."""
    shutil.rmtree(where, ignore_errors=True)
    where.mkdir(parents=True)
    return copy_of_the_repository(where)


@dataclass
class DockerAPI:
    """The Docker API Skaffold's docker builder talks to: the engine's when one answers
    (kind's machines), else podman's, served by scripts/cluster/docker-api.sh on a socket
    of the run's own, with this machine's base image and CA bundle (its ``env``)."""

    env: dict[str, str]
    process: subprocess.Popen | None = None

    @classmethod
    def start(cls, socket: Path) -> DockerAPI:
        if subprocess.run(["docker", "info"], capture_output=True).returncode == 0:
            return cls({})
        base = subprocess.run(
            [str(ROOT / ".ci" / "base-image.sh")], capture_output=True, text=True, check=True, timeout=1200
        ).stdout.strip()
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "cluster" / "docker-api.sh"), str(socket)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        env = {"DOCKER_HOST": f"unix://{socket}", "DOCKER_BUILDKIT": "0", "BASE_IMAGE": base, "PIP_CERT": PIP_CERT}
        deadline = time.monotonic() + 30
        while subprocess.run(["docker", "info"], env={**os.environ, **env}, capture_output=True).returncode != 0:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"podman's Docker API did not answer on {socket}")
            time.sleep(0.5)
        return cls(env, process)

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)


#: Where docker-api.sh mounts the CA bundle in every build step.
PIP_CERT = "/run/pip-ca.crt"


@dataclass
class Skaffold:
    """skaffold, run in ``workspace`` against the e2e cluster, as a user runs it."""

    kube: Kube
    workspace: Path
    env: dict[str, str]

    def environ(self, **extra: str) -> dict[str, str]:
        kubectl_dir = str(Path(self.kube.kubectl).parent) if os.sep in self.kube.kubectl else ""
        return {
            **os.environ,
            **self.env,
            **extra,
            "KUBECONFIG": str(self.kube.kubeconfig),
            # Skaffold's deploy hooks and its deployer call kubectl; the cluster's own first.
            "PATH": os.pathsep.join(p for p in (kubectl_dir, os.environ["PATH"]) if p),
            # No prompts, no update check, no metrics sent anywhere.
            "SKAFFOLD_UPDATE_CHECK": "false",
            "SKAFFOLD_INTERACTIVE": "false",
            "SKAFFOLD_COLLECT_METRICS": "false",
        }

    def run(self, *args: str, timeout: float = 1800, **extra: str) -> str:
        """Run ``skaffold ARGS``; its output (stdout and stderr), or fail with its end."""
        done = subprocess.run(
            [binary(), *args],
            cwd=self.workspace,
            env=self.environ(**extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise AssertionError(f"skaffold {' '.join(args)} exited {done.returncode}:\n{done.stdout[-4000:]}")
        return done.stdout

    def start(self, *args: str, log: Path, **extra: str) -> subprocess.Popen:
        """Start ``skaffold ARGS`` in the background (``skaffold dev``), its output in ``log``."""
        with log.open("w") as out:
            return subprocess.Popen(
                [binary(), *args],
                cwd=self.workspace,
                env=self.environ(**extra),
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own process group: Ctrl-C reaches skaffold alone, as in a terminal.
                start_new_session=True,
            )
