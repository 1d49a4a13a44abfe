"""`links purge` and `links seed-demo` against real PostgreSQL and Redis."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg2
import pytest

import links
from links import admin
from snipkit import demo, keys

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
TICK = timedelta(microseconds=1)


@pytest.fixture
def sql(sandbox):
    """Run a statement in this run's links schema as the links role; returns the rows."""
    conn = psycopg2.connect(sandbox.urls["links"])
    conn.autocommit = True

    def run(statement: str, params: tuple = ()) -> list[tuple]:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            return cur.fetchall() if cur.description else []

    yield run
    conn.close()


def add_link(sql, code: str, expires_at: datetime | None) -> None:
    sql("INSERT INTO links (code, url, expires_at) VALUES (%s, 'https://e.example', %s)", (code, expires_at))


def codes(sql) -> set[str]:
    return {code for (code,) in sql("SELECT code FROM links")}


def log_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_purge_removes_exactly_the_links_expired_by_now(app, sql):
    add_link(sql, "before", NOW - TICK)
    add_link(sql, "at-now", NOW)
    add_link(sql, "after", NOW + TICK)
    add_link(sql, "forever", None)
    with app.app_context():
        removed, _keys = admin.purge(NOW, batch_size=1000)
    assert removed == 2
    assert codes(sql) == {"after", "forever"}


def test_purge_works_through_many_batches(app, sql):
    for i in range(7):
        add_link(sql, f"old-{i}", NOW - timedelta(days=i))
    add_link(sql, "kept", NOW + timedelta(days=1))
    with app.app_context():
        assert admin.purge(NOW, batch_size=3) == (7, 0)
    assert codes(sql) == {"kept"}


def test_purge_removes_idempotency_keys_older_than_their_ttl(app, sql):
    ttl = timedelta(hours=app.config["IDEMPOTENCY_KEY_TTL_HOURS"])
    for key, created_at in [("stale", NOW - ttl - TICK), ("at-ttl", NOW - ttl), ("fresh", NOW)]:
        sql("INSERT INTO idempotency_keys (key, fingerprint, created_at) VALUES (%s, 'f', %s)", (key, created_at))
    with app.app_context():
        assert admin.purge(NOW, batch_size=1) == (0, 1)
    assert {key for (key,) in sql("SELECT key FROM idempotency_keys")} == {"at-ttl", "fresh"}


def test_purge_removes_the_redirect_cache_entries_of_purged_links(app, sql, redis_client, sandbox):
    add_link(sql, "gone", NOW - TICK)
    add_link(sql, "alive", NOW + TICK)
    for code in ("gone", "alive"):
        redis_client.set(keys.link(code, sandbox.key_prefix), "{}")
    with app.app_context():
        admin.purge(NOW, batch_size=10)
    assert redis_client.exists(keys.link("gone", sandbox.key_prefix)) == 0
    assert redis_client.exists(keys.link("alive", sandbox.key_prefix)) == 1


def test_purge_command_reports_what_it_removed_and_is_idempotent(app, runner, sql):
    add_link(sql, "expired", datetime.now(UTC) - timedelta(minutes=1))
    first = runner.invoke(args=["purge"])
    second = runner.invoke(args=["purge"])
    assert first.exit_code == second.exit_code == 0
    reports = [log_lines(result.output)[-1] for result in (first, second)]
    assert [(r["message"], r["expired_links"], r["idempotency_keys"]) for r in reports] == [
        ("purged", 1, 0),
        ("purged", 0, 0),
    ]
    assert codes(sql) == set()


def test_seed_demo_loads_the_demo_links_once(app, runner, sql):
    sql("INSERT INTO links (code, url) VALUES ('flask', 'https://mine.example')")
    first = runner.invoke(args=["seed-demo"])
    second = runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    demo_codes = {link.code for link in demo.LINKS}
    assert log_lines(first.output)[-1]["already_present"] == 1
    assert set(log_lines(first.output)[-1]["inserted"]) == demo_codes - {"flask"}
    assert log_lines(second.output)[-1]["inserted"] == []
    assert codes(sql) == demo_codes
    assert sql("SELECT url FROM links WHERE code = 'flask'") == [("https://mine.example",)]


def test_seeded_links_look_like_real_ones(app, sql):
    with app.app_context():
        admin.seed_demo(NOW)
    rows = dict(sql("SELECT code, created_at FROM links"))
    assert all(created <= NOW for created in rows.values())
    assert len(set(rows.values())) > 1, "spread over several days"
    expired = {code for (code,) in sql("SELECT code FROM links WHERE expires_at <= %s", (NOW,))}
    assert expired == {link.code for link in demo.LINKS if (link.expires_in_days or 0) < 0}


@pytest.mark.parametrize("command", ["purge", "seed-demo"])
def test_a_database_that_does_not_answer_is_one_clear_line_and_exit_1(sandbox, command):
    app = links.create_app(
        {
            "DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/none",
            "DB_CONNECT_TIMEOUT_S": 1,
            "REDIS_URL": sandbox.redis_url,
            "PUBLIC_BASE_URL": "https://snip.test",
        }
    )
    result = app.test_cli_runner().invoke(args=[command])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    error = log_lines(result.output)[-1]
    assert error["level"] == "ERROR" and error["message"].startswith(f"{command} failed: postgresql is unavailable")
