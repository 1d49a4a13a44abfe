"""Backing services are attached resources: move links to a new PostgreSQL by changing
its config and rolling the processes, under steady load.

The steps are the cluster scenario's: create the new database and wait for it, apply
the schema with the migrate command, change the setting that names the database, roll
the processes, check where the data went and that the old server is let go.
"""

from __future__ import annotations

import time

import psycopg2

from testkit.balancer import Balancer
from testkit.load import SteadyLoad
from testkit.rollout import rolling_restart


def _query(url: str, sql: str, *params):
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()
    finally:
        conn.close()


def test_swap_links_to_a_new_database_under_load(request, start, service_env, sandbox, second_postgres):
    _, new_urls = second_postgres
    old_url = sandbox.urls["links"]
    links = start("links", "links.wsgi:app", service_env("links", SHUTDOWN_DELAY_S="1", GRACEFUL_TIMEOUT="5"))
    made: list[tuple[float, str]] = []

    def create(session):
        response = session.post(f"{balancer.url()}/api/links", json={"url": "https://swap.example"}, timeout=10)
        if response.status_code == 201:
            made.append((time.monotonic(), response.json()["code"]))
        return response.status_code == 201, str(response.status_code)

    with Balancer([links]) as balancer, SteadyLoad(create) as load:
        time.sleep(1)
        rollout = rolling_restart(links, balancer, {"DATABASE_URL": new_urls["links"]})
        request.addfinalizer(rollout.new.close)
        time.sleep(1)
    print(
        f"swap window: {rollout.old_exited - rollout.started:.2f} s; "
        f"{len(load.outcomes)} requests, {len(load.failures())} failed"
    )

    assert rollout.old_status == 0
    assert load.failures() == [], "no request may fail across the rolling restart"
    before = {code for at, code in made if at < rollout.started}
    after = {code for at, code in made if at > rollout.old_exited}
    assert before and after, "the load must span the swap"
    old_codes = {row[0] for row in _query(old_url, "SELECT code FROM links")}
    new_codes = {row[0] for row in _query(new_urls["links"], "SELECT code FROM links")}
    assert before <= old_codes and not before & new_codes
    assert after <= new_codes and not after & old_codes
    # Every link a client was told about exists in exactly one of the two databases.
    assert {code for _, code in made} == (old_codes | new_codes) & {code for _, code in made}
    # The old server is let go: no connection from any of the old workers is left.
    old_workers = [f"links-{pid}" for pid in rollout.old.worker_pids()]
    assert old_workers
    leftover = _query(
        sandbox.admin_url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = ANY(%s)", old_workers
    )
    assert leftover == [(0,)]
