"""A server never shares its port: gunicorn's workers bind with SO_REUSEPORT, so without
the check in snipkit.gunicorn_conf a second server on a taken port would take half the
first one's requests, and one facing another program would respawn workers forever."""

from __future__ import annotations

import socket

import requests

from testkit.processes import ServiceProcess


def test_a_second_server_on_a_taken_port_stops_and_the_first_keeps_every_request(start, started, service_env):
    links = start("links", "links.wsgi:app", service_env("links"))
    second = ServiceProcess.gunicorn("web", "web.wsgi:app", service_env("web", LINKS_URL=links.url), port=links.port)
    started.append(second)
    second.start(wait=False)
    assert second.process.wait(30) == 69
    refusal = next(e for e in second.log_entries() if e["level"] == "ERROR")
    assert refusal["port"] == links.port and f"port {links.port} is in use" in refusal["message"]
    with requests.Session() as client:
        answers = {client.get(f"{links.url}/openapi.json", timeout=5).status_code for _ in range(20)}
    assert answers == {200}  # web has no /openapi.json: none of these reached it


def test_a_port_another_program_holds_stops_the_server_instead_of_respawning_workers(started, service_env):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        server = ServiceProcess.gunicorn("links", "links.wsgi:app", service_env("links"), port=port)
        started.append(server)
        server.start(wait=False)
        assert server.process.wait(30) == 69
    assert not server.worker_pids(), "a worker was booted on a port it could not have"
