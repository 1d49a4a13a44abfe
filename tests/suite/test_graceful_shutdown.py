"""Disposability: SIGTERM under steady load loses no request and exits in time."""

from __future__ import annotations

import signal
import time

import psycopg2
import requests

from snipdev.balancer import Balancer
from snipdev.load import SteadyLoad

GRACEFUL_TIMEOUT = 5
SHUTDOWN_DELAY = 1.0


def test_sigterm_under_load_fails_no_request(start, service_env, sandbox):
    links = start(
        "links",
        "links.wsgi:app",
        service_env("links", GRACEFUL_TIMEOUT=str(GRACEFUL_TIMEOUT), SHUTDOWN_DELAY_S=str(SHUTDOWN_DELAY)),
    )
    created: list[str] = []

    def create(session):
        # Clients reach links the way they would through a Service: once its /readyz
        # says 503, the balancer has no backend and nothing is sent.
        try:
            url = balancer.url()
        except requests.ConnectionError:
            time.sleep(0.01)
            return None
        response = session.post(f"{url}/api/links", json={"url": "https://load.example/"}, timeout=10)
        if response.status_code == 201:
            created.append(response.json()["code"])
        return response.status_code == 201, f"HTTP {response.status_code}"

    with Balancer([links]) as balancer, SteadyLoad(create, clients=8) as load:
        time.sleep(1.0)
        before = len(created)
        links.send(signal.SIGTERM)
        stopped_at = time.monotonic()
        status = links.process.wait(GRACEFUL_TIMEOUT + SHUTDOWN_DELAY + 5)
        took = time.monotonic() - stopped_at

    assert before > 20, "the load never got going"
    assert load.failures() == []
    assert status == 0
    assert took < GRACEFUL_TIMEOUT + SHUTDOWN_DELAY
    # Every link a client was told about was really stored: no write lost.
    conn = psycopg2.connect(sandbox.database_admin_url)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM links.links WHERE code = ANY(%s)", (created,))
        assert cur.fetchone()[0] == len(created)
    conn.close()
