"""The processes the bench starts, each as production runs it, against one sandbox.

A service is measured only when its package is installed in this environment; the
others are reported as "not available yet".
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import secrets
import socket
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from testkit.backing import Sandbox
from testkit.processes import ServiceProcess

CEILING_APP = "snipbench.ceiling:app"
SAME_WORK_APP = "snipbench.same_work:app"


@dataclass(frozen=True)
class Service:
    """A process type: its package, how it is started, and the database role it uses."""

    name: str
    package: str
    app: str | None = None  # gunicorn app; None for a worker command
    command: list[str] = field(default_factory=list)
    role: str | None = None

    @property
    def available(self) -> bool:
        return importlib.util.find_spec(self.package) is not None


_BIN = Path(sys.executable).parent
SERVICES = {
    "ceiling": Service("ceiling", "flask", app=CEILING_APP),
    # Needs redirect's package (it imports redirect's Redis call) and reads its settings.
    "same-work": Service("same-work", "redirect", app=SAME_WORK_APP, role="redirect"),
    "links": Service("links", "links", app="links.wsgi:app", role="links"),
    "redirect": Service("redirect", "redirect", app="redirect.wsgi:app", role="redirect"),
    "stats-api": Service("stats-api", "stats", app="stats.wsgi:app", role="stats"),
    "web": Service("web", "web", app="web.wsgi:app"),
    "stats-worker": Service("stats-worker", "stats", command=[str(_BIN / "stats"), "worker"], role="stats"),
}


#: The services a service's pages are made from: started first when not running yet.
NEEDS = {"web": ("links", "stats-api")}


def _port_range() -> Iterator[int] | None:
    """``BENCH_PORTS`` ("9200-9299"), cycled: on a machine shared with others, the range
    the bench's servers may bind. Unset, the OS picks free ports."""
    spec = os.environ.get("BENCH_PORTS")
    if not spec:
        return None
    low, _, high = spec.partition("-")
    return itertools.cycle(range(int(low), int(high or low) + 1))


_PORTS = _port_range()


def _next_port() -> int | None:
    """The next port of ``BENCH_PORTS`` that nothing holds now (None: let the OS pick).
    Ports are handed out in turn, so one given to a process that has not bound it yet
    comes round again only after the whole range."""
    if _PORTS is None:
        return None
    for port in itertools.islice(_PORTS, 1000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("BENCH_PORTS: no free port in the range")


class Suite:
    """Starts services against ``sandbox``; web is pointed at the links and stats-api started here."""

    def __init__(self, sandbox: Sandbox):
        self.sandbox = sandbox
        self.started: list[ServiceProcess] = []
        self.urls: dict[str, str] = {}
        self._secret = secrets.token_urlsafe(32)

    def env(self, service: Service, **extra: str) -> dict[str, str]:
        box = self.sandbox
        env = {"REDIS_URL": box.redis_url, "REDIS_KEY_PREFIX": box.key_prefix}
        if service.role:
            env["DATABASE_URL"] = box.urls[service.role]
        if service.name == "links":
            env["PUBLIC_BASE_URL"] = "https://snip.bench"
        if service.name == "web":
            env.update(LINKS_URL=self.urls["links"], STATS_URL=self.urls["stats-api"], SECRET_KEY=self._secret)
        if service.name in ("ceiling", "same-work"):
            # The stack's ceilings carry no access log: the cost of the suite's own
            # observability is part of every service's ratio, and is measured apart.
            env["ACCESS_LOG"] = "false"
        return {**env, **extra}

    def process(self, name: str, **extra: str) -> ServiceProcess:
        """A not yet started process of service ``name``, with ``extra`` environment."""
        service = SERVICES[name]
        env = self.env(service, **extra)
        if service.app:
            process = ServiceProcess.gunicorn(service.name, service.app, env, port=_next_port())
        else:
            process = ServiceProcess(service.name, service.command, env, port=_next_port())
        self.started.append(process)
        return process

    def start(self, name: str, **extra: str) -> ServiceProcess:
        """Start ``name`` (after what it :data:`NEEDS`) and wait for /readyz. A service
        started with its default settings is the one web talks to (``urls``)."""
        for needed in NEEDS.get(name, ()):
            if needed not in self.urls:
                self.start(needed)
        process = self.process(name, **extra).start()
        if not extra:
            self.urls.setdefault(name, process.url)
        return process

    def close(self) -> None:
        for process in self.started:
            process.close()
        self.started.clear()
