"""Whether a port is free to listen on, asked before a server binds it.

gunicorn's workers bind with SO_REUSEPORT (snipkit.gunicorn_conf), which lets several
processes share one port: the kernel spreads new connections over all of them. That is
what the workers of one server want, and never two servers: a second one started on a
taken port would silently get half the requests of the first.
"""

from __future__ import annotations

import errno
import socket


def in_use(port: int, host: str = "0.0.0.0") -> bool:  # noqa: S104 - gunicorn_conf binds every interface
    """Whether some process listens on ``port`` already.

    The test binds without SO_REUSEPORT, which fails against any listener, one sharing
    its port or not; SO_REUSEADDR lets it pass over connections that closed a moment ago
    (TIME_WAIT), which hold no listener.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
            sock.listen(1)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False
