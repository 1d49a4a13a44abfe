"""Redis hangs (frozen with SIGSTOP) under a running pipeline: every redirect is still
answered, and once Redis is back every click answered with a redirect is counted
exactly once, though some Redis calls timed out and ran afterwards all the same."""

from __future__ import annotations

import threading
import time

import requests

from testkit.processes import wait_until

FROZEN_S = 3
TIMEOUT = 10


def test_clicks_count_exactly_once_when_redis_hangs(start, start_worker, service_env, owned_redis, freeze, figure):
    env = {"REDIS_URL": owned_redis.url, "REDIS_TIMEOUT_S": "0.3"}
    links = start("links", "links.wsgi:app", service_env("links"))
    redirect = start("redirect", "redirect.wsgi:app", service_env("redirect", PENDING_FLUSH_INTERVAL_S="0.2", **env))
    stats = start("stats-api", "stats.wsgi:app", service_env("stats"))
    start_worker(**env)
    code = requests.post(f"{links.url}/api/links", json={"url": "https://frozen.example/"}, timeout=TIMEOUT).json()
    code = code["code"]
    answered: list[int] = []
    stop = threading.Event()

    def click():
        with requests.Session() as session:
            while not stop.is_set():
                answered.append(
                    session.get(f"{redirect.url}/r/{code}", allow_redirects=False, timeout=TIMEOUT).status_code
                )

    clients = [threading.Thread(target=click) for _ in range(4)]
    for client in clients:
        client.start()
    time.sleep(1)
    with freeze(owned_redis):
        time.sleep(FROZEN_S)
    time.sleep(1)
    stop.set()
    for client in clients:
        client.join(TIMEOUT)
    redirected = answered.count(302)
    assert redirected == len(answered), f"not every request was a redirect: {set(answered)}"

    def counted() -> int:
        response = requests.get(f"{stats.url}/api/stats/{code}", params={"window": "60m"}, timeout=TIMEOUT)
        return response.json()["total"]

    wait_until(lambda: counted() >= redirected, 30, f"{redirected} clicks counted")
    time.sleep(2)  # time for any click counted twice to show
    figure(f"Redis frozen {FROZEN_S} s under 4 clients", f"{redirected} redirects answered, {counted()} clicks counted")
    assert counted() == redirected
