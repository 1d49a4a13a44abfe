"""The one gunicorn configuration every service uses: ``gunicorn -c python:snipkit.gunicorn_conf``.

Port, worker count, threads and the graceful timeout come from the environment, so the
same image runs as a small dev pod or a large prod pod.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading

# gunicorn treats every module-level name as a possible setting ("config" is one),
# so the kit's modules are imported under private names.
from snipkit import config as _config
from snipkit import health as _health
from snipkit import logs as _logs
from snipkit import metrics as _metrics
from snipkit import ports as _ports

SETTINGS = [
    _config.Setting("PORT", _config.integer(1, 65535), 8080),
    _config.Setting("WEB_CONCURRENCY", _config.integer(1, 64), 2, doc="worker processes"),
    _config.Setting("GUNICORN_THREADS", _config.integer(1, 256), 4, doc="threads per worker (gthread)"),
    _config.Setting("GRACEFUL_TIMEOUT", _config.integer(1, 600), 20, doc="seconds to finish in-flight requests"),
    _config.Setting(
        "SHUTDOWN_DELAY_S",
        _config.number(0),
        0,
        doc="seconds to keep serving after SIGTERM while /readyz says 503 (0 when a preStop pause does this)",
    ),
    _config.Setting("GUNICORN_TIMEOUT", _config.integer(1, 600), 30, doc="seconds before a stuck worker is killed"),
    _config.Setting(
        "CLIENT_TIMEOUT_S",
        _config.number(0.5),
        10,
        doc="how long a client may take to send a request, and to read each response (snipkit.worker)",
    ),
    _config.Setting("ACCESS_LOG", _config.boolean, True),
    _logs.LOG_LEVEL,
]


def _service_name() -> str:
    """SERVICE_NAME, else the package of the app gunicorn was asked to run ("links.wsgi:app")."""
    if os.environ.get("SERVICE_NAME"):
        return os.environ["SERVICE_NAME"]
    app_uri = next((arg for arg in reversed(sys.argv[1:]) if ":" in arg and not arg.startswith("-")), None)
    return (app_uri or os.environ.get("WSGI_APP") or "snip").split(".")[0].split(":")[0]


_logs.set_service_name(_service_name())
try:
    _settings = _config.load(SETTINGS)
except _config.ConfigError as exc:
    raise SystemExit(str(exc)) from None

# The app to serve when the command line names none: each service image sets WSGI_APP,
# because its exec-form CMD cannot spell the package from a build argument. An app on
# the command line (the Procfile's) wins.
wsgi_app = os.environ.get("WSGI_APP")
bind = f"0.0.0.0:{_settings['PORT']}"
workers = _settings["WEB_CONCURRENCY"]
threads = _settings["GUNICORN_THREADS"]
worker_class = "snipkit.worker.Worker"
# The master waits this long for workers before killing them: the drain delay counts too.
graceful_timeout = _settings["GRACEFUL_TIMEOUT"] + math.ceil(_settings["SHUTDOWN_DELAY_S"])
timeout = _settings["GUNICORN_TIMEOUT"]
keepalive = 5
# Without SO_REUSEPORT, keep-alive clients can all pile onto one gthread worker.
reuse_port = True
loglevel = _settings["LOG_LEVEL"].lower()
accesslog = "-" if _settings["ACCESS_LOG"] else None
errorlog = "-"
logger_class = "snipkit.logs.GunicornLogger"
# Containers have no writable /tmp guarantee beyond the emptyDir; /dev/shm is memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 - heartbeat files only
# The control socket (gunicorn 24+) wants a writable $HOME; containers run read-only.
control_socket_disable = True


def on_starting(server):
    """Stop if another process listens on PORT; then wipe the metrics directory, whose
    samples of a previous run's workers would be summed in.

    With reuse_port the master binds nothing and each worker binds the port itself, so
    without this check a taken port shows either as a second server sharing it (the
    requests split between the two) or as workers failing to bind, respawned forever.
    """
    # A master re-executed by USR2 (server.master_pid set) starts while the old one serves.
    if not server.master_pid and _ports.in_use(_settings["PORT"]):
        server.log.error(
            "port %s is in use by another process; stop that one or give this server another PORT",
            _settings["PORT"],
            extra={"port": _settings["PORT"]},
        )
        sys.exit(_PORT_IN_USE)
    _metrics.reset_multiprocess_dir()


# The exit status of a server that found its port taken (EX_UNAVAILABLE in sysexits.h).
_PORT_IN_USE = 69


def post_fork(server, worker):
    _logs.configure(_logs.service_name(), _settings["LOG_LEVEL"])
    worker.client_timeout_s = _settings["CLIENT_TIMEOUT_S"]


def post_worker_init(worker):
    """On SIGTERM, turn /readyz to 503 at once; stop accepting after SHUTDOWN_DELAY_S.

    The delay gives load balancers time to see the 503 and stop sending new requests
    before the listener closes; requests in flight then finish within GRACEFUL_TIMEOUT.
    """
    graceful_exit = worker.handle_exit
    delay = _settings["SHUTDOWN_DELAY_S"]

    def drain_then_exit(sig, frame):
        _health.start_draining()
        if delay:
            # A signal handler must not block; the worker loop keeps serving meanwhile.
            timer = threading.Timer(delay, graceful_exit, args=(sig, frame))
            timer.daemon = True
            timer.start()
        else:
            graceful_exit(sig, frame)

    signal.signal(signal.SIGTERM, drain_then_exit)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
