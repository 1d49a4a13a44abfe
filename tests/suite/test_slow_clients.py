"""Clients that send their requests slowly cost the service no thread: with 200 of them
open, everyone else is served; each slow one gets a 408 once CLIENT_TIMEOUT_S has passed."""

from __future__ import annotations

import contextlib
import selectors
import socket
import statistics
import time

import requests

from testkit.load import SteadyLoad

SLOW = 200
CLIENT_TIMEOUT_S = 4
# Others give up after this: a /livez that needs it is stuck behind the slow clients.
OTHERS_TIMEOUT_S = 2


def open_slow_clients(port: int) -> list[socket.socket]:
    sockets = []
    for _ in range(SLOW):
        sock = socket.create_connection(("127.0.0.1", port))
        sock.sendall(b"GET /livez HTTP/1.1\r\nHost: snip\r\nX-Slow: ")  # and then a byte at a time
        sockets.append(sock)
    return sockets


def trickle(sockets: list[socket.socket], seconds: float) -> None:
    """Send each socket one more byte of its header every half second, for ``seconds``."""
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        for sock in sockets:
            with contextlib.suppress(OSError):  # answered and closed already
                sock.send(b"a")
        time.sleep(0.5)


def answers(sockets: list[socket.socket], wait_s: float) -> list[bytes]:
    """What each slow socket was answered, read until it closed (or ``wait_s`` passed)."""
    received = dict.fromkeys(sockets, b"")
    selector = selectors.DefaultSelector()
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    ends = time.monotonic() + wait_s
    while selector.get_map() and time.monotonic() < ends:
        for key, _ in selector.select(timeout=0.5):
            try:
                chunk = key.fileobj.recv(4096)
            except OSError:
                chunk = b""
            received[key.fileobj] += chunk
            if not chunk:
                selector.unregister(key.fileobj)
    selector.close()
    for sock in sockets:
        sock.close()
    return list(received.values())


def test_200_slow_clients_leave_the_service_to_everyone_else(start, service_env, figure):
    links = start("links", "links.wsgi:app", service_env("links", CLIENT_TIMEOUT_S=str(CLIENT_TIMEOUT_S)))
    latencies: list[float] = []

    def other(session: requests.Session):
        started = time.monotonic()
        path = "/livez" if len(latencies) % 2 else "/api/links?limit=1"
        response = session.get(f"{links.url}{path}", timeout=OTHERS_TIMEOUT_S)
        latencies.append(time.monotonic() - started)
        return response.status_code == 200, str(response.status_code)

    slow = open_slow_clients(links.port)
    opened = time.monotonic()
    with SteadyLoad(other, clients=2) as others:
        trickle(slow, CLIENT_TIMEOUT_S - 1)
    answered = answers(slow, wait_s=3 * CLIENT_TIMEOUT_S)
    held = time.monotonic() - opened

    assert others.failures() == [], "a client was not served while the slow ones were connected"
    timed_out = [a for a in answered if a.startswith(b"HTTP/1.1 408 ") and b'"code": "request_timeout"' in a]
    assert len(timed_out) == SLOW, f"{SLOW - len(timed_out)} slow clients were not answered 408: {answered[:2]}"
    p99 = statistics.quantiles(latencies, n=100, method="inclusive")[98]
    figure(
        f"links with {SLOW} slow clients (CLIENT_TIMEOUT_S={CLIENT_TIMEOUT_S})",
        f"{len(latencies)} other requests, p50 {statistics.median(latencies) * 1000:.1f} ms,"
        f" p99 {p99 * 1000:.1f} ms, max {max(latencies) * 1000:.0f} ms; every slow one a 408, all within {held:.1f} s",
    )
