"""Migrations are an admin process: idempotent, and safe when two run at once."""

from __future__ import annotations

import threading

import psycopg2
import pytest

import links
from snipdev import database
from snipkit import migrations


@pytest.fixture
def fresh_database(sandbox):
    """An empty database with this run's roles and schemas, dropped afterwards."""
    name = f"{sandbox.name}_fresh"
    database.create_database(sandbox.admin_url, name)
    try:
        yield database.provision(sandbox.admin_url, name, sandbox.credentials)
    finally:
        database.drop_database(sandbox.admin_url, name)


def test_upgrade_twice_applies_once(fresh_database):
    url = fresh_database["links"]
    assert migrations.pending(url, links.MIGRATIONS) == ["0001.links"]
    assert migrations.upgrade(url, links.MIGRATIONS, "links") == ["0001.links"]
    assert migrations.upgrade(url, links.MIGRATIONS, "links") == []
    assert migrations.pending(url, links.MIGRATIONS) == []


def test_concurrent_upgrades_apply_each_migration_once(fresh_database):
    url = fresh_database["links"]
    start = threading.Barrier(4)
    results: list[list[str]] = []
    errors: list[Exception] = []

    def run():
        start.wait()
        try:
            results.append(migrations.upgrade(url, links.MIGRATIONS, "links"))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sorted(results) == [[], [], [], ["0001.links"]]
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM _yoyo_migration")
        assert cur.fetchone()[0] == 1
    conn.close()


def test_upgrade_command_reports_failure_clearly(sandbox):
    app = links.create_app(
        {
            "DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/none",
            "REDIS_URL": sandbox.redis_url,
            "PUBLIC_BASE_URL": "https://snip.test",
        }
    )
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
