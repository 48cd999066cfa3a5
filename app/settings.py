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
        )
