"""The benchmark's PostgreSQL: embedded in bench/.work/pg (or DATABASE_URL), one database per size.

Each size gets its own database ``bench_<size>``, generated once and reused while the
generator, the migrations, the seed and the size are unchanged (a fingerprint is kept in
``bench_meta.generated``). The embedded server is configured with pg_stat_statements so the
benchmark can count SQL statements per request.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit, urlunsplit

import asyncpg
import psutil

from app.db.embedded import EmbeddedPostgres
from app.db.migrate import migration_files
from bench import generate

BENCH_DIR = Path(__file__).resolve().parent

# Server settings for the embedded server (applied with ALTER SYSTEM, then a restart).
SERVER_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "shared_buffers": "512MB",
}

# What PostGraphile may read besides the app's tables: links resolved to the version they
# reach now (the pinned one, else the lineage's latest). The app computes the same in its
# own SQL (repo/catalog.py, links_reaching); PostGraphile cannot express "latest version of
# a lineage" through foreign keys alone without fetching both candidates. The smart
# comments declare foreign keys so PostGraphile builds relations both ways.
BENCH_PG_SQL = """
create schema if not exists bench_pg;
create or replace view bench_pg.resolved_links as
    select l.source_id, l.type, l.target_version_id as target_id, true as pinned,
           l.target_lineage_id
    from public.links l
    where l.target_version_id is not null
  union all
    select l.source_id, l.type, t.id as target_id, false as pinned, l.target_lineage_id
    from public.links l
    join public.artifacts t on t.lineage_id = l.target_lineage_id and t.is_latest
    where l.target_version_id is null;
comment on view bench_pg.resolved_links is
    E'@foreignKey (source_id) references public.artifacts (id)\\n'
    '@foreignKey (target_id) references public.artifacts (id)';
"""


def fingerprint(size: int, seed: int) -> str:
    """Changes whenever the generated data could change."""
    h = hashlib.sha256(f"{size}:{seed}".encode())
    for path in (Path(generate.__file__), *migration_files()):
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def with_database(dsn: str, database: str) -> str:
    """The same server, another database."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + database))


def node_dsn(dsn: str) -> str:
    """A connection string node-postgres understands, also for a Unix socket."""
    parts = urlsplit(dsn)
    host = parse_qs(parts.query).get("host", [None])[0]
    if host and host.startswith("/"):
        user = parts.username or "postgres"
        return f"postgres://{user}@{quote(host, safe='')}{parts.path}"
    return dsn


class Server:
    """A running PostgreSQL: the embedded one, or the one DATABASE_URL names."""

    def __init__(self, work: Path, database_url: str | None) -> None:
        self.work = work
        self.database_url = database_url
        self._embedded: EmbeddedPostgres | None = None
        self.admin_dsn = ""
        self.stats = False
        self.postmaster: psutil.Process | None = None

    async def start(self) -> None:
        if self.database_url:
            self.admin_dsn = self.database_url
        else:
            self.admin_dsn = await self._start_embedded()
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            libs = await conn.fetchval("show shared_preload_libraries")
            self.stats = "pg_stat_statements" in libs
            backend = psutil.Process(await conn.fetchval("select pg_backend_pid()"))
            # None when the server runs elsewhere: then its CPU cannot be read.
            self.postmaster = backend.parent() if backend.name() == "postgres" else None
        except psutil.Error:
            self.postmaster = None
        finally:
            await conn.close()

    async def _start_embedded(self) -> str:
        self.work.mkdir(parents=True, exist_ok=True)
        emb = EmbeddedPostgres(self.work / "pg")
        dsn = emb.start("postgres")
        conn = await asyncpg.connect(dsn)
        try:
            current = {
                k: await conn.fetchval("select current_setting($1, true)", k)
                for k in SERVER_SETTINGS
            }
            stale = {k: v for k, v in SERVER_SETTINGS.items() if current[k] != v}
            for k, v in stale.items():
                await conn.execute(f"alter system set {k} = '{v}'")
        finally:
            await conn.close()
        if stale:
            emb.stop()
            emb = EmbeddedPostgres(self.work / "pg")
            dsn = emb.start("postgres")
        self._embedded = emb
        return dsn

    def stop(self) -> None:
        if self._embedded is not None:
            self._embedded.stop()
            self._embedded = None

    def cpu_seconds(self) -> float:
        return 0.0 if self.postmaster is None else cpu_seconds(self.postmaster)

    def dsn(self, database: str) -> str:
        return with_database(self.admin_dsn, database)

    async def prepare(self, size: int, seed: int, *, regenerate: bool = False) -> str:
        """Make sure ``bench_<size>`` holds the catalog for this seed; return its DSN."""
        name = f"bench_{size}"
        key = fingerprint(size, seed)
        dsn = self.dsn(name)
        if not regenerate and await self._fingerprint(dsn) == key:
            print(f"[db] {name}: reusing the catalog generated earlier ({key})", flush=True)
        else:
            admin = await asyncpg.connect(self.admin_dsn)
            try:
                await admin.execute(f'drop database if exists "{name}" with (force)')
                await admin.execute(f'create database "{name}"')
            finally:
                await admin.close()
            started = time.perf_counter()
            conn = await asyncpg.connect(dsn)
            try:
                counts = await generate.fill(conn, size, seed, tagged=True)
                await conn.execute(
                    "create schema bench_meta;create table bench_meta.generated (key text not null)"
                )
                await conn.execute("insert into bench_meta.generated values ($1)", key)
            finally:
                await conn.close()
            took = time.perf_counter() - started
            print(f"[db] {name}: generated {counts} in {took:.1f}s", flush=True)
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute(BENCH_PG_SQL)
            if self.stats:
                await conn.execute(
                    "create extension if not exists pg_stat_statements with schema bench_meta"
                )
        finally:
            await conn.close()
        return dsn

    async def _fingerprint(self, dsn: str) -> str | None:
        try:
            conn = await asyncpg.connect(dsn)
        except asyncpg.InvalidCatalogNameError:
            return None
        try:
            key: str | None = await conn.fetchval("select key from bench_meta.generated")
            return key
        except asyncpg.UndefinedTableError:
            return None
        finally:
            await conn.close()


def cpu_seconds(postmaster: psutil.Process) -> float:
    """CPU time of one PostgreSQL server: the postmaster, its live children, and the children
    it has reaped (exited backends are in the postmaster's children times). Other clusters on
    the machine (a test suite's, say) are not counted."""
    t = postmaster.cpu_times()
    total = t.user + t.system + t.children_user + t.children_system
    for c in postmaster.children(recursive=True):
        try:
            ct = c.cpu_times()
            total += ct.user + ct.system
        except psutil.Error:
            continue
    return total
