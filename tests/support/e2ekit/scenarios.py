"""The workshop scenarios (scripts/scenarios/), run as a user runs them, against the
cluster the e2e tests use, with their narration timed."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from .kube import ROOT, Kube

SCENARIOS = ROOT / "scripts" / "scenarios"


class Run:
    """What a scenario printed, each line with the time it was printed."""

    def __init__(self, lines: list[tuple[float, str]]):
        self.lines = lines

    def step(self, number: int) -> float:
        """When the script began its step NUMBER (its "== N." narration line)."""
        return next(t for t, line in self.lines if line.startswith(f"== {number}."))

    def during(self, at: float) -> str:
        """The last line the script printed before ``at``."""
        before = [line for t, line in self.lines if t <= at]
        return before[-1] if before else "(before the script's first line)"

    @property
    def text(self) -> str:
        return "\n".join(line for _, line in self.lines)


def run(kube: Kube, script: str, namespace: str, *args: str, timeout_s: float = 900) -> Run:
    kubectl_dir = str(Path(kube.kubectl).parent) if os.sep in kube.kubectl else ""
    env = {
        **os.environ,
        "KUBECONFIG": str(kube.kubeconfig),
        "PATH": os.pathsep.join(p for p in (kubectl_dir, os.environ["PATH"]) if p),
    }
    command = [str(SCENARIOS / script), "--namespace", namespace, *args]
    lines, deadline = [], time.monotonic() + timeout_s
    with subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        for line in process.stdout:
            lines.append((time.time(), line.rstrip("\n")))
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError(f"{script} ran past {timeout_s:.0f} s:\n{Run(lines[-30:]).text}")
    if process.returncode != 0:
        raise AssertionError(f"{script} exited {process.returncode}:\n{Run(lines[-30:]).text}")
    return Run(lines)
