"""A real PostgreSQL for the whole session: embedded, or TEST_DATABASE_URL when set."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import pytest

from app.db.embedded import EmbeddedPostgres
from app.db.migrate import migrate
from app.db.pool import create_pool
from tests.http import Api, running_app
from tests.replication import PgBouncer, Topology, pgbouncer_available, prepare_root, server_of

TEST_DB = "registry_test"


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """A DSN to the test database on a server started for this session."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        yield url
        return
    # Outside pytest's own tmp tree: the server runs as another user and must traverse it.
    root = Path(tempfile.mkdtemp(prefix="registry-test-pg-"))
    server = EmbeddedPostgres(root / "data")
    dsn = server.start(TEST_DB)
    try:
        yield dsn
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class AppDatabase:
    """Where the app under test connects, and the settings that go with it."""

    dsn: str
    env: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="session")
def app_db(pg_dsn: str) -> Iterator[AppDatabase]:
    """The test database as the app reaches it: directly, or with TEST_PGBOUNCER=1 through
    PgBouncer in transaction mode (migrations and role defaults then go over the direct DSN).
    """
    if os.environ.get("TEST_PGBOUNCER", "") in ("", "0"):
        yield AppDatabase(pg_dsn)
        return
    _require_pgbouncer()
    root = prepare_root("registry-test-pgbouncer-")
    host, port, database = server_of(pg_dsn)
    bouncer = PgBouncer(root, host, port)
    bouncer.start()
    try:
        env = {"DATABASE_DIRECT_URL": pg_dsn, "DB_STATEMENT_CACHE_SIZE": "0"}
        yield AppDatabase(bouncer.dsn(database), env)
    finally:
        bouncer.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
async def session_pool(pg_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(pg_dsn, min_size=1, max_size=30)
    async with pool.acquire() as conn:
        await migrate(conn)
    yield pool
    await pool.close()


async def run_admin(dsn: str, *statements: str) -> None:
    """Run ``statements`` (creating or dropping a database) on a connection of their own,
    with no statement timeout: under the whole suite's load they can take longer than the
    pool's 5 s."""
    conn = await asyncpg.connect(dsn, server_settings={"statement_timeout": "0"})
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def empty_registry(conn: asyncpg.Connection) -> None:
    """Remove every row the tests write, as on a new database."""
    await conn.execute(
        "truncate links, artifacts, lineages, audit_log, idempotency_keys, api_tokens, "
        "alias_protections, metric_declarations, events, webhooks cascade"
    )
    # Truncation fires no triggers: the model and link counters start again from zero too.
    await conn.execute("update model_counts set n = 0")
    await conn.execute("truncate link_counts")
    # Nothing was pruned from the emptied feed.
    await conn.execute("update events_clock set pruned_through = 0")


@pytest.fixture
async def db(session_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The migrated test database, emptied before each test."""
    async with session_pool.acquire() as conn:
        await empty_registry(conn)
    return session_pool


def _require_pgbouncer() -> None:
    if not pgbouncer_available():
        missing = "pgbouncer is not installed (make pgbouncer installs it)"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)


@pytest.fixture(scope="session")
def topology() -> Iterator[Topology]:
    """A primary, a streaming replica made by pg_basebackup -R, and PgBouncer on the primary."""
    _require_pgbouncer()
    started = Topology.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
async def conn(db: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with db.acquire() as c:
        yield c


@pytest.fixture
async def api(db: asyncpg.Pool, app_db: AppDatabase) -> AsyncIterator[Api]:
    """The whole app in-process on the emptied test database."""
    async with running_app(app_db.dsn, app_db.env) as a:
        yield a


@pytest.fixture
async def resolver_api(db: asyncpg.Pool, app_db: AppDatabase) -> AsyncIterator[Api]:
    """The app with the compiled fast path off: every field goes through its resolver."""
    async with running_app(app_db.dsn, {**app_db.env, "REGISTRY_FAST_PATH": "0"}) as a:
        yield a


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say loudly when browser tests did not run: a green run without them proves less."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "browser" in r.keywords]
    if skipped:
        terminalreporter.write_line(
            f"BROWSER TESTS SKIPPED: {len(skipped)} tests did not run because Chromium is "
            "missing (make browser installs it; with CI=1 they fail instead)",
            red=True,
            bold=True,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each test's call report on it, so fixtures can tell a failed test at teardown."""
    outcome = yield
    if call.when == "call":
        item.call_report = outcome.get_result()  # type: ignore[attr-defined]
