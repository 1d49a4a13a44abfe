"""Health and metrics for processes that are not web servers (a stream consumer, a
scheduler): the kit's ``/livez``, ``/readyz`` and ``/metrics`` served from a thread.

The app passed in is an ordinary kit app (:func:`snipkit.create_app` with its checks),
so a worker reports readiness and metrics exactly as the HTTP services do.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server


def serve_http(app: Flask, port: int, host: str = "0.0.0.0") -> BaseWSGIServer:  # noqa: S104 - a pod's probes come from outside
    """Serve ``app`` on ``port`` from a daemon thread; stop it with ``server.shutdown()``."""
    # One access line per probe every few seconds is noise; errors still get through.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server(host, port, app, threaded=True)
    threading.Thread(target=server.serve_forever, name="health-http", daemon=True).start()
    return server
