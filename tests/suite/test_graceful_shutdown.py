"""Disposability: SIGTERM under steady load loses no request and exits in time."""

from __future__ import annotations

import signal
import threading
import time

import psycopg2
import requests

GRACEFUL_TIMEOUT = 5
SHUTDOWN_DELAY = 1.0


class Balancer:
    """What a load balancer (or a Kubernetes Service) does: poll /readyz and take the
    instance out of rotation when it answers anything but 200."""

    def __init__(self, url: str):
        self.url = url
        self.in_rotation = threading.Event()
        self.in_rotation.set()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while self.in_rotation.is_set():
            try:
                if requests.get(f"{self.url}/readyz", timeout=1).status_code != 200:
                    self.in_rotation.clear()
            except requests.RequestException:
                self.in_rotation.clear()
            time.sleep(0.05)

    def start(self) -> Balancer:
        self._thread.start()
        return self


def test_sigterm_under_load_fails_no_request(start, service_env, sandbox):
    links = start(
        "links",
        "links.wsgi:app",
        service_env("links", GRACEFUL_TIMEOUT=str(GRACEFUL_TIMEOUT), SHUTDOWN_DELAY_S=str(SHUTDOWN_DELAY)),
    )
    balancer = Balancer(links.url).start()
    created: list[str] = []
    failures: list[str] = []

    def client(n: int) -> None:
        # Keep-alive sessions, as real clients and proxies use.
        with requests.Session() as session:
            i = 0
            while balancer.in_rotation.is_set():
                i += 1
                try:
                    response = session.post(
                        f"{links.url}/api/links", json={"url": f"https://load.example/{n}/{i}"}, timeout=10
                    )
                except requests.RequestException as exc:
                    failures.append(f"{type(exc).__name__}: {exc}")
                    continue
                if response.status_code == 201:
                    created.append(response.json()["code"])
                else:
                    failures.append(f"HTTP {response.status_code}")

    threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    before = len(created)
    links.send(signal.SIGTERM)
    stopped_at = time.monotonic()
    status = links.process.wait(GRACEFUL_TIMEOUT + SHUTDOWN_DELAY + 5)
    took = time.monotonic() - stopped_at
    for thread in threads:
        thread.join(10)

    assert before > 20, "the load never got going"
    assert failures == []
    assert status == 0
    assert took < GRACEFUL_TIMEOUT + SHUTDOWN_DELAY
    # Every link a client was told about was really stored: no write lost.
    conn = psycopg2.connect(sandbox.database_admin_url)
    with conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM links.links WHERE code = ANY(%s)", (created,))
        assert cur.fetchone()[0] == len(created)
    conn.close()
