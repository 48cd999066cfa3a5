"""Settings come from one table: the dataclass, the README's table and startup checks agree."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import typing
from pathlib import Path

import pytest

from app import readme_tables
from app.__main__ import main
from app.settings import PROJECT_ROOT, SETTINGS, SettingError, Settings
from app.settings.declarations import Kind
from app.settings.readme import markdown_table, with_table
from app.settings.table import PREFIX

README = PROJECT_ROOT / "README.md"

PYTHON_TYPE = {
    Kind.INT: int,
    Kind.FLOAT: float,
    Kind.FLAG: bool,
    Kind.OPTIONAL_FLAG: bool | None,
    Kind.STRING: str,
    Kind.OPTIONAL_STRING: str | None,
    Kind.PATH: Path,
    Kind.LIST: tuple[str, ...],
}

# Names from before the REGISTRY_ prefix rule; every other setting must follow it.
UNPREFIXED = {
    "HOST",
    "PORT",
    "DB_POOL_MIN",
    "DB_POOL_MAX",
    "DB_STATEMENT_CACHE_SIZE",
    "POOL_ACQUIRE_TIMEOUT_S",
    "STATEMENT_TIMEOUT_MS",
    "REQUEST_TIMEOUT_S",
    "DB_RETRY_WINDOW_S",
    "MAX_BODY_BYTES",
    "MAX_RESPONSE_OBJECTS",
    "CORS_ALLOW_ORIGINS",
    "SHUTDOWN_GRACE_S",
    "ACCESS_LOG",
}


def readme_rows() -> dict[str, list[str]]:
    """The README's Configuration rows by variable: [type, default, meaning]."""
    text = README.read_text()
    section = text[text.index("### Configuration") :]
    rows = {}
    for line in section.splitlines()[2:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [c.strip() for c in line.strip("|").split(" | ")]
        if cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_readme_configuration_table_is_generated_from_the_settings_table():
    text = README.read_text()
    assert with_table(text) == text, (
        "README.md's Configuration table differs from app/settings/table.py: "
        "run `.venv/bin/python -m app readme-tables --write`"
    )


def test_readme_tables_command_prints_the_tables(capsys):
    assert main(["readme-tables"]) == 0
    assert capsys.readouterr().out == markdown_table() + "\n" + readme_tables.errors_table()


def test_readme_error_table_is_generated_from_the_codes():
    text = README.read_text()
    rendered = readme_tables.errors_table()
    assert readme_tables.with_table(text, readme_tables.ERRORS_HEADING, rendered) == text, (
        "README.md's error table differs from app/errors.py: "
        "run `.venv/bin/python -m app readme-tables --write`"
    )


def test_every_settings_attribute_comes_from_one_row_of_the_table():
    hints = typing.get_type_hints(Settings)
    assert [f.name for f in dataclasses.fields(Settings)] == list(hints)
    assert sorted(s.attr for s in SETTINGS) == sorted(hints)
    assert len({s.name for s in SETTINGS}) == len(SETTINGS)
    for s in SETTINGS:
        assert hints[s.attr] == PYTHON_TYPE[s.kind], s.name
        default = getattr(Settings.from_env({}), s.attr)
        if typing.get_origin(hints[s.attr]) is tuple:
            assert isinstance(default, tuple) and all(isinstance(x, str) for x in default)
        else:
            assert isinstance(default, hints[s.attr]), s.name


def test_new_settings_take_the_registry_prefix_except_database_urls():
    for s in SETTINGS:
        is_database_url = s.name.startswith("DATABASE_") and s.name.rstrip("S").endswith("URL")
        assert s.name.startswith(PREFIX) or is_database_url or s.name in UNPREFIXED, s.name


def test_defaults_are_what_the_readme_says():
    defaults = Settings.from_env({})
    rows = readme_rows()
    assert set(rows) == {s.name for s in SETTINGS}
    for s in SETTINGS:
        shown = rows[s.name][1]
        expected = getattr(defaults, s.attr)
        if shown == "unset":
            assert expected is None, s.name
        elif shown == "empty":
            assert expected == (), s.name
        else:
            # Typing the shown default gives the default itself.
            typed = getattr(Settings.from_env({s.name: shown.strip("`")}), s.attr)
            if s.kind is Kind.PATH:
                typed = PROJECT_ROOT / typed
            assert typed == expected, s.name


def test_defaults_are_unchanged_by_the_table():
    assert Settings.from_env({}) == Settings(
        database_url=None,
        database_direct_url=None,
        event_retention_days=30.0,
        max_subscriptions_per_connection=20,
        max_subscriptions=5000,
        subscription_queue=256,
        feed_poll_s=5.0,
        feed_interval_ms=300.0,
        feed_token_check_s=2.0,
        ws_ping_interval_s=20.0,
        database_replica_urls=(),
        replica_max_lag_bytes=16 * 1024 * 1024,
        replica_poll_s=0.1,
        webhook_delivery=True,
        webhook_allow_private=False,
        webhook_ca_file=None,
        webhook_poll_s=1.0,
        webhook_timeout_s=10.0,
        webhook_lease_s=60.0,
        webhook_max_attempts=8,
        webhook_backoff_s=10.0,
        webhook_concurrency=8,
        data_dir=PROJECT_ROOT / "data" / "pg",
        host="127.0.0.1",
        port=8000,
        pool_min_size=2,
        pool_max_size=10,
        statement_cache_size=100,
        load_demo=None,
        require_read_auth=False,
        request_timeout_s=10.0,
        statement_timeout_ms=5000,
        pool_acquire_timeout_s=1.0,
        db_retry_window_s=5.0,
        max_body_bytes=1024 * 1024,
        body_timeout_s=10.0,
        header_timeout_s=10.0,
        keepalive_timeout_s=5,
        max_connections=1000,
        max_connections_per_client=100,
        max_response_objects=10_000,
        max_query_cost=1_000_000,
        cors_origins=(),
        shutdown_grace_s=10,
        workers=1,
        fast_path=True,
        access_log=True,
    )


@pytest.mark.parametrize(
    ("env", "attr", "value"),
    [
        ({"PORT": " 9000 "}, "port", 9000),
        ({"PORT": ""}, "port", 8000),
        ({"REQUEST_TIMEOUT_S": "0.3"}, "request_timeout_s", 0.3),
        ({"DATABASE_URL": ""}, "database_url", None),
        ({"DATABASE_URL": "postgresql://db/x"}, "database_url", "postgresql://db/x"),
        ({"DATABASE_REPLICA_URLS": "postgresql://r1/x, postgresql://r2/x"},
         "database_replica_urls", ("postgresql://r1/x", "postgresql://r2/x")),
        ({"REGISTRY_REPLICA_MAX_LAG_BYTES": "0"}, "replica_max_lag_bytes", 0),
        ({"REGISTRY_DATA_DIR": "/srv/pg"}, "data_dir", Path("/srv/pg")),
        ({"CORS_ALLOW_ORIGINS": " https://a.example, ,https://b.example"}, "cors_origins",
         ("https://a.example", "https://b.example")),
        ({"REGISTRY_REQUIRE_READ_AUTH": "Yes"}, "require_read_auth", True),
        ({"REGISTRY_REQUIRE_READ_AUTH": "on"}, "require_read_auth", True),
        ({"REGISTRY_REQUIRE_READ_AUTH": "0"}, "require_read_auth", False),
        ({"REGISTRY_FAST_PATH": "0"}, "fast_path", False),
        ({"REGISTRY_FAST_PATH": ""}, "fast_path", True),
        ({"ACCESS_LOG": "false"}, "access_log", False),
        # The optional flag keeps its three states.
        ({}, "load_demo", None),
        ({"REGISTRY_DEMO_DATA": "true"}, "load_demo", True),
        ({"REGISTRY_DEMO_DATA": "off"}, "load_demo", False),
        ({"DB_POOL_MIN": "3", "DB_POOL_MAX": "3"}, "pool_max_size", 3),
        ({"DB_STATEMENT_CACHE_SIZE": "0"}, "statement_cache_size", 0),
        ({"DB_RETRY_WINDOW_S": "0"}, "db_retry_window_s", 0.0),
    ],
)  # fmt: skip
def test_values_parse_by_their_kind(env, attr, value):
    assert getattr(Settings.from_env(env), attr) == value


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORT": "x"}, "PORT must be an integer, got 'x'"),
        ({"DB_POOL_MAX": "1.5"}, "DB_POOL_MAX must be an integer, got '1.5'"),
        ({"REQUEST_TIMEOUT_S": "soon"}, "REQUEST_TIMEOUT_S must be a number, got 'soon'"),
        ({"REGISTRY_BODY_TIMEOUT_S": "inf"}, "REGISTRY_BODY_TIMEOUT_S must be a finite number"),
        ({"REGISTRY_REQUIRE_READ_AUTH": "ture"}, "REGISTRY_REQUIRE_READ_AUTH must be 1/true/"),
        ({"REGISTRY_DEMO_DATA": "maybe"}, "REGISTRY_DEMO_DATA must be 1/true/yes/on or 0/"),
        ({"PORT": "0"}, "PORT must be between 1 and 65535, got '0'"),
        ({"PORT": "65536"}, "PORT must be between 1 and 65535, got '65536'"),
        ({"DB_POOL_MIN": "0"}, "DB_POOL_MIN must be at least 1, got '0'"),
        ({"DB_POOL_MIN": "11"}, "DB_POOL_MIN (11) must not be greater than DB_POOL_MAX (10)"),
        ({"DB_POOL_MIN": "4", "DB_POOL_MAX": "3"}, "DB_POOL_MIN (4) must not be greater than"),
        ({"REQUEST_TIMEOUT_S": "0"}, "REQUEST_TIMEOUT_S must be greater than 0, got '0'"),
        ({"POOL_ACQUIRE_TIMEOUT_S": "-1"}, "POOL_ACQUIRE_TIMEOUT_S must be greater than 0"),
        ({"REGISTRY_HEADER_TIMEOUT_S": "0"}, "REGISTRY_HEADER_TIMEOUT_S must be greater than 0"),
        ({"STATEMENT_TIMEOUT_MS": "0"}, "STATEMENT_TIMEOUT_MS must be at least 1"),
        ({"REGISTRY_KEEPALIVE_TIMEOUT_S": "0"}, "REGISTRY_KEEPALIVE_TIMEOUT_S must be at least 1"),
        ({"SHUTDOWN_GRACE_S": "-1"}, "SHUTDOWN_GRACE_S must be at least 0"),
        ({"DB_RETRY_WINDOW_S": "-0.5"}, "DB_RETRY_WINDOW_S must be at least 0"),
        ({"MAX_BODY_BYTES": "0"}, "MAX_BODY_BYTES must be at least 1"),
        ({"REGISTRY_MAX_CONNECTIONS": "0"}, "REGISTRY_MAX_CONNECTIONS must be at least 1"),
        ({"MAX_RESPONSE_OBJECTS": "-5"}, "MAX_RESPONSE_OBJECTS must be at least 1"),
        ({"REGISTRY_MAX_QUERY_COST": "0"}, "REGISTRY_MAX_QUERY_COST must be at least 1"),
        ({"DB_STATEMENT_CACHE_SIZE": "-1"}, "DB_STATEMENT_CACHE_SIZE must be at least 0"),
    ],
)
def test_malformed_and_out_of_range_values_are_refused_with_their_name(env, message):
    with pytest.raises(SettingError) as refused:
        Settings.from_env(env)
    assert str(refused.value).startswith(message)


def test_unknown_registry_variable_is_refused_with_its_name():
    with pytest.raises(SettingError, match=r"^unknown setting REGISTRY_FOO$"):
        Settings.from_env({"REGISTRY_FOO": "1"})
    with pytest.raises(SettingError, match=r"unknown setting REGISTRY_FAST_PATHS \(did you mean"):
        Settings.from_env({"REGISTRY_FAST_PATHS": "0"})
    # Even an empty one: it is still a typo of something, or a leftover.
    with pytest.raises(SettingError, match="REGISTRY_TYPO"):
        Settings.from_env({"REGISTRY_TYPO": ""})


def test_other_variables_are_not_ours_to_refuse():
    settings = Settings.from_env({"PATH": "/bin", "DATABASE_HOST": "x", "REGISTRYFOO": "1"})
    assert settings == Settings.from_env({})


@pytest.mark.process
@pytest.mark.parametrize(
    ("bad", "line"),
    [
        ({"REGISTRY_FOO": "1"}, "error: unknown setting REGISTRY_FOO"),
        ({"PORT": "eighty"}, "error: PORT must be an integer, got 'eighty'"),
    ],
)
def test_serve_with_a_bad_setting_exits_2_with_one_line_before_any_database(bad, line):
    with tempfile.TemporaryDirectory(prefix="registry-settings-") as root:
        data_dir = Path(root) / "pgdata"
        env = {k: v for k, v in os.environ.items() if not k.startswith(PREFIX)}
        env.pop("DATABASE_URL", None)
        env.update(REGISTRY_DATA_DIR=str(data_dir), **bad)
        done = subprocess.run(
            [sys.executable, "-m", "app", "serve"],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 2, done.stderr
        assert done.stderr == line + "\n"
        assert done.stdout == ""
        assert not data_dir.exists(), "no embedded server may be started"
