"""``make dev``: the whole suite on this machine, with no cluster and no Docker.

Backing services: DATABASE_URL and REDIS_URL from the environment or ``.env`` when set
(DATABASE_URL must be allowed to create roles: the services' roles and schemas are
created in it), else embedded PostgreSQL and Redis with data under ``.local/``. Then
migrations, then every process type of the Procfile. Ctrl-C stops everything,
embedded servers included.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
from pathlib import Path

from honcho.environ import parse as parse_env
from honcho.environ import parse_procfile

from . import ROOT, database, embedded
from .procfile import line, run

STATE = Path(os.environ.get("SNIP_STATE_DIR", ROOT / ".local"))
#: Fixed local ports (override with e.g. LINKS_PORT=9001); the Procfile reads them.
PORTS = {"WEB_PORT": 8000, "LINKS_PORT": 8001, "REDIRECT_PORT": 8002, "STATS_PORT": 8003, "STATS_WORKER_PORT": 8004}
#: Procfile process -> the port variable it binds.
PROCESS_PORTS = {
    "web": "WEB_PORT",
    "links": "LINKS_PORT",
    "redirect": "REDIRECT_PORT",
    "stats-api": "STATS_PORT",
    "stats-worker": "STATS_WORKER_PORT",
}
# honcho's exit status after Ctrl-C: stopping on request is a success.
_INTERRUPTED = 130
DEV_DATABASE = "snip"
# Throwaway local passwords: the embedded server listens on loopback only.
DEV_ROLES = {service: (service, f"dev-{service}") for service in database.ROLES}


def say(message: str, **fields) -> None:
    print(line("dev", message, **fields), flush=True)


def settings() -> dict[str, str]:
    """The environment, with ``.env`` filling in what it does not set."""
    values = {}
    env_file = ROOT / ".env"
    if env_file.exists():
        values.update(parse_env(env_file.read_text()))
    values.update(os.environ)
    return values


def postgres_port(env: dict[str, str]) -> int:
    return int(env.get("DEV_POSTGRES_PORT", "15432"))


def redis_port(env: dict[str, str]) -> int:
    return int(env.get("DEV_REDIS_PORT", "16379"))


def database_name(env: dict[str, str], admin_url: str) -> str:
    """The suite's database: ``snip`` on the embedded server, else the one DATABASE_URL names."""
    return DEV_DATABASE if not env.get("DATABASE_URL") else admin_url.rsplit("/", 1)[-1].split("?")[0]


def public_base_url(env: dict[str, str], ports: dict[str, str]) -> str:
    """Where links says short links are served: the local redirect, unless set."""
    return env.get("PUBLIC_BASE_URL", f"http://127.0.0.1:{ports['REDIRECT_PORT']}")


@contextlib.contextmanager
def backing_services(env: dict[str, str]):
    """Yield (admin PostgreSQL URL, Redis URL), starting embedded servers for what is not given."""
    with contextlib.ExitStack() as stack:
        pg_url, redis_url = env.get("DATABASE_URL"), env.get("REDIS_URL")
        if not pg_url:
            port = postgres_port(env)
            server = stack.enter_context(embedded.EmbeddedPostgres(STATE / "postgres", port))
            say("embedded PostgreSQL started", port=port, data=str(server.data_dir))
            pg_url = server.url
        if not redis_url:
            port = redis_port(env)
            server = stack.enter_context(embedded.EmbeddedRedis(STATE / "redis", port))
            say("embedded Redis started", port=port, data=str(server.data_dir))
            redis_url = server.url
        yield pg_url, redis_url


def main() -> int:
    env = settings()
    ports = {name: env.get(name, str(default)) for name, default in PORTS.items()}
    STATE.mkdir(exist_ok=True)
    # Honcho stops the processes on SIGINT; SIGTERM (a CI runner, systemd) should too.
    signal.signal(signal.SIGTERM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    with backing_services(env) as (admin_url, redis_url):
        db_name = database_name(env, admin_url)
        database.create_database(admin_url, db_name, exist_ok=True)
        urls = database.provision(admin_url, db_name, DEV_ROLES)
        applied = database.migrate(urls)
        say("database ready", database=db_name, migrations_applied=applied)
        process_env = {
            **env,
            **ports,
            "REDIS_URL": redis_url,
            "SNIP_STATE": str(STATE),
            "PUBLIC_BASE_URL": public_base_url(env, ports),
            "LINKS_URL": f"http://127.0.0.1:{ports['LINKS_PORT']}",
            "STATS_URL": f"http://127.0.0.1:{ports['STATS_PORT']}",
            # A new key each run costs only the forms left open in a browser tab.
            "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(32),
            "PATH": str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", ""),
            **{f"{service.upper()}_DATABASE_URL": url for service, url in urls.items()},
        }
        process_env.pop("DATABASE_URL", None)
        procfile = ROOT / "Procfile"
        for name in parse_procfile(procfile.read_text()).processes:
            if name in PROCESS_PORTS:
                say(f"{name}: http://127.0.0.1:{ports[PROCESS_PORTS[name]]}/", process=name)
        say("press Ctrl-C to stop everything")
        status = run(procfile, process_env, ROOT)
    say("stopped")
    return 0 if status == _INTERRUPTED else status


if __name__ == "__main__":
    sys.exit(main())
