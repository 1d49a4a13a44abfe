"""Fixtures of the suite tests: stats workers, and web's form submitted as a browser would."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import requests

from testkit.processes import ServiceProcess


@pytest.fixture
def start_worker(started, service_env):
    """Start a ``stats worker`` process: ``start_worker(STATS_BATCH_SIZE="10")``; stopped at teardown."""
    command = [str(Path(sys.executable).parent / "stats"), "worker"]

    def run(wait: bool = True, **env: str) -> ServiceProcess:
        process = ServiceProcess("stats-worker", command, service_env("stats", **env))
        started.append(process)
        return process.start(wait=wait)

    return run


@pytest.fixture
def shorten():
    """Submit web's form as a browser would (same session, its CSRF token):
    ``shorten(web_url, url, request_id=None)`` -> the response (303 to the link's page)."""

    def submit(web_url: str, url: str, request_id: str | None = None) -> requests.Response:
        with requests.Session() as browser:
            home = browser.get(f"{web_url}/", timeout=5)
            token = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
            headers = {"X-Request-ID": request_id} if request_id else {}
            form = {"csrf_token": token, "url": url}
            return browser.post(f"{web_url}/links", data=form, headers=headers, allow_redirects=False, timeout=5)

    return submit
