"""A PostgreSQL outside the cluster, shaped like a managed database: reached at an address
of its own machine, TLS only (``hostssl`` with SCRAM passwords, no plain ``host`` line),
its certificate issued by a CA of its own for the name clients use (``postgres``).

The address must be one the cluster's pods reach: make cluster's pods reach the
machine's end of the cluster's veth (HOST_IP in scripts/cluster/lib.sh); on any other
cluster, set E2E_EXTERNAL_DB_ADDRESS (kind: the gateway of the `kind` Docker network).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from pathlib import Path

import psycopg2

from snipdev.embedded import EmbeddedPostgres, free_port

from .kube import MAKE_CLUSTER_KUBECONFIG, ROOT, Kube

ADDRESS_ENV = "E2E_EXTERNAL_DB_ADDRESS"
#: The names the server's certificate carries: what verify-full checks the URL's host
#: against (the external-database component's Service, and swap-database.sh's).
NAMES = ("postgres", "postgres-external")


def pod_reachable_address(kube: Kube) -> str | None:
    """Where pods of ``kube``'s cluster reach this machine, if known."""
    if os.environ.get(ADDRESS_ENV):
        return os.environ[ADDRESS_ENV]
    if kube.kubeconfig == MAKE_CLUSTER_KUBECONFIG:
        found = re.search(r"^HOST_IP=(\S+)$", (ROOT / "scripts" / "cluster" / "lib.sh").read_text(), re.M)
        return found.group(1) if found else None
    return None


def openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"openssl {args[0]}: {done.stderr.strip()}")


def make_certificates(folder: Path, names: tuple[str, ...]) -> None:
    """ca.crt, and server.crt/server.key for ``names``, signed by it."""
    key = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    ca = ("-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=snip e2e CA")
    openssl("req", "-x509", *key, *ca, cwd=folder)
    openssl("req", *key, "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={names[0]}", cwd=folder)
    (folder / "san.ext").write_text("subjectAltName=" + ",".join(f"DNS:{n}" for n in names) + "\n")
    openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.crt", "-days", "2", "-extfile", "san.ext", cwd=folder,
    )  # fmt: skip


def system_postgres() -> Path | None:
    """The machine's own PostgreSQL build (Debian's), which has TLS; the wheel's has none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


class ExternalPostgres:
    """The server, with database ``snip`` and a superuser password (:attr:`password`)."""

    def __init__(self, folder: Path, address: str):
        self.folder, self.address, self.port = folder, address, free_port()
        self.password = secrets.token_hex(16)
        self.server = EmbeddedPostgres(folder / "data", self.port, listen=address, bin_dir=system_postgres())

    @property
    def ca_file(self) -> Path:
        return self.folder / "ca.crt"

    @property
    def ca(self) -> str:
        return self.ca_file.read_text()

    def password_file(self) -> Path:
        """The superuser's password in a file of its own (for a script: never an argument)."""
        path = self.folder / "admin-password"
        path.write_text(self.password)
        path.chmod(0o600)
        return path

    def start(self) -> ExternalPostgres:
        make_certificates(self.folder, NAMES)
        self.server.init()
        data = self.server.data_dir
        for name in ("server.crt", "server.key"):
            (data / name).write_bytes((self.folder / name).read_bytes())
            (data / name).chmod(0o600)
            self.server.own(data / name)
        # The test's own checks come over the Unix socket; everything else needs TLS.
        (data / "pg_hba.conf").write_text("local all all trust\nhostssl all all 0.0.0.0/0 scram-sha-256\n")
        self.server.settings.update(ssl="on", ssl_cert_file="server.crt", ssl_key_file="server.key")
        self.server.start()
        self.execute(f"ALTER ROLE postgres PASSWORD '{self.password}'")
        self.execute("CREATE DATABASE snip")
        return self

    def connect(self, database: str = "snip"):
        return psycopg2.connect(host=str(self.server.data_dir), port=self.port, user="postgres", dbname=database)

    def execute(self, sql: str, database: str = "postgres") -> None:
        connection = self.connect(database)
        connection.autocommit = True
        try:
            connection.cursor().execute(sql)
        finally:
            connection.close()

    def rows(self, sql: str) -> list[tuple]:
        connection = self.connect()
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall()
        finally:
            connection.close()

    def role_sessions(self) -> list[tuple[str, bool]]:
        """(role, whether TLS) of each connection the services' roles have open."""
        return self.rows(
            "SELECT a.usename, s.ssl FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid)"
            " WHERE a.usename IN ('links', 'redirect', 'stats')"
        )

    def stop(self) -> None:
        self.server.stop()
