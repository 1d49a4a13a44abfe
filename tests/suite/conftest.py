"""Suite tests start services as real processes on free ports and talk HTTP only."""

from __future__ import annotations

import pytest

from snipdev.processes import ServiceProcess


@pytest.fixture
def service_env(sandbox):
    """The environment each service needs against this run's database and Redis."""

    def env(service: str, **extra: str) -> dict[str, str]:
        base = {"REDIS_URL": sandbox.redis_url, "REDIS_KEY_PREFIX": sandbox.key_prefix, "WEB_CONCURRENCY": "2"}
        if service in sandbox.urls:
            base["DATABASE_URL"] = sandbox.urls[service]
        if service == "links":
            base["PUBLIC_BASE_URL"] = "https://snip.test"
        return {**base, **extra}

    return env


@pytest.fixture
def start(request):
    """Start a gunicorn service: ``start("links", "links.wsgi:app", env)``; stopped at teardown."""
    started: list[ServiceProcess] = []

    def run(name: str, app: str, env: dict[str, str], wait: bool = True, port: int | None = None) -> ServiceProcess:
        process = ServiceProcess.gunicorn(name, app, env, port=port)
        started.append(process)
        return process.start(wait=wait)

    yield run
    for process in started:
        process.close()
