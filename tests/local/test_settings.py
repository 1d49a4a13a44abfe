"""snipdev.settings: one set of local settings, from the environment, then .env, then
defaults; a port per Procfile process, and every bad value named."""

from __future__ import annotations

import pytest

from snipdev import ROOT, settings
from snipdev.embedded import free_port
from snipkit.config import ConfigError


def test_each_procfile_process_gets_a_port_in_its_order(root):
    local = settings.load(root, environ={})
    assert [(p.name, local.port(p.name)) for p in local.processes] == [
        ("web", 8000),
        ("links", 8001),
        ("redirect", 8002),
        ("stats-api", 8003),
        ("stats-worker", 8004),
    ]
    assert local.client_urls() == {
        "WEB_URL": "http://127.0.0.1:8000",
        "LINKS_URL": "http://127.0.0.1:8001",
        "REDIRECT_URL": "http://127.0.0.1:8002",
        "STATS_URL": "http://127.0.0.1:8003",
    }


def test_a_process_added_to_the_procfile_gets_the_next_port_and_a_setting_of_its_own(root):
    with open(root / "Procfile", "a") as procfile:
        procfile.write("qr-codes: exec gunicorn -c python:snipkit.gunicorn_conf qr.wsgi:app\n")
    assert settings.load(root, environ={}).port("qr-codes") == 8005
    assert settings.load(root, environ={"QR_CODES_PORT": "9105"}).port("qr-codes") == 9105


def test_the_environment_wins_over_dot_env_which_wins_over_defaults(root, monkeypatch):
    for name in ("WEB_PORT", "REDIRECT_PORT", "LOG_FORMAT", "SNIP_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    (root / ".env").write_text("WEB_PORT=9100\nLINKS_PORT=9101\nLOG_FORMAT=json\n")
    monkeypatch.setenv("LINKS_PORT", "9201")
    local = settings.load(root)
    assert (local.port("web"), local.port("links"), local.port("redirect")) == (9100, 9201, 8002)
    assert local.values["LOG_FORMAT"] == "json"
    assert local.state_dir == (ROOT / ".local").absolute()


def test_every_bad_setting_is_named_at_once(root):
    with pytest.raises(ConfigError) as caught:
        settings.load(root, environ={"WEB_PORT": "70000", "LOG_FORMAT": "pretty", "DEV_RELOAD": "maybe"})
    assert caught.value.problems == [
        "WEB_PORT: must be at most 65535 (got '70000')",
        "LOG_FORMAT: must be one of auto, text, json (got 'pretty')",
        "DEV_RELOAD: must be one of true/false, 1/0, yes/no, on/off (got 'maybe')",
    ]


def test_two_settings_on_one_port_are_refused(root):
    with pytest.raises(ConfigError) as caught:
        settings.load(root, environ={"STATS_API_PORT": "8001", "DEV_REDIS_PORT": "8000"})
    assert caught.value.problems == [
        "STATS_API_PORT: 8001 is also LINKS_PORT; give each its own port",
        "DEV_REDIS_PORT: 8000 is also WEB_PORT; give each its own port",
    ]


def test_urls_stops_a_script_when_the_suite_does_not_answer(monkeypatch, capsys):
    for process in settings.processes():
        monkeypatch.setenv(process.port_variable, str(free_port()))
    assert settings.main(["urls"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and "start `make dev` first" in captured.err
