"""Configuration read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _flag(env: dict[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def _optional_flag(env: dict[str, str], name: str) -> bool | None:
    raw = env.get(name, "").strip()
    return None if raw == "" else _flag(env, name)


@dataclass(frozen=True)
class Settings:
    """Everything the server reads from its environment."""

    database_url: str | None
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
    fast_path: bool
    access_log: bool

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        """Build settings from environment variables (see README, Configuration)."""
        e = dict(os.environ) if env is None else env
        return cls(
            database_url=e.get("DATABASE_URL") or None,
            data_dir=Path(e.get("REGISTRY_DATA_DIR") or PROJECT_ROOT / "data" / "pg"),
            host=e.get("HOST") or "127.0.0.1",
            port=_int(e, "PORT", 8000),
            pool_min_size=_int(e, "DB_POOL_MIN", 2),
            pool_max_size=_int(e, "DB_POOL_MAX", 10),
            statement_cache_size=_int(e, "DB_STATEMENT_CACHE_SIZE", 100),
            load_demo=_optional_flag(e, "REGISTRY_DEMO_DATA"),
            require_read_auth=_flag(e, "REGISTRY_REQUIRE_READ_AUTH"),
            request_timeout_s=_float(e, "REQUEST_TIMEOUT_S", 10.0),
            statement_timeout_ms=_int(e, "STATEMENT_TIMEOUT_MS", 5000),
            pool_acquire_timeout_s=_float(e, "POOL_ACQUIRE_TIMEOUT_S", 1.0),
            db_retry_window_s=_float(e, "DB_RETRY_WINDOW_S", 5.0),
            max_body_bytes=_int(e, "MAX_BODY_BYTES", 1024 * 1024),
            body_timeout_s=_float(e, "REGISTRY_BODY_TIMEOUT_S", 10.0),
            header_timeout_s=_float(e, "REGISTRY_HEADER_TIMEOUT_S", 10.0),
            keepalive_timeout_s=_int(e, "REGISTRY_KEEPALIVE_TIMEOUT_S", 5),
            max_connections=_int(e, "REGISTRY_MAX_CONNECTIONS", 1000),
            max_connections_per_client=_int(e, "REGISTRY_MAX_CONNECTIONS_PER_CLIENT", 100),
            max_response_objects=_int(e, "MAX_RESPONSE_OBJECTS", 10_000),
            max_query_cost=_int(e, "REGISTRY_MAX_QUERY_COST", 1_000_000),
            cors_origins=tuple(
                o.strip() for o in e.get("CORS_ALLOW_ORIGINS", "").split(",") if o.strip()
            ),
            shutdown_grace_s=_int(e, "SHUTDOWN_GRACE_S", 10),
            fast_path=_optional_flag(e, "REGISTRY_FAST_PATH") is not False,
            access_log=_optional_flag(e, "ACCESS_LOG") is not False,
        )
