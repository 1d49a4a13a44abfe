"""``make image-test``: run every service image the way the manifests will, and check it.

scripts/image-test.sh builds the images with podman and passes their names here. Each
process type then runs as its Deployment runs it: read-only root filesystem, user 10001,
no capabilities, tmpfs only where the manifests mount emptyDirs, settings from the
environment and secrets from mounted files (``DATABASE_URL_FILE``). The checks:

- the image: runs as user 10001, exec-form command, OCI labels, no compiler inside;
- migrations by the image's own admin command (``links db upgrade``), as the Job runs it;
- each process: ``/livez``, ``/readyz`` and ``/metrics`` answer 200; start-up time to ready;
- a real request through the suite (snipdev.smoke): create a link, and with the redirect
  and stats images present, follow it and see the worker count the click;
- SIGTERM: exit status 0 within the graceful timeout; every log line is one JSON object.

PostgreSQL and Redis are the host's (TEST_DATABASE_URL / TEST_REDIS_URL, see
testkit.backing); the run gets its own database, roles and key prefix, dropped at the end.
Containers share the host's network, the one way they reach servers bound to its loopback,
so each listens on its own free port through ``PORT``, as it would on 8080 in a pod.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from snipdev import database, embedded, smoke
from snipdev.services import processes
from testkit import backing

PODMAN = os.environ.get("PODMAN", "podman")
GRACEFUL_TIMEOUT_S = 10
READY_TIMEOUT_S = 30
#: As the manifests run every container (securityContext and emptyDir volumes).
RUN_AS_IN_KUBERNETES = [
    "--network=host",
    "--read-only",
    "--read-only-tmpfs=false",  # podman's default adds tmpfs on /run and /tmp; a pod gets none
    "--user=10001",
    # podman adds that user to /etc/passwd; the kubelet does not, so neither do we here.
    "--passwd=false",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
    "--tmpfs=/tmp:rw,nosuid,nodev,size=64m,mode=1777",
    "--tmpfs=/var/run/metrics:rw,nosuid,nodev,size=16m,mode=1777",
]
SECRETS_DIR = "/var/run/secrets/snip"


def podman(*args: str, timeout: float = 120) -> str:
    result = subprocess.run([PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])}...: exit {result.returncode}: {result.stderr.strip()}")
    return result.stdout


@dataclass
class Process:
    """One process type of the Procfile running from its service's image: a gunicorn one
    with the image's default CMD, any other with its Procfile command."""

    name: str
    service: str
    image: str
    port: int
    command: list[str]
    container: str = ""
    ready_s: float = 0.0
    stopped_s: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Suite:
    """The images under test, one sandbox and the containers started from them."""

    def __init__(self, images: list[str], sandbox: backing.Sandbox, workdir: Path):
        self.images = {image.rsplit("/", 1)[-1].split(":")[0]: image for image in images}
        self.sandbox = sandbox
        self.workdir = workdir  # secret files to mount, one folder per container
        self.processes = [
            Process(p.name, service, image, embedded.free_port(), [] if p.gunicorn else p.argv)
            for service, image in self.images.items()
            for p in processes()
            if p.package == service
        ]
        self.containers: list[str] = []

    def url_of(self, process_name: str) -> str | None:
        return next((p.url for p in self.processes if p.name == process_name), None)

    def settings(self, service: str, name: str) -> tuple[dict[str, str], dict[str, str]]:
        """(environment, secrets) for one container, as its Deployment would get them."""
        env = {"GRACEFUL_TIMEOUT": str(GRACEFUL_TIMEOUT_S), "SERVICE_NAME": name}
        secret_values = {}
        if service in self.sandbox.urls:
            secret_values["DATABASE_URL"] = self.sandbox.urls[service]
        # Every service but web uses Redis, and web ignores what it does not read.
        env |= {"REDIS_URL": self.sandbox.redis_url, "REDIS_KEY_PREFIX": self.sandbox.key_prefix}
        if service == "links":
            env["PUBLIC_BASE_URL"] = self.url_of("redirect") or "https://snip.test"
        if service == "web":
            env |= {"LINKS_URL": self.url_of("links") or "", "STATS_URL": self.url_of("stats-api") or ""}
            secret_values["SECRET_KEY"] = secrets.token_urlsafe(32)
        return env, secret_values

    def run_args(self, container: str, service: str, name: str) -> list[str]:
        """podman run arguments: settings as environment, secrets as files named by NAME_FILE."""
        env, secret_values = self.settings(service, name)
        folder = self.workdir / container
        folder.mkdir(mode=0o755)
        args = [f"--name={container}", *RUN_AS_IN_KUBERNETES]
        for key, value in secret_values.items():
            path = folder / key.lower().replace("_", "-")
            path.write_text(value + "\n")
            path.chmod(0o644)  # a Secret volume's default mode; the container's user is not the owner
            args += [f"--volume={path}:{SECRETS_DIR}/{path.name}:ro", f"--env={key}_FILE={SECRETS_DIR}/{path.name}"]
        return args + [f"--env={key}={value}" for key, value in env.items()]

    def migrate(self, urls: dict[str, str]) -> None:
        """Each schema owner's ``<service> db upgrade`` from its image, as the migration Job runs it.

        ``urls`` are the sandbox's, which :meth:`settings` hands to every container.
        """
        for service in database.SCHEMA_OWNERS:
            if service in self.images:
                container = f"{self.sandbox.name}-{service}-migrate"
                self.containers.append(container)
                args = self.run_args(container, service, f"{service}-migrate")
                podman("run", *args, self.images[service], service, "db", "upgrade")

    def check_image(self, service: str) -> int:
        """Inspect one image's configuration and contents; return its size in bytes."""
        image = self.images[service]
        config = json.loads(podman("image", "inspect", image))[0]["Config"]
        assert config.get("User") == "10001", f"{image}: runs as {config.get('User')!r}, not 10001"
        # A shell-form CMD is stored as ["/bin/sh", "-c", ...]: the shell, not gunicorn, would get SIGTERM.
        assert config.get("Cmd", [""])[0] == "gunicorn", f"{image}: not an exec-form gunicorn CMD: {config.get('Cmd')}"
        env = dict(item.split("=", 1) for item in config.get("Env", []))
        for key in ("PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE"):
            assert env.get(key) == "1", f"{image}: {key} is not 1"
        assert config.get("Labels", {}).get("org.opencontainers.image.revision"), f"{image}: no revision label"
        found = podman(
            "run", "--rm", *RUN_AS_IN_KUBERNETES, image, "python3", "-c",
            "import shutil; print(' '.join(t for t in ('cc', 'gcc', 'g++', 'make') if shutil.which(t)))",
        ).strip()  # fmt: skip
        assert not found, f"{image}: the final image holds build tools: {found}"
        return int(podman("image", "inspect", "--format={{.Size}}", image))

    def start(self, process: Process) -> None:
        process.container = f"{self.sandbox.name}-{process.name}"
        self.containers.append(process.container)
        args = [*self.run_args(process.container, process.service, process.name), f"--env=PORT={process.port}"]
        started = time.monotonic()
        podman("run", "--detach", *args, process.image, *process.command)
        last = "no answer"
        while time.monotonic() - started < READY_TIMEOUT_S:
            try:
                response = requests.get(f"{process.url}/readyz", timeout=2)
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or a worker still importing the app
            else:
                if response.status_code == 200:
                    process.ready_s = time.monotonic() - started
                    return
                last = f"{response.status_code} {response.text[:300]}"
            state = podman("inspect", "--format={{.State.Status}}", process.container).strip()
            if state != "running":
                raise AssertionError(f"{process.name} {state} before it was ready:\n{self.logs(process.container, 20)}")
            time.sleep(0.05)
        logs = self.logs(process.container, 20)
        raise AssertionError(f"{process.name}: /readyz not 200 within {READY_TIMEOUT_S} s (last: {last}):\n{logs}")

    def check_endpoints(self, process: Process) -> None:
        for path in ("/livez", "/readyz", "/metrics"):
            response = requests.get(process.url + path, timeout=5)
            assert response.status_code == 200, f"{process.name} {path}: {response.status_code} {response.text[:200]}"

    def stop(self, process: Process) -> None:
        """SIGTERM, as the kubelet sends it; the process must exit 0 within the graceful timeout."""
        started = time.monotonic()
        podman("kill", "--signal=TERM", process.container)
        status = int(podman("wait", process.container, timeout=GRACEFUL_TIMEOUT_S + 10).strip())
        process.stopped_s = time.monotonic() - started
        logs = self.logs(process.container)
        assert status == 0, f"{process.name}: exit status {status} after SIGTERM:\n{logs}"
        assert process.stopped_s < GRACEFUL_TIMEOUT_S, f"{process.name}: took {process.stopped_s:.1f} s to stop"
        for line in filter(None, logs.splitlines()):
            try:
                assert isinstance(json.loads(line), dict)
            except (ValueError, AssertionError):
                raise AssertionError(f"{process.name}: a log line is not a JSON object: {line[:200]}") from None

    def logs(self, container: str, tail: int | None = None) -> str:
        args = [PODMAN, "logs", *([f"--tail={tail}"] if tail else []), container]
        result = subprocess.run(args, capture_output=True, text=True, check=False)
        return result.stdout + result.stderr

    def remove_containers(self) -> None:
        for container in self.containers:
            subprocess.run([PODMAN, "rm", "--force", container], capture_output=True, check=False)


def say(message: str) -> None:
    print(f"image-test: {message}", flush=True)


def main(images: list[str]) -> int:
    if not images:
        print("usage: python tests/images/imagetest.py IMAGE...", file=sys.stderr)
        return 2
    started = time.monotonic()
    passed: list[str] = []

    def check(message: str) -> None:
        passed.append(message)
        say(message)

    with backing.servers() as (admin_url, redis_url, source), tempfile.TemporaryDirectory() as tmp:
        sandbox = backing.Sandbox(admin_url, redis_url)
        suite = Suite(images, sandbox, Path(tmp))
        say(f"PostgreSQL and Redis from {source}; database {sandbox.name}")
        try:
            sizes = {}
            for service in suite.images:
                sizes[service] = suite.check_image(service)
                check(f"{service}: runs as 10001, exec-form CMD, labelled, no compiler; {sizes[service] / 1e6:.0f} MB")
            sandbox.create(migrate=suite.migrate)
            check("migrations applied by each schema owner's `db upgrade` in its own image")
            for process in suite.processes:
                suite.start(process)
                suite.check_endpoints(process)
                check(f"{process.name}: ready in {process.ready_s:.2f} s; /livez /readyz /metrics answer 200")
            if "links" in suite.images:
                for step in smoke.run(suite.url_of("links"), suite.url_of("redirect"), suite.url_of("stats-api")):
                    check(step)
            for process in suite.processes:
                suite.stop(process)
                check(f"{process.name}: SIGTERM -> exit 0 in {process.stopped_s:.2f} s; logs are JSON lines")
        except (AssertionError, requests.RequestException, subprocess.TimeoutExpired) as exc:
            print(f"image-test: FAILED: {exc}", file=sys.stderr)
            say(f"{len(passed)} passed, 1 failed")
            return 1
        finally:
            suite.remove_containers()
            sandbox.destroy()
    print(f"\n{'image':<40} {'size':>8}  process: ready after start / stopped after SIGTERM")
    for service, image in suite.images.items():
        timings = ", ".join(
            f"{p.name} {p.ready_s:.2f} s / {p.stopped_s:.2f} s" for p in suite.processes if p.service == service
        )
        print(f"{image:<40} {sizes[service] / 1e6:>5.0f} MB  {timings}")
    print(f"\nimage-test: {len(passed)} passed, 0 failed in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    shutil.which(PODMAN) or sys.exit(f"image-test: {PODMAN} is not installed")
    sys.exit(main(sys.argv[1:]))
