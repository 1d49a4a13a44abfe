"""snipkit.db when PostgreSQL hangs: every wait is bounded on the client's side, and a
process that met a timeout skips PostgreSQL for a while instead of waiting again."""

from __future__ import annotations

import contextlib
import socket
import threading

import pytest

import snipkit
from snipkit import DependencyUnavailable, db

# Generous: the bounds under test are about a second; a wait that is not bounded at all
# lasts until the server is thawed, which the tests do only after this.
NO_ANSWER_AFTER_S = 8


def make_app(url: str, **settings):
    app = snipkit.create_app("db-test", __name__, db.SETTINGS, {"DATABASE_URL": url, **settings})
    db.init_app(app)
    return app


def backend_pid(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        return cur.fetchone()[0]


def select_one(app) -> int:
    """A request's statement: the backend pid of the connection the pool lent it."""
    with app.app_context(), db.connection() as conn:
        return backend_pid(conn)


def outcome_within(seconds: float, call) -> BaseException | None:
    """What ``call()`` raised (None if nothing) provided it returned within ``seconds``;
    a call still waiting then fails the test."""
    result: list[BaseException | None] = []

    def run():
        try:
            call()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            result.append(exc)
        else:
            result.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert result, f"still waiting on PostgreSQL after {seconds} s"
    return result[0]


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers, like PostgreSQL behind a partition."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"postgresql://nobody@127.0.0.1:{listener.getsockname()[1]}/none"


def test_a_server_that_never_answers_costs_one_timeout_then_is_skipped(silent_server):
    app = make_app(silent_server, DB_CONNECT_TIMEOUT_S=1, DB_RETRY_AFTER_S=60)
    first = outcome_within(NO_ANSWER_AFTER_S, lambda: select_one(app))
    assert isinstance(first, DependencyUnavailable) and "no answer within 1 s" in first.message
    # Skipped now: answered at once, without another connection attempt.
    second = outcome_within(NO_ANSWER_AFTER_S, lambda: select_one(app))
    assert isinstance(second, DependencyUnavailable) and "retrying within 60 s" in second.message


def test_a_statement_on_a_frozen_server_ends_at_its_bound(own_postgres, freeze):
    server, urls = own_postgres
    app = make_app(urls["links"], DB_STATEMENT_TIMEOUT_MS=500, DB_CONNECT_TIMEOUT_S=2, DB_RETRY_AFTER_S=0)
    with app.app_context(), db.connection() as conn:  # pooled, established before the freeze
        params = conn.get_dsn_parameters()
    # libpq's own bounds, for a peer that is gone altogether (a host down, a partition).
    assert params["connect_timeout"] == "2" and params["tcp_user_timeout"] == "1500"
    assert params["keepalives"] == "1" and params["keepalives_idle"] == "10"
    with freeze(server):
        # The server's statement_timeout cannot fire: it is frozen too. 0.5 s + 1 s here.
        stalled = outcome_within(NO_ANSWER_AFTER_S, lambda: select_one(app))
        assert isinstance(stalled, DependencyUnavailable) and "no answer within 1.5 s" in stalled.message
    assert outcome_within(NO_ANSWER_AFTER_S, lambda: select_one(app)) is None, "recovers once thawed"


def test_waiting_for_a_free_connection_is_bounded_too(own_postgres, freeze):
    server, urls = own_postgres
    app = make_app(urls["links"], DB_POOL_SIZE=1, DB_POOL_TIMEOUT_S=0.2, DB_STATEMENT_TIMEOUT_MS=3000)
    select_one(app)

    def hold_the_only_connection():
        with contextlib.suppress(DependencyUnavailable):
            select_one(app)

    with freeze(server):
        holder = threading.Thread(target=hold_the_only_connection, daemon=True)
        holder.start()  # takes the one connection and waits on the frozen server
        threading.Event().wait(0.3)
        queued = outcome_within(NO_ANSWER_AFTER_S, lambda: select_one(app))
        assert isinstance(queued, DependencyUnavailable) and queued.message.endswith("all connections are busy")
    holder.join(NO_ANSWER_AFTER_S)


def test_a_probe_that_times_out_does_not_make_requests_skip_postgresql(own_postgres, freeze):
    server, urls = own_postgres
    app = make_app(urls["links"], DB_RETRY_AFTER_S=60)
    with app.app_context(), db.connection() as first, db.connection() as second:
        pooled = {backend_pid(first), backend_pid(second)}  # both idle in the pool after this
    client = app.test_client()
    with freeze(server):
        unready = client.get("/readyz")
        assert unready.status_code == 503 and unready.get_json()["failing"] == ["postgresql"]
        # Frozen until the probe's own bound has certainly passed: its wait has ended.
        threading.Event().wait(2 * db.PROBE_TIMEOUT_S)
    # Slower than a probe's bound for a moment is not down: the next request is served,
    # on a connection the pool kept (only the probe's own was closed).
    served = []
    assert outcome_within(NO_ANSWER_AFTER_S, lambda: served.append(select_one(app))) is None
    assert served[0] in pooled
