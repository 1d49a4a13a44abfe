"""Logs as an event stream: one JSON object per line on stdout, nothing else.

Every line carries timestamp, level, service, host, logger, message and request_id;
access lines add method, path, status and duration_ms. ``host`` is the pod's name in
Kubernetes, so the lines of many replicas, merged by a log router, still say which
replica served a request. gunicorn's error log and access log go
through the same formatter (see :class:`GunicornLogger`), so a log router such as
Fluent Bit parses one format for the whole suite.
"""

from __future__ import annotations

import json
import logging
import logging.config
import os
import socket
import sys
import time
from contextvars import ContextVar
from datetime import UTC, datetime

# json's C string encoder: a JSON string literal, quotes included.
from json.encoder import encode_basestring as _quote

from gunicorn.glogging import Logger as _GunicornBaseLogger

from .config import Setting, choice

#: The level of every logger, the app's and gunicorn's (read by both, declared here once).
LOG_LEVEL = Setting("LOG_LEVEL", choice("DEBUG", "INFO", "WARNING", "ERROR"), "INFO")

#: The id of the request being handled, set by :mod:`snipkit.requestid`.
request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

_SERVICE = {"name": os.environ.get("SERVICE_NAME", "snip")}
# Kubernetes sets HOSTNAME to the pod's name (so do Docker and podman for a container);
# read once, as it never changes for the life of a process.
_HOST = os.environ.get("HOSTNAME") or socket.gethostname()


def service_name() -> str:
    """The name every log line carries in ``service``."""
    return _SERVICE["name"]


def set_service_name(name: str) -> None:
    """Name the service before its first log line (gunicorn's master logs before the app exists)."""
    _SERVICE["name"] = name


# Attributes every LogRecord has; anything else was passed with ``extra=`` and is kept.
_STANDARD_ATTRS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _timestamp(created: float) -> str:
    return datetime.fromtimestamp(created, UTC).isoformat(timespec="milliseconds")


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line, with ``extra=`` fields kept as keys."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": _timestamp(record.created),
            "level": record.levelname,
            "service": _SERVICE["name"],
            "host": _HOST,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id_var.get(),
        }
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class StdoutHandler(logging.StreamHandler):
    """A handler for whatever ``sys.stdout`` is at the time of each record, so a test
    runner or a process manager that swaps stdout still receives the lines."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure(service: str, level: str = "INFO") -> None:
    """Send every logger's records to stdout as JSON lines at ``level``.

    Called before the app is created (and again in each gunicorn process); idempotent.
    """
    _SERVICE["name"] = service
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {"json": {"()": JsonFormatter}},
            "handlers": {"stdout": {"class": "snipkit.logs.StdoutHandler", "formatter": "json"}},
            # gunicorn's loggers do not propagate; GunicornLogger formats them.
            "root": {"level": level, "handlers": ["stdout"]},
        }
    )


class GunicornLogger(_GunicornBaseLogger):
    """gunicorn's error and access logs in the suite's JSON line format.

    Access lines skip ``logging`` and ``json.dumps``: on a hot route those cost a good
    share of the request itself. Each line is assembled from pre-quoted parts and goes
    out in one ``os.write``, which keeps lines whole when several workers share stdout.
    """

    def setup(self, cfg):
        super().setup(cfg)
        # gunicorn writes its error log to stderr; the suite's stream is stdout.
        handler = StdoutHandler()
        handler.setFormatter(JsonFormatter())
        self.error_log.handlers = [handler]
        self._access_enabled = bool(cfg.accesslog)
        self._stdout = sys.stdout.fileno()
        self._clock = _SecondsClock()
        self._binds = ",".join(f"http://{address}" for address in cfg.bind)

    def info(self, msg, *args, **kwargs):
        # With reuse_port the master opens no socket (each worker opens its own), so
        # gunicorn has nothing to name in "Listening at: %s (%s)"; name the address.
        if msg.startswith("Listening at:") and args and not args[0]:
            args = (self._binds, *args[1:])
        super().info(msg, *args, **kwargs)

    def access(self, resp, req, environ, request_time):
        if not self._access_enabled:
            return
        request_id = "null"
        for name, value in resp.headers:
            if name.lower() == "x-request-id":
                request_id = _quote(value)
                break
        remote = environ.get("REMOTE_ADDR")
        method, path, status = req.method, req.path, resp.status_code
        line = (
            f'{{"timestamp": "{self._clock.iso(time.time())}", "level": "INFO", '
            f'"service": {_quote(_SERVICE["name"])}, "host": {_quote(_HOST)}, "logger": "access", '
            f'"message": {_quote(f"{method} {path} {status}")}, "request_id": {request_id}, '
            f'"method": {_quote(method)}, "path": {_quote(path)}, "status": {status}, '
            f'"duration_ms": {round(request_time.total_seconds() * 1000, 2)}, '
            f'"remote_addr": {_quote(remote) if remote else "null"}}}\n'
        )
        os.write(self._stdout, line.encode())


class _SecondsClock:
    """ISO 8601 UTC timestamps with milliseconds, formatting the seconds once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def iso(self, now: float) -> str:
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._prefix}.{int((now - second) * 1000):03d}+00:00"
