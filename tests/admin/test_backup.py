"""backup.sh and restore.sh (admin-jobs/backup/, what the backup CronJob runs) against
real PostgreSQL, with the system's pg_dump and pg_restore when they match the server."""

from __future__ import annotations

import json
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from snipdev import admin, database


def rows_of_every_table(sandbox, name: str) -> dict[str, list[tuple]]:
    """Every row of every table of database ``name`` (every service's schema), in a stable order."""
    with closing(psycopg2.connect(database.with_database(sandbox.admin_url, name))) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
        )
        tables = [name for (name,) in cur.fetchall()]
        snapshot = {}
        for table in tables:
            # Table names come from the catalog above, never from input.
            cur.execute(f"SELECT * FROM {table}")
            snapshot[table] = sorted(cur.fetchall(), key=repr)
    return snapshot


def run_sql(url: str, statement: str) -> None:
    with closing(psycopg2.connect(url)) as conn, conn, conn.cursor() as cur:
        cur.execute(statement)


@pytest.fixture
def source(new_database):
    """A migrated database with links, an expiring one and an idempotency key."""
    name, urls = new_database("source")
    database.migrate(urls)
    run_sql(
        urls["links"],
        "INSERT INTO links (code, url, expires_at) VALUES ('one', 'https://e.example/1', NULL),"
        " ('two', 'https://e.example/2', '2031-01-01T00:00:00Z');"
        " INSERT INTO idempotency_keys (key, fingerprint, status, response) VALUES ('k', 'f', 201, '{\"a\": 1}')",
    )
    return name, urls


def log_lines(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines()]


def backup(sandbox, name: str, folder: Path, **env: str):
    return admin.run_script("backup.sh", sandbox.admin_url, name, capture=True, BACKUP_DIR=str(folder), **env)


def restore(sandbox, name: str, dump: str, folder: Path):
    return admin.run_script("restore.sh", sandbox.admin_url, name, dump, capture=True, BACKUP_DIR=str(folder))


def only_dump(folder: Path) -> str:
    (dump,) = [p.name for p in folder.iterdir()]
    return dump


def test_a_backup_restored_into_a_new_database_has_every_row(sandbox, source, new_database, tmp_path):
    name, _urls = source
    done = backup(sandbox, name, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    (written,) = log_lines(done.stdout)
    assert written["message"] == "backup written" and written["file"] == only_dump(tmp_path)
    assert written["bytes"] == (tmp_path / written["file"]).stat().st_size
    assert only_dump(tmp_path).startswith(f"{name}-")

    copy, copy_urls = new_database("copy")
    done = restore(sandbox, copy, only_dump(tmp_path), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert log_lines(done.stdout)[-1]["message"] == "backup restored"
    restored = rows_of_every_table(sandbox, copy)
    assert restored == rows_of_every_table(sandbox, name)
    assert {"links.links", "stats.clicks_per_minute", "redirect.pending_clicks"} <= set(restored)
    # Owners and grants came back too: links writes its tables, redirect reads them.
    run_sql(copy_urls["links"], "INSERT INTO links (code, url) VALUES ('three', 'https://e.example/3')")
    run_sql(copy_urls["redirect"], "SELECT url FROM links.links WHERE code = 'three'")


def test_restoring_over_changed_data_brings_the_backup_back(sandbox, source, tmp_path):
    name, urls = source
    before = rows_of_every_table(sandbox, name)
    assert backup(sandbox, name, tmp_path).returncode == 0
    run_sql(
        urls["links"],
        "DELETE FROM links WHERE code = 'one'; INSERT INTO links (code, url) VALUES ('new', 'https://n.example')",
    )
    assert restore(sandbox, name, only_dump(tmp_path), tmp_path).returncode == 0
    assert rows_of_every_table(sandbox, name) == before


def test_only_the_newest_dumps_are_kept(sandbox, source, tmp_path):
    name, _urls = source
    old = [f"{name}-2020010{day}T000000Z.dump" for day in (1, 2, 3)]
    for file in [*old, f".{name}-20200104T000000Z.dump.partial"]:
        (tmp_path / file).write_text("an older dump")
    done = backup(sandbox, name, tmp_path, BACKUP_KEEP="2")
    assert done.returncode == 0, done.stdout + done.stderr
    new = log_lines(done.stdout)[0]["file"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [old[2], new]
    removed = [line["file"] for line in log_lines(done.stdout) if line["message"] == "old backup removed"]
    assert removed == old[:2]


def test_a_failed_backup_says_why_and_leaves_no_file(sandbox, source, tmp_path):
    name, _urls = source
    done = backup(sandbox, name, tmp_path, PGPORT="1")
    assert done.returncode == 1
    (error,) = log_lines(done.stdout)
    assert error["level"] == "ERROR" and error["message"].startswith("pg_dump failed: ")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("dump", "message"),
    [("snip-20200101T000000Z.dump", "no such dump"), ("broken.dump", "restore failed, nothing was changed: ")],
)
def test_a_failed_restore_says_why_and_changes_nothing(sandbox, source, tmp_path, dump, message):
    name, _urls = source
    (tmp_path / "broken.dump").write_text("not a dump")
    before = rows_of_every_table(sandbox, name)
    done = restore(sandbox, name, dump, tmp_path)
    assert done.returncode == 1
    (error,) = log_lines(done.stdout)
    assert error["level"] == "ERROR" and error["message"].startswith(message)
    assert rows_of_every_table(sandbox, name) == before


def test_make_restore_without_a_file_shows_the_usage(capsys):
    assert admin.main(["restore", ""]) == 2
    assert "make restore FILE=" in json.loads(capsys.readouterr().out)["message"]


def test_make_targets_say_when_make_dev_is_not_running(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/snip")
    assert admin.main(["backup"]) == 1
    assert json.loads(capsys.readouterr().out)["message"] == "PostgreSQL does not answer: start `make dev` first"
