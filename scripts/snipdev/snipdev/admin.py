"""``make db-upgrade``, ``make purge``, ``make seed``, ``make backup``, ``make restore
FILE=...``: the admin processes against ``make dev``'s backing services, run the way the
cluster runs them.

db-upgrade, purge and seed run each service's own command (``links db upgrade``,
``stats purge``...) with that service's role, as its Job or CronJob does; backup and
restore run the same scripts as the backup CronJob (admin-jobs/backup/), with the
pg_dump of the server's version. Start ``make dev`` first (in another terminal): this
finds its servers through the same local settings (snipdev.settings).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import psycopg2

from snipkit import config

from . import ROOT, database, dev, settings
from .procfile import line

SCRIPTS = ROOT / "admin-jobs" / "backup"
#: make target -> (service, its sub-command), in order; redirect's schema only holds
#: clicks waiting for Redis, which redirect itself moves on.
COMMANDS = {
    "db-upgrade": [(service, "db upgrade") for service in database.SCHEMA_OWNERS],
    "purge": [("links", "purge"), ("stats", "purge")],
    "seed": [("links", "seed-demo"), ("stats", "seed-demo")],
}


def say(message: str, level: str = "INFO", **fields) -> None:
    print(line("admin", message, level, **fields), flush=True)


def run_script(
    script: str, admin_url: str, db_name: str, *args: str, capture: bool = False, **env: str
) -> subprocess.CompletedProcess:
    """Run admin-jobs/backup/``script`` as a superuser of ``admin_url``'s server on
    ``db_name``, with the pg_dump and pg_restore of that server's version first on PATH;
    ``capture`` keeps its output (text) instead of passing it on."""
    path = database.pg_dump_dir(admin_url) + os.pathsep + os.environ.get("PATH", "")
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *args],
        env={**database.libpq_env(admin_url, db_name), "PATH": path, **env},
        capture_output=capture,
        text=True,
        check=False,
    )


def run_command(service: str, command: str, env: dict[str, str]) -> int:
    """``<service> <command>`` from this virtualenv, with the service's settings."""
    executable = Path(sys.executable).parent / service
    return subprocess.run([str(executable), *command.split()], env={**os.environ, **env}, check=False).returncode


def main(argv: list[str]) -> int:
    task, args = (argv[0], [a for a in argv[1:] if a]) if argv else ("", [])
    if task not in (*COMMANDS, "backup", "restore") or len(args) != (task == "restore"):
        tasks = " | ".join(f"make {name}" for name in (*COMMANDS, "backup"))
        say(f"usage: {tasks} | make restore FILE=<a dump in .local/backups>", "ERROR")
        return 2
    try:
        local = settings.load()
    except config.ConfigError as exc:
        print(f"make {task}: {exc}", file=sys.stderr)
        return 2
    admin_url, db_name = dev.admin_url(local), dev.database_name(local)
    backups = local.state_dir / "backups"
    try:
        psycopg2.connect(database.with_database(admin_url, db_name), connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        say("PostgreSQL does not answer: start `make dev` first", "ERROR", reason=str(exc).strip().splitlines()[0])
        return 1
    if task == "backup":
        backups.mkdir(parents=True, exist_ok=True)
        return run_script("backup.sh", admin_url, db_name, BACKUP_DIR=str(backups)).returncode
    if task == "restore":
        return run_script("restore.sh", admin_url, db_name, args[0], BACKUP_DIR=str(backups)).returncode
    service_settings = {"REDIS_URL": dev.redis_url(local), "PUBLIC_BASE_URL": dev.public_base_url(local)}
    for service, command in COMMANDS[task]:
        if importlib.util.find_spec(service) is None:
            continue  # a service not installed in this environment
        user, password = dev.DEV_ROLES[service]
        url = database.with_database(admin_url, db_name, user, password)
        status = run_command(service, command, {**service_settings, "SERVICE_NAME": service, "DATABASE_URL": url})
        if status != 0:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
