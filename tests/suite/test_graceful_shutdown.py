"""Disposability: SIGTERM under steady load loses no request and exits in time; a
connection made while the requests in flight finish is refused, not queued and reset."""

from __future__ import annotations

import signal
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
import requests

from testkit.balancer import Balancer
from testkit.load import SteadyLoad
from testkit.processes import GUNICORN, ServiceProcess

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


SLOW_S = 3
SLOW_APP = f"""
import time

import snipkit
from snipkit.app import serve


def create_app():
    app = snipkit.create_app("slow", __name__, [])
    app.get("/slow")(lambda: time.sleep({SLOW_S}) or "done")
    return app


app = serve(create_app)
"""


def what_a_new_connection_gets(port: int) -> str:
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=2)
    except ConnectionRefusedError:
        return "refused"
    with sock:
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: snip\r\n\r\n")
        sock.settimeout(SLOW_S + 5)
        try:
            return "answered" if sock.recv(100) else "closed"
        except ConnectionResetError:
            return "reset"


# Stock gthread stops polling its listener but keeps it open until its last request is
# done: the kernel queues new connections, unanswered, and resets them when it exits.
@pytest.mark.parametrize(("worker", "outcome"), [("snipkit.worker.Worker", "refused"), ("gthread", "reset")])
def test_a_connection_during_the_drain_is_refused_at_once(tmp_path, started, worker, outcome):
    (tmp_path / "slowapp.py").write_text(SLOW_APP)
    env = {"PYTHONPATH": str(tmp_path), "WEB_CONCURRENCY": "1", "GRACEFUL_TIMEOUT": str(SLOW_S + 5)}
    server = ServiceProcess("slow", [*GUNICORN, "--worker-class", worker, "slowapp:app"], env)
    started.append(server)
    server.start()
    with ThreadPoolExecutor(1) as client:
        in_flight = client.submit(requests.get, f"{server.url}/slow", timeout=SLOW_S + 5)
        time.sleep(0.5)  # in a thread of the worker by now
        server.send(signal.SIGTERM)
        time.sleep(1.5)  # the worker's event loop wakes at least once a second
        assert what_a_new_connection_gets(server.port) == outcome
        assert in_flight.result().status_code == 200
    assert server.process.wait(10) == 0
