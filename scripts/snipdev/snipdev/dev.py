"""``make dev``: the whole suite on this machine, with no cluster and no Docker.

The settings are the local ones (snipdev.settings: the environment, then ``.env``).
Before anything starts, every port make dev will listen on is checked: a taken one
stops it with the setting that moves it. Backing services: DATABASE_URL and REDIS_URL
when set (DATABASE_URL must be allowed to create roles: the services' roles and schemas
are created in it), else embedded PostgreSQL and Redis with data under SNIP_STATE_DIR.
Then migrations, then every process type of the Procfile with its settings, and, once
each answers ``/readyz``, their URLs. Ctrl-C stops everything, embedded servers included.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import signal
import sys
import threading
import time
from pathlib import Path

from snipkit import config

from . import ROOT, database, embedded, ports, settings
from .console import ReadablePrinter
from .procfile import JsonPrinter, run
from .services import Process

# honcho's exit status after Ctrl-C: stopping on request is a success.
_INTERRUPTED = 130
DEV_DATABASE = "snip"
# Throwaway local passwords: the embedded server listens on loopback only.
DEV_ROLES = {service: (service, f"dev-{service}") for service in database.ROLES}


def printer_for(local: settings.Local, output=sys.stdout):
    """Readable lines on a terminal (coloured unless NO_COLOR is set), the services' JSON
    lines in a file or a pipe; LOG_FORMAT=text or json chooses either way."""
    terminal = output.isatty()
    chosen = local.values["LOG_FORMAT"]
    if chosen == "json" or (chosen == "auto" and not terminal):
        return JsonPrinter(output)
    return ReadablePrinter(output, colour=terminal and "NO_COLOR" not in local.environ)


def admin_url(local: settings.Local) -> str:
    """The superuser URL make dev uses: DATABASE_URL, else the embedded server's."""
    return local.values["DATABASE_URL"] or embedded.postgres_url(local.values["DEV_POSTGRES_PORT"])


def redis_url(local: settings.Local) -> str:
    return local.values["REDIS_URL"] or embedded.redis_url(local.values["DEV_REDIS_PORT"])


def database_name(local: settings.Local) -> str:
    """The suite's database: ``snip`` on the embedded server, else the one DATABASE_URL names."""
    url = local.values["DATABASE_URL"]
    return url.rsplit("/", 1)[-1].split("?")[0] if url else DEV_DATABASE


def public_base_url(local: settings.Local) -> str:
    """Where links says short links are served: the local redirect, unless set."""
    return local.values["PUBLIC_BASE_URL"] or local.url("redirect")


def wanted_ports(local: settings.Local) -> dict[str, int]:
    """Every port make dev will listen on, by the setting that moves it."""
    wanted = {p.port_variable: local.port(p.name) for p in local.processes}
    if not local.values["DATABASE_URL"]:
        wanted["DEV_POSTGRES_PORT"] = local.values["DEV_POSTGRES_PORT"]
    if not local.values["REDIS_URL"]:
        wanted["DEV_REDIS_PORT"] = local.values["DEV_REDIS_PORT"]
    return wanted


def reload_args(process: Process, root: Path = ROOT) -> str:
    """GUNICORN_CMD_ARGS for hot reload, as the dev overlay runs gunicorn: ``--reload``
    restarts the workers when a module they imported changes; templates are read once
    and cached, so a service's templates are watched too (static files are read per request)."""
    args = ["--reload"]
    templates = root / "services" / process.package / process.package / "templates"
    if templates.is_dir():
        args += ["--reload-extra-file", str(templates / "**" / "*.html")]
    return shlex.join(args)


def process_envs(local: settings.Local, common: dict[str, str], urls: dict[str, str]):
    """Each process with its environment: ``common``, then its own name, port and metrics
    folder, its service's DATABASE_URL (``urls``: service -> URL) and hot reload."""
    for process in local.processes:
        env = {
            **common,
            "SERVICE_NAME": process.name,
            "PORT": str(local.port(process.name)),
            "PROMETHEUS_MULTIPROC_DIR": str(local.state_dir / "metrics" / process.name),
        }
        if process.package in urls:
            env["DATABASE_URL"] = urls[process.package]
        if process.gunicorn and local.values["DEV_RELOAD"]:
            env["GUNICORN_CMD_ARGS"] = reload_args(process, local.root)
        yield process, env


@contextlib.contextmanager
def backing_services(local: settings.Local, printer):
    """Yield (admin PostgreSQL URL, Redis URL), starting embedded servers for what is not given."""
    with contextlib.ExitStack() as stack:
        if not local.values["DATABASE_URL"]:
            port = local.values["DEV_POSTGRES_PORT"]
            server = stack.enter_context(embedded.EmbeddedPostgres(local.state_dir / "postgres", port))
            printer.event("dev", "embedded PostgreSQL started", port=port, data=str(server.data_dir))
        if not local.values["REDIS_URL"]:
            port = local.values["DEV_REDIS_PORT"]
            server = stack.enter_context(embedded.EmbeddedRedis(local.state_dir / "redis", port))
            printer.event("dev", "embedded Redis started", port=port, data=str(server.data_dir))
        yield admin_url(local), redis_url(local)


def announce_when_ready(local: settings.Local, printer, started: float, stop: threading.Event) -> None:
    """Print every process's URL once all answer ``/readyz``: the last thing on screen."""
    pending = {p.name for p in local.processes}
    while pending and not stop.wait(0.2):
        pending = {name for name in pending if not settings.answering(local.url(name))}
    if not pending:
        rows = [(p.name, f"{local.url(p.name)}/") for p in local.processes]
        printer.banner(f"snip is ready in {time.monotonic() - started:.1f} s:", rows, "Ctrl-C stops everything")


def main() -> int:
    started = time.monotonic()
    try:
        local = settings.load()
    except config.ConfigError as exc:
        print(f"make dev: {exc}", file=sys.stderr)
        return 2
    problems = ports.taken(wanted_ports(local))
    if problems:
        print("\n".join(f"make dev: {problem}" for problem in problems), file=sys.stderr)
        return 1
    printer = printer_for(local)
    local.state_dir.mkdir(parents=True, exist_ok=True)
    # Honcho stops the processes on SIGINT; SIGTERM (a CI runner, systemd) and SIGHUP (the
    # terminal closed) should too, or the embedded servers would outlive make dev.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    with backing_services(local, printer) as (admin, redis):
        db_name = database_name(local)
        database.create_database(admin, db_name, exist_ok=True)
        urls = database.provision(admin, db_name, DEV_ROLES)
        applied = database.migrate(urls)
        printer.event("dev", "database ready", database=db_name, migrations_applied=applied)
        common = {
            **local.environ,
            **local.client_urls(),
            "REDIS_URL": redis,
            "PUBLIC_BASE_URL": public_base_url(local),
            # A new key each run costs only the forms left open in a browser tab.
            "SECRET_KEY": local.values["SECRET_KEY"] or secrets.token_urlsafe(32),
            "PATH": str(Path(sys.executable).parent) + os.pathsep + local.environ.get("PATH", ""),
        }
        common.pop("DATABASE_URL", None)
        stop = threading.Event()
        threading.Thread(target=announce_when_ready, args=(local, printer, started, stop), daemon=True).start()
        try:
            status = run(list(process_envs(local, common, urls)), ROOT, printer)
        finally:
            stop.set()
    printer.event("dev", "stopped")
    return 0 if status == _INTERRUPTED else status


if __name__ == "__main__":
    sys.exit(main())
