"""`make dev` on a machine with nothing set: embedded PostgreSQL and Redis, every
process type, JSON lines when its output is not a terminal, the URLs once all are ready,
and Ctrl-C (or closing the terminal) stops it all; a taken port or a bad setting stops it
before anything starts."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys

import pytest
import requests

from snipdev import ROOT
from snipdev.embedded import free_ports, scratch_folder
from snipdev.services import processes
from testkit.processes import wait_until


def answer(call):
    """The response of ``call``, or None while the server is not up yet."""
    try:
        return call()
    except requests.RequestException:
        return None


@pytest.fixture
def state():
    """make dev's state folder, in a scratch folder the embedded PostgreSQL's user may enter."""
    with scratch_folder("snip-dev-test-") as folder:
        yield folder / "state"


@pytest.fixture
def dev_env(state):
    """make dev's environment: free ports for everything, nothing of this run's servers."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "TEST_DATABASE_URL", "TEST_REDIS_URL", "LOG_FORMAT"}
    }
    names = [p.port_variable for p in processes()] + ["DEV_POSTGRES_PORT", "DEV_REDIS_PORT"]
    env.update({name: str(port) for name, port in zip(names, free_ports(len(names)), strict=True)})
    env.update(SNIP_STATE_DIR=str(state))
    return env


def make_dev(env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "snipdev.dev"], cwd=ROOT, env=env, **kwargs)


# Ctrl-C, and the terminal closing (SIGHUP): either stops every process and server.
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGHUP], ids=["ctrl-c", "terminal-closed"])
def test_make_dev_serves_links_and_web_and_stops_when_told(tmp_path, dev_env, stop):
    log = tmp_path / "dev.log"
    with open(log, "wb") as out:
        dev = make_dev(dev_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        links = f"http://127.0.0.1:{dev_env['LINKS_PORT']}"
        created = wait_until(
            lambda: answer(lambda: requests.post(f"{links}/api/links", json={"url": "https://dev.example"}, timeout=2)),
            60,
            "make dev answering POST /api/links",
        )
        assert created.status_code == 201
        code = created.json()["code"]
        assert requests.get(f"{links}/api/links/{code}", timeout=2).json()["url"] == "https://dev.example"
        home = wait_until(
            lambda: answer(lambda: requests.get(f"http://127.0.0.1:{dev_env['WEB_PORT']}/", timeout=5)),
            30,
            "web's home page",
        )
        assert home.status_code == 200 and f">{code}</a>" in home.text
        wait_until(lambda: "snip is ready" in log.read_text(), 30, "the URLs, once every process is ready")
    finally:
        dev.send_signal(stop)
        status = dev.wait(60)
    assert status == 0, log.read_text()[-4000:]
    entries = [json.loads(line) for line in log.read_text().splitlines()]  # every line is one JSON object
    ready = next(i for i, e in enumerate(entries) if e["message"].startswith("snip is ready"))
    urls = {e["process"]: e["url"] for e in entries[ready:] if "url" in e}
    assert urls == {p.name: f"http://127.0.0.1:{dev_env[p.port_variable]}/" for p in processes()}
    ports = [dev_env[name] for name in ("DEV_POSTGRES_PORT", "DEV_REDIS_PORT", "LINKS_PORT", "WEB_PORT")]
    for port in ports:
        assert subprocess.run(["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}"], capture_output=True).returncode != 0


def test_a_taken_port_stops_make_dev_before_it_starts_anything(dev_env, state):
    with socket.socket() as other:
        other.bind(("127.0.0.1", int(dev_env["WEB_PORT"])))
        other.listen()
        dev = make_dev(dev_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = dev.communicate(timeout=60)
    assert dev.returncode == 1, out + err
    assert f"port {dev_env['WEB_PORT']} (WEB_PORT) is taken" in err and "WEB_PORT=" in err
    assert not state.exists(), "make dev started something before refusing"


def test_a_bad_setting_stops_make_dev_naming_it(dev_env, state):
    dev_env["DEV_REDIS_PORT"] = "sixteen"
    done = subprocess.run([sys.executable, "-m", "snipdev.dev"], cwd=ROOT, env=dev_env, capture_output=True, text=True)
    assert done.returncode == 2
    assert "DEV_REDIS_PORT: must be a whole number (got 'sixteen')" in done.stderr
    assert not state.exists()
