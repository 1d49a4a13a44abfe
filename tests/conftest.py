"""Fixtures shared by every test: one real PostgreSQL and Redis per run.

Where they come from: TEST_DATABASE_URL/TEST_REDIS_URL, else testcontainers, else the
embedded servers (see testkit.backing). The run gets its own database, roles and Redis
key prefix, all removed at the end. ``serve`` runs an app over real HTTP in a thread;
``stats_double`` stands in for stats-api where a test is not about stats-api itself.
``hostile`` holds the Hypothesis strategies of the inputs that once made the services
fail; ``figure`` records what a fault or load test measured, printed after the run.

A test that needs a program a fresh machine may lack skips with the reason
"<program> is not installed (Debian package <package>)"; the run then ends by naming
those programs and the one command that installs them all.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import psycopg2
import pytest
import redis
from flask import Flask, request
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from werkzeug.serving import make_server

from snipdev import database, embedded
from testkit import backing
from testkit.processes import ServiceProcess

# Property tests run the same examples on every machine and keep no database of
# failures: a run is reproducible from the code alone, and its length is bounded.
settings.register_profile(
    "snip",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=60,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("snip")


@pytest.fixture(scope="session")
def sandbox():
    with backing.servers() as (admin_url, redis_url, _source):
        box = backing.Sandbox(admin_url, redis_url).create()
        try:
            yield box
        finally:
            box.destroy()


@pytest.fixture(scope="session")
def links_config(sandbox) -> dict:
    """The settings of a links app on this run's database and Redis (a copy each time:
    ``{**links_config, "API_TOKEN": ...}``)."""
    return {
        "DATABASE_URL": sandbox.urls["links"],
        "REDIS_URL": sandbox.redis_url,
        "REDIS_KEY_PREFIX": sandbox.key_prefix,
        "PUBLIC_BASE_URL": "https://snip.test",
    }


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
def own_postgres(sandbox):
    """A PostgreSQL server of this test's own, with the suite's roles, schemas and
    migrations, to stop, restart or freeze (the shared one must stay up). Yields the
    server and each service's URL on it."""
    with embedded.temporary_postgres() as server:
        database.create_database(server.url, "snip")
        urls = database.provision(server.url, "snip", sandbox.credentials)
        database.migrate(urls)
        yield server, urls


@pytest.fixture
def owned_redis(tmp_path):
    """A Redis server this test owns, to stop, start again (on the same port, empty) or freeze."""
    server = embedded.EmbeddedRedis(tmp_path / "redis", embedded.free_port(), persistent=False)
    server.start()
    yield server
    server.stop()


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (PostgreSQL's backends, for its postmaster)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _server_pid(server) -> int:
    """The pid of an embedded Redis, or of an embedded PostgreSQL's postmaster."""
    if getattr(server, "process", None) is not None:
        return server.process.pid
    return int((server.data_dir / "postmaster.pid").read_text().split()[0])


@pytest.fixture
def freeze():
    """``with freeze(server):`` an embedded server and its children stopped (SIGSTOP),
    as a hung server is: connections stay open, the kernel still acknowledges what is
    sent, nothing answers. They continue (SIGCONT) when the block ends, whatever happened."""

    @contextmanager
    def frozen(server):
        pid = _server_pid(server)
        stopped = [pid, *_children(pid)]
        try:
            for each in stopped:
                os.kill(each, signal.SIGSTOP)
            yield
        finally:
            for each in stopped:
                os.kill(each, signal.SIGCONT)

    return frozen


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


def _hostile_strategies() -> SimpleNamespace:
    """Values of each class that once reached a service unchecked (a 500, or worse)."""
    # Digits to str.isdigit() that int() refuses ("²", "①") or reads as another script's ("٣").
    digit_lookalikes = st.text(
        st.characters(categories=["No", "Nd"], exclude_characters="0123456789").filter(str.isdigit), min_size=1
    )
    text = st.one_of(
        st.text(max_size=40),
        st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),  # lone surrogates
        st.text(st.characters(categories=["Cc"]), min_size=1, max_size=3),  # DEL, C1 controls...
        st.text(max_size=8).map(lambda s: f"ab{s}\x00"),  # NUL, which PostgreSQL text cannot hold
        st.from_regex(r"[A-Za-z0-9_-]{3,12}", fullmatch=True).map(lambda s: s + "\n"),  # "$" lets "\n" through
        digit_lookalikes,
        st.sampled_from(["", " ", "-1", "0", "99999999999999999999", "1e3", "0x10", "+5"]),
    )
    hosts = st.sampled_from(
        ["a..b", "a" * 64 + ".example", "a\x80b.example", "a\x7fb.example", "[::1", "[zz::1]", ".", "-", "_a.example"]
    )
    ports = st.sampled_from(["", ":0", ":65536", ":abc", ":-1", ":٣", ":8080"])
    url = st.one_of(
        st.builds("https://{}{}/{}".format, hosts, ports, text),
        st.builds("{}://example.com/{}".format, st.sampled_from(["http", "https", "ftp", "javascript", ""]), text),
        text,
    )
    overflowing = st.sampled_from(
        ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59.999999-00:01"]
    )
    when = st.one_of(overflowing, text, st.datetimes().map(lambda d: d.isoformat()))
    json_value = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
        max_leaves=8,
    )
    deep_json = st.integers(33, 5000).flatmap(
        lambda n: st.sampled_from(["[" * n + "]" * n, '{"url": ' + "[" * n + "]" * n + "}"])
    )
    return SimpleNamespace(text=text, url=url, when=when, json_value=json_value, deep_json=deep_json, in_url=_in_url)


def _in_url(value: str) -> str:
    """``value`` percent-encoded as a client would put it in a path, a query or a form,
    lone surrogates included (as the bytes a client can send, which no UTF-8 decoder takes)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


@pytest.fixture(scope="session")
def hostile() -> SimpleNamespace:
    """Hypothesis strategies of hostile inputs: ``text`` (lone surrogates, controls and NUL,
    a code with a trailing newline, digits that are not ASCII), ``url`` (impossible hosts
    and ports), ``when`` (dates that overflow in UTC), ``json_value``, ``deep_json``; and
    ``in_url(value)``, a value as it travels in a URL or a form. Draw from them with
    ``data.draw(hostile.text)`` in a test given ``st.data()``."""
    return _hostile_strategies()


def no_server_error(response, *, json_errors: bool = True) -> None:
    """A hostile request may be refused, never answered with a 5xx; an API refusal is the
    JSON error shape (web's pages answer in HTML)."""
    assert response.status_code < 500, f"{response.status_code}: {response.get_data(as_text=True)[:300]}"
    if json_errors and response.status_code >= 400:
        assert response.get_json()["error"]["code"], response.get_data(as_text=True)[:300]


@pytest.fixture(scope="session")
def no_5xx():
    """:func:`no_server_error` as a fixture, for the property tests of every service."""
    return no_server_error


@pytest.fixture(scope="session")
def fuzz(tally):
    """``fuzz(case, app, "links")``: send a schemathesis case to ``app`` in process; it
    may be refused, never answered with a 5xx, and a refusal is the JSON error shape."""

    def send(case, app, service: str) -> None:
        tally(f"{service}: schemathesis requests")
        response = case.call(app=app)
        where = f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text}"
        assert response.status_code < 500, where
        if response.status_code >= 400:
            assert response.json()["error"]["code"], f"not the JSON error shape: {where}"

    return send


_FIGURES = pytest.StashKey[list]()
_TALLIES = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def figure(request):
    """``figure("p99 of cached redirects with PostgreSQL frozen", "4.1 ms")``: printed in a
    "measured" section after the run, since timings are reported, never asserted."""
    rows = request.config.stash.setdefault(_FIGURES, [])
    return lambda name, value: rows.append((name, value))


@pytest.fixture(scope="session")
def tally(request):
    """``tally("links: schemathesis requests")``: one more of those, counted for the run
    and printed with the figures."""
    counts = request.config.stash.setdefault(_TALLIES, defaultdict(int))

    def count(name: str) -> None:
        counts[name] += 1

    return count


_MISSING_PROGRAM = re.compile(r"(\S+) is not installed \(Debian package (\S+)\)")


# The outermost wrapper: printed after pytest's own summary of skips, just before the totals.
@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(terminalreporter, config):
    """After the run: what the fault and load tests measured; which programs the skipped
    tests needed, and how to install them."""
    yield
    rows = config.stash.get(_FIGURES, []) + sorted(config.stash.get(_TALLIES, {}).items())
    if rows:
        terminalreporter.section("measured")
        for name, value in rows:
            terminalreporter.write_line(f"{name}: {value}")
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
