"""A steady load from a client pod (incluster/load.py) while a scenario runs."""

from __future__ import annotations

import json
import subprocess
import uuid

from .incluster import SCRIPTS, Client


class Load:
    """``with Load(client, plan, rate) as load: ...``; ``load.result`` afterwards: every
    request counted, each failure with its time."""

    def __init__(self, client: Client, plan: dict, rate: float, token: str | None = None):
        self.client, self.plan, self.rate, self.token = client, plan, rate, token
        self.stop_file = f"/tmp/stop-{uuid.uuid4().hex}"  # noqa: S108 - the client pod's own emptyDir
        self.result: dict | None = None

    def __enter__(self) -> Load:
        kube, args = self.client.kube, [json.dumps(self.plan), str(self.rate), self.stop_file]
        command = [
            kube.kubectl,
            "--kubeconfig",
            str(kube.kubeconfig),
            "-n",
            self.client.namespace,
            "exec",
            "-i",
            self.client.name,
            "--",
            "python",
            "-",
            *args,
            *([self.token] if self.token else []),
        ]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.process.stdin.write((SCRIPTS / "load.py").read_text())
        self.process.stdin.close()
        self.process.stdin = None  # given whole: communicate() must not flush it again
        return self

    def __exit__(self, *exc_info) -> None:
        self.client.kube.run("-n", self.client.namespace, "exec", self.client.name, "--", "touch", self.stop_file)
        out, err = self.process.communicate(timeout=120)
        if self.process.returncode != 0:
            raise AssertionError(f"the load client failed: {err.strip()}")
        self.result = json.loads(out.strip().splitlines()[-1])

    def failures_between(self, start: float, end: float) -> list[dict]:
        return [f for f in self.result["failures"] if start <= f["at"] <= end]
