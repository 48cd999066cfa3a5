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


async def _lock(conn: Conn) -> None:
    # Transaction-scoped: a session lock would be taken and released on whichever server
    # connection a transaction-pooling PgBouncer hands out, so it would guard nothing.
    await conn.execute("select pg_advisory_xact_lock($1)", _LOCK_KEY)


async def migrate(conn: Conn) -> list[str]:
    """Apply pending migrations and return the names of those applied now.

    Each migration runs in its own transaction under the lock and is re-checked there, so a
    process that finds a migration pending applies it only if no other process did meanwhile.
    """
    async with conn.transaction():
        await _lock(conn)
        await conn.execute(
            """
            create table if not exists schema_migrations (
                name text primary key,
                applied_at timestamptz not null default now()
            )
            """
        )
        done = {r["name"] for r in await conn.fetch("select name from schema_migrations")}
    applied_now: list[str] = []
    for path in migration_files():
        if path.name in done:
            continue
        async with conn.transaction():
            await _lock(conn)
            if await conn.fetchval(
                "select exists (select from schema_migrations where name = $1)", path.name
            ):
                continue
            await conn.execute(path.read_text())
            await conn.execute("insert into schema_migrations (name) values ($1)", path.name)
        applied_now.append(path.name)
    return applied_now
