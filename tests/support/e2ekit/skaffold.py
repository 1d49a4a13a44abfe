"""What skaffold.yaml asks Skaffold to run around a deploy, run the way Skaffold runs it."""

from __future__ import annotations

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
