"""Configuration read once from the environment, as the table in app/settings/table.py declares."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.settings.declarations import PROJECT_ROOT, Setting, SettingError
from app.settings.table import ORDERED, PREFIX, SETTINGS

__all__ = ["PROJECT_ROOT", "SETTINGS", "Setting", "SettingError", "Settings"]

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment; one attribute per row of SETTINGS."""

    database_url: str | None
    database_direct_url: str | None
    event_retention_days: float
    max_subscriptions_per_connection: int
    max_subscriptions: int
    subscription_queue: int
    feed_poll_s: float
    feed_interval_ms: float
    feed_token_check_s: float
    ws_ping_interval_s: float
    database_replica_urls: tuple[str, ...]
    replica_max_lag_bytes: int
    replica_poll_s: float
    webhook_delivery: bool
    webhook_allow_private: bool
    webhook_ca_file: str | None
    webhook_poll_s: float
    webhook_timeout_s: float
    webhook_lease_s: float
    webhook_max_attempts: int
    webhook_backoff_s: float
    webhook_concurrency: int
    data_dir: Path
    host: str
    port: int
    pool_min_size: int
    pool_max_size: int
    statement_cache_size: int
    # None: load the demo catalog only into an embedded database.
    load_demo: bool | None
    require_read_auth: bool
    request_timeout_s: float
    statement_timeout_ms: int
    pool_acquire_timeout_s: float
    db_retry_window_s: float
    max_body_bytes: int
    body_timeout_s: float
    header_timeout_s: float
    # Whole seconds: uvicorn's timeout_keep_alive is an integer.
    keepalive_timeout_s: int
    max_connections: int
    max_connections_per_client: int
    max_response_objects: int
    max_query_cost: int
    cors_origins: tuple[str, ...]
    shutdown_grace_s: int
    workers: int
    fast_path: bool
    access_log: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, or raise SettingError naming the bad one."""
        e = os.environ if env is None else env
        _refuse_unknown(e)
        values: dict[str, Any] = {s.attr: s.read(e) for s in SETTINGS}
        for lesser, greater in ORDERED:
            low, high = values[_BY_NAME[lesser].attr], values[_BY_NAME[greater].attr]
            if low > high:
                raise SettingError(f"{lesser} ({low}) must not be greater than {greater} ({high})")
        return cls(**values)


def _refuse_unknown(env: Mapping[str, str]) -> None:
    for name in sorted(env):
        if name.startswith(PREFIX) and name not in _BY_NAME:
            # Matched without the prefix, which every candidate shares.
            known = [n.removeprefix(PREFIX) for n in _BY_NAME if n.startswith(PREFIX)]
            close = difflib.get_close_matches(name.removeprefix(PREFIX), known, n=1, cutoff=0.75)
            hint = f" (did you mean {PREFIX}{close[0]}?)" if close else ""
            raise SettingError(f"unknown setting {name}{hint}")
