"""The Secrets staging and prod expect to be made by hand, made by the very commands
docs/kubernetes.md gives users (so a test fails if those commands stop working)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from .kube import ROOT, Kube

DOC = ROOT / "docs" / "kubernetes.md"


def documented_commands() -> str:
    """The shell block of docs/kubernetes.md that creates the Secrets, without the lines
    that name the overlay's own namespace (the test gives its own)."""
    blocks = re.findall(r"```sh\n(.*?)```", DOC.read_text(), re.S)
    block = next(b for b in blocks if "create secret generic" in b)
    return "\n".join(line for line in block.splitlines() if not line.startswith("NS=") and "namespace.yaml" not in line)


def create_by_hand(kube: Kube, namespace: str) -> None:
    kubectl_dir = str(Path(kube.kubectl).parent) if os.sep in kube.kubectl else ""
    env = {
        **os.environ,
        "NS": namespace,
        "KUBECONFIG": str(kube.kubeconfig),
        "PATH": os.pathsep.join(p for p in (kubectl_dir, os.environ["PATH"]) if p),
    }
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", documented_commands()], env=env, capture_output=True, text=True, timeout=120
    )
    if done.returncode != 0:
        raise AssertionError(f"docs/kubernetes.md's Secret commands failed: {done.stderr.strip()}")
