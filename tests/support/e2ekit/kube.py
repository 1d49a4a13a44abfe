"""kubectl, as the e2e tests use it: one cluster, one kubeconfig, answers as JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[3]
#: What make cluster writes (scripts/cluster/lib.sh), and the kubectl it builds to match.
MAKE_CLUSTER_KUBECONFIG = Path(os.environ.get("CLUSTER_DIR", "/var/lib/snip-cluster")) / "kubeconfig"
MAKE_CLUSTER_KUBECTL = ROOT / ".local" / "cluster" / "bin" / "kubectl"


class KubectlError(Exception):
    """kubectl exited non-zero; the message is its command line and error output."""

    def __init__(self, args: list[str], stderr: str, stdout: str = ""):
        # The API server repeats a whole object in some errors: its start and end say enough.
        lines = [line if len(line) < 600 else f"{line[:300]} ... {line[-200:]}" for line in stderr.strip().splitlines()]
        super().__init__(f"kubectl {' '.join(args)}: " + "\n".join(lines))
        # What the command printed before it failed (the suite's CLIs log on stdout).
        self.stderr, self.stdout = stderr, stdout


def find_kubeconfig() -> Path | None:
    """KUBECONFIG if set (any cluster a user has), else make cluster's, else ~/.kube/config."""
    if os.environ.get("KUBECONFIG"):
        return Path(os.environ["KUBECONFIG"].split(os.pathsep)[0])
    for candidate in (MAKE_CLUSTER_KUBECONFIG, Path.home() / ".kube" / "config"):
        if candidate.is_file():
            return candidate
    return None


@dataclass
class Kube:
    kubeconfig: Path
    kubectl: str

    @classmethod
    def connect(cls) -> Kube | None:
        """The cluster to test, if its kubeconfig exists (it may still not answer)."""
        kubeconfig = find_kubeconfig()
        if kubeconfig is None:
            return None
        # make cluster builds a kubectl of its server's version; the machine's may be too old.
        kubectl = str(MAKE_CLUSTER_KUBECTL) if MAKE_CLUSTER_KUBECTL.exists() else shutil.which("kubectl") or "kubectl"
        return cls(kubeconfig, kubectl)

    def run(self, *args: str, input: str | None = None, timeout: float = 120, check: bool = True) -> str:
        command = [self.kubectl, "--kubeconfig", str(self.kubeconfig), *args]
        done = subprocess.run(command, input=input, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise KubectlError(list(args), done.stderr, done.stdout)
        return done.stdout

    def json(self, *args: str, timeout: float = 60) -> dict:
        return json.loads(self.run(*args, "-o", "json", timeout=timeout))

    def answers(self) -> str | None:
        """The server's version when it answers /readyz, else None."""
        try:
            self.run("get", "--raw", "/readyz", timeout=15)
            return self.json("version")["serverVersion"]["gitVersion"]
        except (KubectlError, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError):
            return None

    def apply(self, objects: list[dict], *extra: str) -> str:
        """Server-side apply, as the docs tell users to deploy."""
        return self.run(
            "apply",
            "--server-side",
            "--force-conflicts",
            "--field-manager=snip-e2e",
            "-f",
            "-",
            *extra,
            input=yaml.safe_dump_all(objects, sort_keys=False),
            timeout=180,
        )

    def get(self, kind: str, namespace: str, *names: str, selector: str | None = None) -> list[dict]:
        args = ["-n", namespace, "get", kind, *names]
        if selector:
            args += ["-l", selector]
        found = self.json(*args)
        return found.get("items", [found])

    def wait_for(self, what: str, check, timeout_s: float, interval_s: float = 2.0) -> str:
        """Poll ``check()``, which returns ``(done, detail)``, until it is done; return the
        detail, or fail naming ``what`` and the last detail (or error) seen."""
        deadline = time.monotonic() + timeout_s
        detail = "nothing seen yet"
        while True:
            try:
                done, detail = check()
            except KubectlError as exc:
                done, detail = False, str(exc)
            if done:
                return detail
            if time.monotonic() >= deadline:
                raise AssertionError(f"{what}: not within {timeout_s:.0f} s; last seen: {detail}")
            time.sleep(interval_s)
