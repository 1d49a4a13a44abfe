"""`make dev` on a machine with nothing set: embedded PostgreSQL and Redis, every
process type, JSON lines only, and Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests

from snipdev import ROOT
from snipdev.dev import PORTS
from snipdev.embedded import free_port
from snipdev.processes import wait_until


def answer(call):
    """The response of ``call``, or None while the server is not up yet."""
    try:
        return call()
    except requests.RequestException:
        return None


@pytest.fixture
def state():
    """make dev's state folder. Not under tmp_path: the embedded PostgreSQL runs as
    another user when we are root, and a pytest starting elsewhere on the machine
    closes its base folder to other users."""
    with tempfile.TemporaryDirectory(prefix="snip-dev-test-") as folder:
        yield Path(folder) / "state"


def test_make_dev_serves_links_and_web_and_stops_on_ctrl_c(tmp_path, state):
    ports = {name: str(free_port()) for name in PORTS}
    pg_port, redis_port = free_port(), free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL"}
    }
    env.update(ports, SNIP_STATE_DIR=str(state), DEV_POSTGRES_PORT=str(pg_port), DEV_REDIS_PORT=str(redis_port))
    log = tmp_path / "dev.log"
    with open(log, "wb") as out:
        dev = subprocess.Popen(
            [sys.executable, "-m", "snipdev.dev"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        links = f"http://127.0.0.1:{ports['LINKS_PORT']}"
        created = wait_until(
            lambda: answer(lambda: requests.post(f"{links}/api/links", json={"url": "https://dev.example"}, timeout=2)),
            60,
            "make dev answering POST /api/links",
        )
        assert created.status_code == 201
        code = created.json()["code"]
        assert requests.get(f"{links}/api/links/{code}", timeout=2).json()["url"] == "https://dev.example"
        home = wait_until(
            lambda: answer(lambda: requests.get(f"http://127.0.0.1:{ports['WEB_PORT']}/", timeout=5)),
            30,
            "web's home page",
        )
        assert home.status_code == 200 and f">{code}</a>" in home.text
    finally:
        dev.send_signal(signal.SIGINT)
        status = dev.wait(60)
    assert status == 0, log.read_text()[-4000:]
    lines = log.read_text().splitlines()
    assert lines, "make dev printed nothing"
    for line in lines:
        json.loads(line)  # every line is one JSON object
    for port in (pg_port, redis_port, int(ports["LINKS_PORT"]), int(ports["WEB_PORT"])):
        assert subprocess.run(["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"], capture_output=True).returncode != 0
