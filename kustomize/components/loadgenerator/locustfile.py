"""Load like the suite's users make it: mostly following short links, some creating
links, some reading click statistics and the web pages.

``make load`` runs it against ``make dev``'s ports; in a cluster the loadgenerator
component runs it against the Services (the URLs below come from the environment).
``LOAD_SHAPE=steady`` holds ``LOAD_USERS`` users; ``LOAD_SHAPE=spike`` adds bursts of
``LOAD_SPIKE_FACTOR`` times as many, to watch the HorizontalPodAutoscaler react. When the
run ends, the links it made are deleted again, so the suite's pages show what they
showed before (the clicks stay counted in stats).
"""

from __future__ import annotations

import os
import random

import requests
from locust import HttpUser, LoadTestShape, between, events, task

WEB_URL = os.environ.get("WEB_URL", "http://127.0.0.1:8000")
LINKS_URL = os.environ.get("LINKS_URL", "http://127.0.0.1:8001")
REDIRECT_URL = os.environ.get("REDIRECT_URL", "http://127.0.0.1:8002")
STATS_URL = os.environ.get("STATS_URL", "http://127.0.0.1:8003")

USERS = int(os.environ.get("LOAD_USERS", "20"))
SPAWN_RATE = float(os.environ.get("LOAD_SPAWN_RATE", "5"))
# 0: run until stopped (the in-cluster generator); make load passes a number.
MINUTES = float(os.environ.get("LOAD_MINUTES", "0"))
SHAPE = os.environ.get("LOAD_SHAPE", "steady")
SPIKE_FACTOR = int(os.environ.get("LOAD_SPIKE_FACTOR", "5"))
if SHAPE not in ("steady", "spike"):
    raise SystemExit(f"LOAD_SHAPE must be steady or spike (got {SHAPE!r})")

# Codes created during the run, shared by every simulated user: popular links are
# followed by many people, not only by whoever made them.
codes: list[str] = []


@events.test_stop.add_listener
def delete_created_links(**_kwargs) -> None:
    """Delete every link the run made: otherwise they fill the first pages of web."""
    with requests.Session() as session:
        for code in codes:
            try:
                session.delete(f"{LINKS_URL}/api/links/{code}", timeout=5)
            except requests.RequestException:
                return  # links is gone; what is left is at most a page of test links
    codes.clear()


class Visitor(HttpUser):
    """One person: makes a link when they arrive, then mostly follows links."""

    host = WEB_URL
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.create_link()

    def _code(self) -> str | None:
        # Recent links are shared most: pick from the newest hundred.
        return random.choice(codes[-100:]) if codes else None  # noqa: S311 - traffic, not secrets

    @task(80)
    def follow_link(self) -> None:
        code = self._code()
        if code:
            # The 302 is the answer: following it would load someone else's site.
            self.client.get(f"{REDIRECT_URL}/r/{code}", name="redirect /r/[code]", allow_redirects=False)

    @task(5)
    def create_link(self) -> None:
        url = f"https://example.com/articles/{random.randrange(10**9)}"  # noqa: S311 - traffic, not secrets
        with self.client.post(f"{LINKS_URL}/api/links", json={"url": url}, name="links POST", catch_response=True) as r:
            if r.status_code == 201:
                codes.append(r.json()["code"])
            else:
                r.failure(f"links answered {r.status_code}")

    @task(6)
    def link_stats(self) -> None:
        code = self._code()
        if code:
            self.client.get(f"{STATS_URL}/api/stats/{code}", name="stats-api /api/stats/[code]")

    @task(2)
    def top_links(self) -> None:
        self.client.get(f"{STATS_URL}/api/stats/top", name="stats-api /api/stats/top")

    @task(5)
    def home_page(self) -> None:
        self.client.get(f"{WEB_URL}/", name="web /")

    @task(2)
    def link_page(self) -> None:
        code = self._code()
        if code:
            self.client.get(f"{WEB_URL}/links/{code}", name="web /links/[code]")


class Traffic(LoadTestShape):
    """``steady``: ramp up to USERS and hold. ``spike``: USERS, with a burst of
    SPIKE_FACTOR x USERS for one minute in every three."""

    def tick(self) -> tuple[int, float] | None:
        elapsed = self.get_run_time()
        if MINUTES and elapsed > MINUTES * 60:
            return None
        if SHAPE == "spike" and elapsed % 180 >= 120:
            # Spawn the burst within ten seconds: a spike, not a ramp.
            return USERS * SPIKE_FACTOR, USERS * SPIKE_FACTOR / 10
        return USERS, SPAWN_RATE
