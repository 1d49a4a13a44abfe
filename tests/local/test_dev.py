"""snipdev.dev: what each Procfile process is given, from the local settings."""

from __future__ import annotations

import shlex

from snipdev import dev, settings


def envs(root, **environ: str) -> dict[str, dict[str, str]]:
    local = settings.load(root, environ={"SNIP_STATE_DIR": "/srv/snip-state", **environ})
    urls = {"links": "postgresql://links@db/snip", "stats": "postgresql://stats@db/snip"}
    return {process.name: env for process, env in dev.process_envs(local, {"REDIS_URL": "redis://r"}, urls)}


def test_each_process_gets_its_name_port_metrics_folder_and_its_services_role(root):
    given = envs(root)
    assert {name: (env["SERVICE_NAME"], env["PORT"]) for name, env in given.items()} == {
        "web": ("web", "8000"),
        "links": ("links", "8001"),
        "redirect": ("redirect", "8002"),
        "stats-api": ("stats-api", "8003"),
        "stats-worker": ("stats-worker", "8004"),
    }
    assert given["stats-worker"]["PROMETHEUS_MULTIPROC_DIR"] == "/srv/snip-state/metrics/stats-worker"
    assert {name: env.get("DATABASE_URL") for name, env in given.items()} == {
        "web": None,
        "links": "postgresql://links@db/snip",
        "redirect": None,
        "stats-api": "postgresql://stats@db/snip",
        "stats-worker": "postgresql://stats@db/snip",
    }
    assert all(env["REDIS_URL"] == "redis://r" for env in given.values())


def test_gunicorn_processes_reload_edited_code_and_web_its_templates_unless_turned_off(root):
    given = envs(root)
    assert shlex.split(given["links"]["GUNICORN_CMD_ARGS"]) == ["--reload"]
    templates = str(root / "services" / "web" / "web" / "templates" / "**" / "*.html")
    assert shlex.split(given["web"]["GUNICORN_CMD_ARGS"]) == ["--reload", "--reload-extra-file", templates]
    assert "GUNICORN_CMD_ARGS" not in given["stats-worker"]  # no gunicorn: it imports its code once
    assert not any("GUNICORN_CMD_ARGS" in env for env in envs(root, DEV_RELOAD="off").values())


def test_every_port_make_dev_listens_on_is_checked_and_only_the_embedded_servers_it_starts(root):
    local = settings.load(root, environ={})
    assert dev.wanted_ports(local) == {
        "WEB_PORT": 8000,
        "LINKS_PORT": 8001,
        "REDIRECT_PORT": 8002,
        "STATS_API_PORT": 8003,
        "STATS_WORKER_PORT": 8004,
        "DEV_POSTGRES_PORT": 15432,
        "DEV_REDIS_PORT": 16379,
    }
    own = settings.load(root, environ={"DATABASE_URL": "postgresql://me@db/snip", "REDIS_URL": "redis://cache:6379/0"})
    assert "DEV_POSTGRES_PORT" not in dev.wanted_ports(own) and "DEV_REDIS_PORT" not in dev.wanted_ports(own)
