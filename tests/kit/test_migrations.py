"""Migrations are an admin process: idempotent, and safe when two run at once."""

from __future__ import annotations

import threading

import psycopg2
import pytest

import links
from snipkit import migrations

#: Every migration links ships, by name (0001.links...), in the order they apply.
SHIPPED = sorted(path.stem for path in links.MIGRATIONS.glob("*.sql"))


def test_upgrade_twice_applies_once(fresh_database):
    url = fresh_database["links"]
    assert migrations.pending(url, links.MIGRATIONS) == SHIPPED
    assert migrations.upgrade(url, links.MIGRATIONS, "links") == SHIPPED
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
    assert sorted(results) == [[], [], [], SHIPPED]
    with psycopg2.connect(url) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM _yoyo_migration")
        assert cur.fetchone()[0] == len(SHIPPED)
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
    # libpq's words differ between a blocking and a non-blocking connect (snipkit.db's).
    assert "migration failed on postgresql://nobody:***@127.0.0.1:1/none: connection" in result.output.lower()


def cli_on(url: str, sandbox):
    app = links.create_app(
        {"DATABASE_URL": url, "REDIS_URL": sandbox.redis_url, "PUBLIC_BASE_URL": "https://snip.test"}
    )
    return app.test_cli_runner()


def test_status_exits_1_while_a_migration_is_pending_and_0_after(fresh_database, sandbox):
    runner = cli_on(fresh_database["links"], sandbox)
    assert runner.invoke(args=["db", "status"]).exit_code == 1
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "status"]).exit_code == 0


def test_wait_returns_once_another_process_has_migrated(fresh_database):
    url = fresh_database["links"]
    later = threading.Timer(1.0, migrations.upgrade, (url, links.MIGRATIONS, "links"))
    later.start()
    try:
        assert migrations.wait(url, links.MIGRATIONS, timeout_s=30, interval_s=0.2) == []
    finally:
        later.join()


def test_wait_gives_up_with_a_clear_message(fresh_database, sandbox):
    result = cli_on(fresh_database["links"], sandbox).invoke(args=["db", "wait", "--timeout", "1"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "migrations still pending after 1 s" in result.output


def test_wait_keeps_trying_while_the_database_does_not_answer(sandbox):
    url = "postgresql://nobody:pw@127.0.0.1:1/none"
    with pytest.raises(psycopg2.OperationalError):
        migrations.wait(url, links.MIGRATIONS, timeout_s=0.5, interval_s=0.1)
    result = cli_on(url, sandbox).invoke(args=["db", "wait", "--timeout", "1"])
    assert result.exit_code == 1
    assert "cannot read schema status" in result.output and "Traceback" not in result.output
