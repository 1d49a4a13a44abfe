"""Fixtures shared by every test: one real PostgreSQL and Redis per run.

Where they come from: TEST_DATABASE_URL/TEST_REDIS_URL, else testcontainers, else the
embedded servers (see snipdev.backing). The run gets its own database, roles and Redis
key prefix, all removed at the end. ``serve`` runs an app over real HTTP in a thread;
``stats_double`` stands in for stats-api where a test is not about stats-api itself.

A test that needs a program a fresh machine may lack skips with the reason
"<program> is not installed (Debian package <package>)"; the run then ends by naming
those programs and the one command that installs them all.
"""

from __future__ import annotations

import os
import re
import threading
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest
import redis
from flask import Flask, request
from werkzeug.serving import make_server

from snipdev import backing, database
from snipdev.processes import ServiceProcess


@pytest.fixture(scope="session")
def sandbox():
    with backing.servers() as (admin_url, redis_url, _source):
        box = backing.Sandbox(admin_url, redis_url).create()
        try:
            yield box
        finally:
            box.destroy()


@pytest.fixture
def new_database(sandbox):
    """Make empty databases with this run's roles and schemas and no migrations applied:
    ``name, urls = new_database("copy")`` (``urls``: each service's URL to it); all are
    dropped afterwards."""
    made: list[str] = []

    def make(suffix: str = "fresh") -> tuple[str, dict[str, str]]:
        name = f"{sandbox.name}_{suffix}"
        database.create_database(sandbox.admin_url, name)
        made.append(name)
        return name, database.provision(sandbox.admin_url, name, sandbox.credentials)

    yield make
    for name in made:
        database.drop_database(sandbox.admin_url, name)


@pytest.fixture
def fresh_database(new_database):
    """Each service's URL to one new empty database (see ``new_database``)."""
    return new_database()[1]


@pytest.fixture
def redis_client(sandbox):
    client = redis.Redis.from_url(sandbox.redis_url, decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def admin_db(sandbox):
    """A superuser autocommit connection to this run's database, for arranging and
    inspecting rows in any schema (services themselves only ever use their own role)."""
    conn = psycopg2.connect(sandbox.database_admin_url)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture
def service_env(sandbox):
    """The environment each service needs against this run's database and Redis."""

    def env(service: str, **extra: str) -> dict[str, str]:
        base = {"REDIS_URL": sandbox.redis_url, "REDIS_KEY_PREFIX": sandbox.key_prefix, "WEB_CONCURRENCY": "2"}
        if service in sandbox.urls:
            base["DATABASE_URL"] = sandbox.urls[service]
        if service == "links":
            base["PUBLIC_BASE_URL"] = "https://snip.test"
        if service == "web":
            base["SECRET_KEY"] = "suite-secret-key-long-enough-for-web-0123456789"
        return {**base, **extra}

    return env


@pytest.fixture
def started():
    """Every process a test started; each is killed at teardown."""
    processes: list[ServiceProcess] = []
    yield processes
    for process in processes:
        process.close()


@pytest.fixture
def start(started):
    """Start a gunicorn service: ``start("links", "links.wsgi:app", env)``; stopped at teardown."""

    def run(name: str, app: str, env: dict[str, str], wait: bool = True, port: int | None = None) -> ServiceProcess:
        process = ServiceProcess.gunicorn(name, app, env, port=port)
        started.append(process)
        return process.start(wait=wait)

    return run


@pytest.fixture(scope="session")
def serve():
    """Serve a WSGI app over real HTTP on a free loopback port, in a thread of this
    process, until the end of the run: ``url = serve(app)``."""
    servers = []

    def run(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, name=f"serve-{server.server_port}", daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield run
    for server in servers:
        server.shutdown()
        server.server_close()


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class StatsDouble:
    """Stands in for stats-api, which is not ours in these tests: serves the shapes its
    API documents (``GET /api/stats/{code}``, ``/api/stats?codes=``, ``/api/stats/top``)
    from clicks a test records with :meth:`click`. ``failing`` makes every call a 500."""

    def __init__(self):
        self.clicks: dict[str, list[datetime]] = defaultdict(list)
        self.failing = False
        self.app = Flask("stats_double")
        self.app.get("/livez")(lambda: {"status": "ok"})
        self.app.get("/api/stats")(self._totals)
        self.app.get("/api/stats/top")(self._top)
        self.app.get("/api/stats/<code>")(self._one)
        self.app.before_request(lambda: ("stats double told to fail", 500) if self.failing else None)

    def click(self, code: str, at: datetime | None = None, times: int = 1) -> None:
        self.clicks[code].extend([at or datetime.now(UTC)] * times)

    def _summary(self, code: str) -> dict:
        times = self.clicks.get(code, [])
        last = _iso(max(times)) if times else None
        return {"total": len(times), "last_click_at": last}

    def _totals(self):
        codes = [c for c in request.args.get("codes", "").split(",") if c]
        return {"items": {code: self._summary(code) for code in codes}}

    def _top(self):
        ranked = sorted(self.clicks, key=lambda code: -len(self.clicks[code]))
        return {"items": [{"code": code, **self._summary(code)} for code in ranked[: int(request.args["limit"])]]}

    def _one(self, code: str):
        window, granularity = request.args["window"], request.args["granularity"]
        step = timedelta(hours=1) if granularity == "hour" else timedelta(minutes=1)
        since = datetime.now(UTC) - timedelta(hours=int(window.removesuffix("h")))
        seconds = step.total_seconds()
        series: dict[datetime, int] = defaultdict(int)
        for at in self.clicks.get(code, []):
            if at >= since:
                series[datetime.fromtimestamp(at.timestamp() // seconds * seconds, UTC)] += 1
        points = [{"start": _iso(start), "count": n} for start, n in sorted(series.items())]
        return {"code": code, **self._summary(code), "granularity": granularity, "window": window, "series": points}


@pytest.fixture
def stats_double(serve):
    """A running :class:`StatsDouble`: its ``url`` is the base URL to give web as STATS_URL."""
    double = StatsDouble()
    double.url = serve(double.app)
    return double


_MISSING_PROGRAM = re.compile(r"(\S+) is not installed \(Debian package (\S+)\)")


# The outermost wrapper: printed after pytest's own summary of skips, just before the totals.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter):
    """After the run: which programs the skipped tests needed, and how to install them."""
    yield
    needed: Counter[tuple[str, str]] = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        if found := _MISSING_PROGRAM.search(reason):
            needed[found.groups()] += 1
    if not needed:
        return
    terminalreporter.section("skipped: programs this machine lacks", sep="-", yellow=True)
    for (program, _package), count in sorted(needed.items()):
        terminalreporter.line(f"{program}: {count} test{'s' if count > 1 else ''} skipped")
    packages = " ".join(sorted({package for _program, package in needed}))
    sudo = "" if os.geteuid() == 0 else "sudo "
    terminalreporter.line(f"install them all, then run make test again: {sudo}apt-get install -y {packages}")
