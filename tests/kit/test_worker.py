"""snipkit.worker's two rules, without a server: when a request has arrived (the event
loop hands it to a thread only then), and how long a thread waits on its client."""

from __future__ import annotations

import socket

import pytest

from snipkit.errors import ClientTimeout
from snipkit.worker import READ_AHEAD, _arrived, _Deadlines

GET = b"GET /livez HTTP/1.1\r\nHost: snip\r\n"
POST = b"POST /api/links HTTP/1.1\r\nHost: snip\r\nContent-Length: 12\r\n\r\n"


@pytest.mark.parametrize(
    ("data", "arrived"),
    [
        (GET, False),
        (GET + b"\r\n", True),
        (b"GET /livez HTTP/1.1\nHost: snip\n\n", True),  # bare LF: the parser refuses it, not the loop
        (POST + b'{"url": ', False),
        (POST + b'{"url": "x"}', True),
        (b"POST / HTTP/1.1\r\nContent-Length: 999999\r\n\r\n", True),  # the thread refuses it, unread
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", False),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", True),
        (b"X" * READ_AHEAD, True),  # as much as is read ahead: the parser takes it from there
    ],
)
def test_a_request_has_arrived_once_its_head_and_body_have(data, arrived):
    assert _arrived(data) is arrived


@pytest.fixture
def pair():
    server, client = socket.socketpair()
    yield server, client
    server.close()
    client.close()


def test_reading_ends_at_the_deadline_however_the_bytes_trickle(pair):
    server, client = pair
    deadlines = _Deadlines(server, timeout_s=0.3)
    client.sendall(b"a")
    assert deadlines.recv(10) == b"a"
    with pytest.raises(ClientTimeout):
        while True:  # a byte now and then would never end a recv timeout; the deadline does
            client.sendall(b"b")
            deadlines.recv(1)


def test_writing_to_a_client_that_does_not_read_ends_too(pair):
    server, _client = pair
    with pytest.raises(ClientTimeout):
        _Deadlines(server, timeout_s=0.3).sendall(b"x" * 50_000_000)
    assert server.gettimeout() is None, "the socket is left blocking, as gunicorn expects"
