"""gunicorn's threaded worker, made safe to face slow clients, and answering in JSON.

Stock gthread hands a connection to a thread as soon as its first byte arrives, and the
thread then reads the rest of the request however slowly it comes: nine clients sending
their headers a byte at a time stopped a service (``/livez`` included). Here:

- A request's head, and its body up to :data:`READ_AHEAD` bytes, are read in the
  worker's event loop, which holds no thread: only a request that has arrived is given
  to one. It must arrive within ``client_timeout_s`` (``CLIENT_TIMEOUT_S``, 10 s) of its
  first byte, or of the connection for a new one; otherwise the client gets a 408 and
  the connection is closed.
- A thread serving a request spends at most ``client_timeout_s`` reading what is left of
  it (a larger body), and at most as long writing the response: a slow client can hold
  a thread for that long, never longer (:class:`_Deadlines`).
- gunicorn's own refusals (a malformed request line, 414, 431...) are the suite's JSON
  error, not an HTML page (:class:`_JsonErrors`).
- On SIGTERM the listening sockets close as soon as the worker stops accepting. Stock
  gthread keeps them open until the last request in flight is done, so connections the
  kernel queues meanwhile wait and are then reset; closed, they are refused at once, and
  with SO_REUSEPORT the kernel sends new connections to the process that replaces this one.
"""

from __future__ import annotations

import contextlib
import errno
import re
import selectors
import socket
import time
from collections import deque
from functools import partial

from gunicorn.workers.gthread import TConn, ThreadWorker

from .errors import ClientTimeout, json_error

#: How much of a request the event loop reads before a thread takes over: the head and
#: any body the suite accepts (MAX_BODY_BYTES, 16 KiB), with room to spare.
READ_AHEAD = 64 * 1024
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*([0-9]{1,9})[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)
_CHUNKED = re.compile(rb"^transfer-encoding:.*chunked", re.IGNORECASE | re.MULTILINE)


def _arrived(data: bytes) -> bool:
    """Whether ``data`` holds a whole request as far as the event loop can tell, or as
    much as it reads ahead. When it cannot tell (an odd head), the thread's parser
    decides, under the thread's own deadline: this only spares threads the waiting."""
    if len(data) >= READ_AHEAD:
        return True
    end = _HEAD_END.search(data)
    if end is None:
        return False
    head, body = data[: end.start()], data[end.end() :]
    if _CHUNKED.search(head):
        return body.endswith(b"0\r\n\r\n")
    length = _CONTENT_LENGTH.search(head)
    # A body larger than the read-ahead is the thread's to read (or to refuse unread).
    return length is None or len(body) >= int(length[1]) or int(length[1]) > READ_AHEAD - end.end()


def _response(status: int, reason: str, code: str, message: str) -> bytes:
    body = json_error(code, message)
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


class _Deadlines:
    """The client's socket as one request's thread uses it: reading may take until a
    deadline, and writing the response as long again from its first byte. A client
    that is slower meets :class:`ClientTimeout`."""

    def __init__(self, sock: socket.socket, timeout_s: float):
        self._sock = sock
        self._timeout_s = timeout_s
        self._read_by = time.monotonic() + timeout_s
        self._write_by: float | None = None

    def _remaining(self, by: float) -> float:
        remaining = by - time.monotonic()
        if remaining <= 0:
            raise ClientTimeout(f"the client did not keep up within {self._timeout_s:g} s")
        return remaining

    def recv(self, size: int) -> bytes:
        self._sock.settimeout(self._remaining(self._read_by))
        try:
            return self._sock.recv(size)
        except TimeoutError:
            raise ClientTimeout(f"the request did not arrive within {self._timeout_s:g} s") from None
        finally:
            self._sock.settimeout(None)

    def sendall(self, data: bytes) -> None:
        if self._write_by is None:
            self._write_by = time.monotonic() + self._timeout_s
        self._sock.settimeout(self._remaining(self._write_by))
        try:
            self._sock.sendall(data)
        except TimeoutError:
            raise ClientTimeout(f"the client did not read the response within {self._timeout_s:g} s") from None
        finally:
            self._sock.settimeout(None)

    def __getattr__(self, name: str):
        # fileno, shutdown, close, gettimeout... as the socket has them.
        return getattr(self._sock, name)


class _JsonErrors:
    """Stands in for the client's socket while gunicorn writes one of its own error pages
    (HTML, for a request it could not parse): sends the same status as the suite's JSON
    error instead. gunicorn still decides the status and logs the refusal."""

    def __init__(self, sock: socket.socket, exc: BaseException):
        self._sock = sock
        self._exc = exc

    def sendall(self, data: bytes) -> None:
        _version, status, reason = data.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
        code = reason.lower().replace(" ", "_").replace("-", "_")
        # What was wrong with the request, for a client's error; nothing internal otherwise.
        message = str(self._exc) if int(status) < 500 and str(self._exc) else "the server failed to handle this request"
        self._sock.sendall(_response(int(status), reason, code, message))

    def __getattr__(self, name: str):
        return getattr(self._sock, name)


class Worker(ThreadWorker):
    """gthread with the behaviours above; ``client_timeout_s`` is set from
    ``CLIENT_TIMEOUT_S`` by :mod:`snipkit.gunicorn_conf`."""

    client_timeout_s = 10.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Connections whose request is still arriving, oldest deadline first.
        self.arriving: deque[TConn] = deque()

    def accept(self, listener) -> None:
        try:
            client, address = listener.accept()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self._await_request(TConn(self.cfg, client, address, listener.getsockname()))

    def on_client_socket_readable(self, conn: TConn, client) -> None:
        # A kept-alive connection's next request has begun.
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._await_request(conn)

    def enqueue_req(self, conn: TConn) -> None:
        # gthread gives a kept-alive connection straight back to a thread when its next
        # request was sent along (pipelining): only one that has all arrived may take it.
        if getattr(conn, "arrived", None) is None and conn.parser is not None:
            sent_along = conn.parser.unreader.take_buffered()
            if not _arrived(sent_along):
                self._await_request(conn, sent_along)
                return
            conn.parser.unreader.unread(sent_along)
        super().enqueue_req(conn)

    def _await_request(self, conn: TConn, arrived: bytes = b"") -> None:
        conn.sock.setblocking(False)
        conn.arrived = bytearray(arrived)
        conn.deadline = time.monotonic() + self.client_timeout_s
        self.arriving.append(conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._read_ahead, conn))

    def _read_ahead(self, conn: TConn, client) -> None:
        try:
            data = client.recv(READ_AHEAD - len(conn.arrived))
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            conn.arrived += data
            if not _arrived(bytes(conn.arrived)):
                return
        self.poller.unregister(client)
        self.arriving.remove(conn)
        if data:
            conn.data_ready = True
            self.enqueue_req(conn)
        else:  # the client went away
            self.nr_conns -= 1
            conn.close()

    def murder_pending(self) -> None:
        """Also end the connections whose request did not arrive in time: a 408."""
        super().murder_pending()
        now = time.monotonic()
        while self.arriving and self.arriving[0].deadline <= now:
            conn = self.arriving.popleft()
            self.poller.unregister(conn.sock)
            message = f"the request did not arrive within {self.client_timeout_s:g} s"
            # The client may be gone, or not reading: either way it is closed now.
            with contextlib.suppress(OSError):
                conn.sock.send(_response(408, "Request Timeout", "request_timeout", message))
            self.nr_conns -= 1
            conn.close()

    def handle(self, conn: TConn):
        if getattr(conn, "arrived", None) is not None:
            arrived, conn.arrived = bytes(conn.arrived), None
            conn.sock.setblocking(True)
            conn.init()
            conn.parser.unreader.unread(arrived)
        conn.parser.unreader.sock = _Deadlines(conn.sock, self.client_timeout_s)
        return super().handle(conn)

    def handle_request(self, req, conn: TConn):
        sock = conn.sock
        conn.sock = conn.parser.unreader.sock  # the response too, under its deadline
        try:
            return super().handle_request(req, conn)
        except ClientTimeout as exc:
            self.log.warning("closing a connection to %s: %s", conn.client[0], exc)
            return False
        finally:
            conn.sock = sock

    def handle_error(self, req, client, addr, exc) -> None:
        super().handle_error(req, _JsonErrors(client, exc), addr, exc)

    def set_accept_enabled(self, enabled: bool) -> None:
        """Stop accepting; a worker that is stopping closes its listening sockets too.

        Why: stock gthread only stops polling them, and keeps them open until its last
        request in flight is done. Meanwhile the kernel still completes connections to
        the port and queues them, and when the worker exits they are reset: a client
        that could have gone elsewhere waited for nothing. Closed, the port refuses a
        connection at once, which a client or a proxy can retry safely (nothing was
        sent), and with SO_REUSEPORT the kernel gives new connections to the process
        that replaces this one (tests/suite/test_graceful_shutdown.py shows both workers).
        """
        super().set_accept_enabled(enabled)
        if not enabled and not self.alive:
            for listener in self.sockets:
                listener.close()
