"""snipkit.config: typed settings from the environment or NAME_FILE, all problems at once."""

from __future__ import annotations

import pytest

from snipkit import config
from snipkit.config import ConfigError, Setting

SETTINGS = [
    Setting("DATABASE_URL", config.url("postgresql"), secret=True),
    Setting("POOL", config.integer(1, 10), 4),
    Setting("DEBUG", config.boolean, False),
    Setting("API_TOKEN", str, secret=True),
]


def test_values_are_typed_and_defaults_fill_gaps():
    env = {"DATABASE_URL": "postgresql://u:p@h/db", "API_TOKEN": "t", "DEBUG": "yes"}
    values = config.load(SETTINGS, env)
    assert values == {"DATABASE_URL": "postgresql://u:p@h/db", "POOL": 4, "DEBUG": True, "API_TOKEN": "t"}


def test_every_problem_is_listed_in_one_error():
    with pytest.raises(ConfigError) as caught:
        config.load(SETTINGS, {"POOL": "eleven", "DEBUG": "maybe"})
    problems = "\n".join(caught.value.problems)
    assert len(caught.value.problems) == 4
    for name in (
        "DATABASE_URL: required",
        "POOL: must be a whole number",
        "DEBUG: must be one of",
        "API_TOKEN: required",
    ):
        assert name in problems


def test_secret_values_never_appear_in_errors():
    with pytest.raises(ConfigError) as caught:
        config.load(SETTINGS, {"DATABASE_URL": "mysql://user:hunter2@h/db", "API_TOKEN": "t"})
    assert "hunter2" not in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)


def test_value_can_come_from_a_file(tmp_path):
    secret = tmp_path / "token"
    secret.write_text("s3cret\n")
    values = config.load(SETTINGS, {"DATABASE_URL": "postgresql://h/db", "API_TOKEN_FILE": str(secret)})
    assert values["API_TOKEN"] == "s3cret"


def test_unreadable_file_and_double_source_are_problems(tmp_path):
    env = {
        "DATABASE_URL": "postgresql://h/db",
        "DATABASE_URL_FILE": str(tmp_path / "x"),
        "API_TOKEN_FILE": str(tmp_path / "missing"),
    }
    with pytest.raises(ConfigError) as caught:
        config.load(SETTINGS, env)
    problems = caught.value.problems
    assert any("set both DATABASE_URL and DATABASE_URL_FILE" in p for p in problems)
    assert any(p.startswith("API_TOKEN_FILE: cannot read") for p in problems)


def test_overrides_win_over_the_environment():
    values = config.load(SETTINGS, {"POOL": "2", "API_TOKEN": "t"}, {"DATABASE_URL": "postgresql://x/y", "POOL": 9})
    assert values["POOL"] == 9


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("postgresql://app:pw@db:5432/snip", "postgresql://app:***@db:5432/snip"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        ("postgresql://db/snip", "postgresql://db/snip"),
    ],
)
def test_urls_are_masked_for_logs(raw, shown):
    assert config.mask_url(raw) == shown


def test_describe_hides_secrets_and_masks_urls():
    values = {"DATABASE_URL": "postgresql://u:pw@h/db", "POOL": 4, "DEBUG": False, "API_TOKEN": "t0k"}
    shown = config.describe(SETTINGS, values)
    assert shown == {"DATABASE_URL": "postgresql://u:***@h/db", "POOL": 4, "DEBUG": False, "API_TOKEN": "***"}


def test_the_links_app_refuses_to_start_with_bad_config(monkeypatch):
    import links

    for name in ("DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DB_POOL_SIZE", "0")
    with pytest.raises(ConfigError) as caught:
        links.create_app()
    text = str(caught.value)
    for name in ("DATABASE_URL", "REDIS_URL", "PUBLIC_BASE_URL", "DB_POOL_SIZE"):
        assert name in text
