"""make load's locustfile against the real services: every kind of request it makes is
answered without a failure (Locust exits non-zero on any), and the links it made are
gone when it ends."""

from __future__ import annotations

import csv
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from snipdev import ROOT

LOCUSTFILE = ROOT / "kustomize" / "components" / "loadgenerator" / "locustfile.py"
NEEDED = ["links", "redirect", "stats", "web"]

pytestmark = pytest.mark.skipif(
    any(importlib.util.find_spec(package) is None for package in NEEDED),
    reason="the load generator drives every service: " + ", ".join(NEEDED),
)


def test_steady_load_reaches_every_service_without_failures_and_cleans_up(start, start_worker, service_env, tmp_path):
    links = start("links", "links.wsgi:app", service_env("links"))
    redirect = start("redirect", "redirect.wsgi:app", service_env("redirect"))
    stats = start("stats-api", "stats.wsgi:app", service_env("stats"))
    start_worker()
    web = start(
        "web",
        "web.wsgi:app",
        service_env("web", LINKS_URL=links.url, STATS_URL=stats.url),
    )
    env = {
        **os.environ,
        "WEB_URL": web.url,
        "LINKS_URL": links.url,
        "REDIRECT_URL": redirect.url,
        "STATS_URL": stats.url,
        "LOAD_USERS": "10",
        "LOAD_SPAWN_RATE": "10",
        "LOAD_MINUTES": "0.1",
    }
    locust = Path(sys.executable).parent / "locust"
    result = subprocess.run(
        [str(locust), "-f", str(LOCUSTFILE), "--headless", "--only-summary", "--csv", str(tmp_path / "load")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    with open(tmp_path / "load_stats.csv", newline="") as fh:
        counts = {row["Name"]: int(row["Request Count"]) for row in csv.DictReader(fh)}
    assert counts["links POST"] >= 10  # every user creates a link when it arrives
    assert counts["redirect /r/[code]"] > 0
    left = requests.get(f"{links.url}/api/links", params={"limit": 100}, timeout=5).json()["items"]
    assert [link["url"] for link in left if "/articles/" in link["url"]] == [], "the run's links were not deleted"
