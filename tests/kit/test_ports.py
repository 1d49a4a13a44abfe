"""snipkit.ports.in_use: a listener holds its port, whether it shares it or not."""

from __future__ import annotations

import socket

from snipdev.embedded import free_port
from snipkit.ports import in_use


def listener(port: int, reuse_port: bool) -> socket.socket:
    """A listening socket set up as servers set theirs (gunicorn and werkzeug set SO_REUSEADDR)."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


def test_a_port_nobody_listens_on_is_free():
    assert not in_use(free_port())


def test_a_listener_holds_its_port_even_when_it_would_share_it():
    for reuse_port in (False, True):
        port = free_port()
        with listener(port, reuse_port):
            assert in_use(port), f"a listener with SO_REUSEPORT={reuse_port} went unseen"
        assert not in_use(port)


def test_a_stopped_servers_connections_waiting_out_time_wait_hold_no_port():
    port = free_port()
    with listener(port, reuse_port=False) as server:
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = server.accept()
        accepted.close()  # the server side closes first: its end of the pair waits in TIME_WAIT
        client.close()
    # A server restarted at once (make dev stopped and started again) finds its port free.
    assert not in_use(port)
