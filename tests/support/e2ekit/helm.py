"""Helm as docs/kubernetes.md has users run it, and the chart `make chart` generates."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .kube import ROOT

#: What scripts/cluster/build.sh builds (tools/helm/go.mod pins the version).
BUILT = ROOT / ".local" / "cluster" / "bin" / "helm"


def binary() -> str | None:
    """The helm to run: make cluster's build, else one on PATH (the kind job's)."""
    return str(BUILT) if BUILT.exists() else shutil.which("helm")


def pinned_render(where: Path, digests: dict[str, str], overlay: str = "prod") -> Path:
    """The overlay with each image pinned by digest, as scripts/release-manifests.sh
    writes it once the digests are read from the registry; the render's path."""
    where.mkdir(parents=True, exist_ok=True)
    images = [{"name": name, "newName": f"registry.example/snip/{name}", "digest": d} for name, d in digests.items()]
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [os.path.relpath(ROOT / "kustomize" / "overlays" / overlay, where)],
        "images": images,
    }
    (where / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    render = where / "render.yaml"
    render.write_text(
        subprocess.run(["kubectl", "kustomize", str(where)], capture_output=True, text=True, check=True).stdout
    )
    return render


def generate(render: Path, version: str, chart: Path) -> Path:
    """make chart's generator (snipdev.kube.chart) on ``render``; the chart's folder."""
    subprocess.run([sys.executable, "-m", "snipdev.kube.chart", str(render), version, str(chart)], check=True, cwd=ROOT)
    return chart


def run(*args: str, timeout: float = 900, env: dict[str, str] | None = None) -> str:
    """``helm ARGS``: its standard output, or fail with its error output."""
    done = subprocess.run([binary(), *args], capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout
