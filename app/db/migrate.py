"""Apply the numbered .sql migrations once each, one process at a time."""

from __future__ import annotations

from pathlib import Path

from app.db.types import Conn

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

# Any fixed number works; it only has to be the same in every process of this app.
_LOCK_KEY = 0x6D6F64656C726567  # "modelreg"


def migration_files() -> list[Path]:
    """Return the migration files in the order they apply."""
    return sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql"))


async def migrate(conn: Conn) -> list[str]:
    """Apply pending migrations and return the names of those applied now."""
    applied_now: list[str] = []
    await conn.execute("select pg_advisory_lock($1)", _LOCK_KEY)
    try:
        await conn.execute(
            """
            create table if not exists schema_migrations (
                name text primary key,
                applied_at timestamptz not null default now()
            )
            """
        )
        done = {r["name"] for r in await conn.fetch("select name from schema_migrations")}
        for path in migration_files():
            if path.name in done:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text())
                await conn.execute("insert into schema_migrations (name) values ($1)", path.name)
            applied_now.append(path.name)
    finally:
        await conn.execute("select pg_advisory_unlock($1)", _LOCK_KEY)
    return applied_now
