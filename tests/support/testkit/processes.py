"""Real server processes for suite tests and benchmarks: start a service the way
production does (gunicorn with the shared config, or a worker command), wait until
``/readyz`` answers, stop it with a signal, and read its JSON log lines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from snipdev import ROOT
from snipdev.embedded import free_port

GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:snipkit.gunicorn_conf"]


def wait_until(predicate, timeout: float = 20, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy (returned), or fail after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"{what}: not reached within {timeout} s (last: {value!r})")
        time.sleep(0.05)


class ServiceProcess:
    """One service process on a loopback port, its output captured to a file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], port: int | None = None):
        self.name = name
        self.argv = argv
        self.port = port or free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix=f"snip-{name}-")
        self.log_path = Path(self._tmp.name) / "output.log"
        self.metrics_dir = Path(self._tmp.name) / "metrics"
        self.metrics_dir.mkdir()
        self.env = {
            **os.environ,
            "SERVICE_NAME": name,
            "PORT": str(self.port),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            **env,
        }
        self.process: subprocess.Popen | None = None

    @classmethod
    def gunicorn(cls, name: str, app: str, env: dict[str, str], port: int | None = None) -> ServiceProcess:
        """A service run as ``gunicorn -c python:snipkit.gunicorn_conf <app>``."""
        return cls(name, [*GUNICORN, app], env, port)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, wait: bool = True, timeout: float = 20) -> ServiceProcess:
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 20) -> float:
        """Block until ``/readyz`` answers 200; returns the seconds it took."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.output()[-3000:]}")
            try:
                if requests.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return time.monotonic() - started
            except requests.RequestException:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready within {timeout} s:\n{self.output()[-3000:]}")

    def send(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        """Send ``sig`` and wait for the exit status (None if it was not running)."""
        if self.process is None:
            return None
        self.send(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
            raise

    def kill(self) -> None:
        """SIGKILL the whole process group: a crash, not a shutdown."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_entries(self) -> list[dict]:
        """Every output line parsed as JSON; a line that is not JSON raises ValueError."""
        entries = []
        for line in self.output().splitlines():
            if line.strip():
                try:
                    entries.append(json.loads(line))
                except ValueError:
                    raise ValueError(f"{self.name} printed a line that is not JSON: {line!r}") from None
        return entries

    def worker_pids(self) -> list[int]:
        """The pids of the gunicorn workers this process booted, from its own log."""
        marker = "Booting worker with pid: "
        return [int(e["message"].split(marker)[1]) for e in self.log_entries() if marker in e["message"]]

    def close(self) -> None:
        try:
            self.kill()
        finally:
            self._tmp.cleanup()
