"""`stats purge` and `stats seed-demo` against real PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

import stats
from snipkit import demo
from stats import admin as stats_admin

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


def add_minute(admin, code: str, minute: datetime, clicks: int = 1) -> None:
    with admin.cursor() as cur:
        cur.execute(
            "INSERT INTO stats.clicks_per_minute (code, minute, clicks) VALUES (%s, %s, %s)", (code, minute, clicks)
        )


def minutes(admin) -> list[tuple[str, datetime]]:
    with admin.cursor() as cur:
        cur.execute("SELECT code, minute FROM stats.clicks_per_minute ORDER BY minute")
        return cur.fetchall()


def log_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_purge_removes_exactly_the_minutes_past_retention(app, admin):
    cutoff = NOW - timedelta(days=app.config["RETENTION_DAYS"])
    for minute in (cutoff - timedelta(minutes=2), cutoff - timedelta(minutes=1), cutoff, cutoff + timedelta(minutes=1)):
        add_minute(admin, "abc", minute)
    with app.app_context():
        assert stats_admin.purge(NOW, batch_size=1) == 2
    assert minutes(admin) == [("abc", cutoff), ("abc", cutoff + timedelta(minutes=1))]


def test_purge_keeps_the_all_time_totals(app, admin):
    add_minute(admin, "abc", NOW - timedelta(days=400), clicks=5)
    with admin.cursor() as cur:
        cur.execute("INSERT INTO stats.link_totals VALUES ('abc', 5, %s)", (NOW - timedelta(days=400),))
    with app.app_context():
        stats_admin.purge(NOW, batch_size=100)
    assert minutes(admin) == []
    with admin.cursor() as cur:
        cur.execute("SELECT total FROM stats.link_totals")
        assert cur.fetchall() == [(5,)]


def test_purge_command_reports_and_is_idempotent(app, admin):
    add_minute(admin, "abc", datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(days=365))
    runner = app.test_cli_runner()
    first, second = runner.invoke(args=["purge"]), runner.invoke(args=["purge"])
    assert first.exit_code == second.exit_code == 0
    assert [log_lines(r.output)[-1]["click_minutes"] for r in (first, second)] == [1, 0]


def test_seed_demo_gives_each_clicked_demo_link_a_consistent_history_once(app, admin):
    runner = app.test_cli_runner()
    first, second = runner.invoke(args=["seed-demo"]), runner.invoke(args=["seed-demo"])
    assert first.exit_code == second.exit_code == 0
    clicked = {link.code for link in demo.LINKS if link.weight > 0}
    assert set(log_lines(first.output)[-1]["seeded"]) == clicked
    assert log_lines(second.output)[-1]["seeded"] == []
    with admin.cursor() as cur:
        cur.execute(
            "SELECT t.code, t.total, sum(m.clicks), t.last_click_at > max(m.minute) FROM stats.link_totals t"
            " JOIN stats.clicks_per_minute m USING (code) GROUP BY t.code, t.total, t.last_click_at"
        )
        rows = cur.fetchall()
    assert {code for code, *_ in rows} == clicked
    assert all(total == summed and last_is_latest for _code, total, summed, last_is_latest in rows)
    totals = {code: total for code, total, *_ in rows}
    assert totals["py-docs"] > totals["gunicorn"], "the heavier link gets more clicks"


def test_seed_demo_leaves_a_link_with_real_clicks_alone(app, admin):
    with admin.cursor() as cur:
        cur.execute("INSERT INTO stats.link_totals VALUES ('flask', 3, now())")
    with app.app_context():
        seeded = stats_admin.seed_demo(NOW)
    assert "flask" not in seeded
    with admin.cursor() as cur:
        cur.execute("SELECT count(*) FROM stats.clicks_per_minute WHERE code = 'flask'")
        assert cur.fetchone() == (0,)


def test_history_is_busier_by_day_and_the_same_on_every_run():
    link = demo.LINKS[0]
    history = stats_admin.history(link, NOW)
    assert history == stats_admin.history(link, NOW)
    assert all(NOW - timedelta(days=link.age_days) <= minute < NOW for minute in history)
    by_day = sum(n for minute, n in history.items() if 10 <= minute.hour < 16)
    by_night = sum(n for minute, n in history.items() if minute.hour < 4 or minute.hour >= 22)
    assert by_day > 2 * by_night


@pytest.mark.parametrize("command", ["purge", "seed-demo"])
def test_a_database_that_does_not_answer_is_one_clear_line_and_exit_1(command):
    app = stats.create_app({"DATABASE_URL": "postgresql://nobody:pw@127.0.0.1:1/none", "DB_CONNECT_TIMEOUT_S": 1})
    result = app.test_cli_runner().invoke(args=[command])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert log_lines(result.output)[-1]["message"].startswith(f"{command} failed: postgresql is unavailable")
