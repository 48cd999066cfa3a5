"""trained_on_metrics (migration 0014) holds exactly each trained_on link beside each metric
value of its model, after every write that changes either: registration, curation adding,
re-pinning, floating and removing links, a change of a model's metrics, a bulk load, and
the migration's own backfill of a catalog registered before it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from app.db.migrate import migration_files
from app.db.pool import create_pool
from app.domain import LinkSpec, LinkType
from app.service import curate, lifecycle
from bench.generate import fill
from tests.conftest import run_admin
from tests.factories import make_dataset, make_model

JOINED = """
    select l.source_id, l.target_lineage_id, l.target_version_id, m.name, m.value
    from links l join model_metrics m on m.artifact_id = l.source_id
    where l.type = 'trained_on' order by 1, 2, 4"""
KEPT = """
    select artifact_id, target_lineage_id, target_version_id, name, value
    from trained_on_metrics order by 1, 2, 4"""


async def check(conn: Any) -> int:
    """The table equals the join it is kept from; returns how many rows it has."""
    want = [tuple(r) for r in await conn.fetch(JOINED)]
    assert [tuple(r) for r in await conn.fetch(KEPT)] == want
    return len(want)


async def test_registration_curation_and_archive_keep_the_table_equal_to_the_join(conn):
    for lineage in ("dataset-a", "dataset-a", "dataset-b", "dataset-c"):
        await make_dataset(conn, lineage)
    metrics = {"rmse": 0.3, "auc": 0.8}
    await make_model(
        conn, "m", trained_on=("dataset-a-v1", "dataset-b"), evaluation_metrics=metrics
    )
    await make_model(conn, "bare", trained_on=("dataset-a",))  # no metrics: no rows
    await make_model(conn, "untrained", evaluation_metrics={"rmse": 0.1})
    assert await check(conn) == 4
    rows = await conn.fetch("select * from trained_on_metrics where artifact_id = 'm-v1'")
    assert {(r["target_lineage_id"], r["target_version_id"], r["name"]) for r in rows} == {
        ("dataset-a", "dataset-a-v1", "rmse"),
        ("dataset-a", "dataset-a-v1", "auc"),
        ("dataset-b", None, "rmse"),
        ("dataset-b", None, "auc"),
    }

    async def add(ref: str) -> None:
        await curate.add_links(conn, "m-v1", [LinkSpec(LinkType.TRAINED_ON, ref)], "tester")

    await add("dataset-c")  # a new link
    assert await check(conn) == 6
    await add("dataset-a-v2")  # re-pinned: the link is updated in place
    await add("dataset-b-v1")  # floating, then pinned
    assert await check(conn) == 6
    assert (
        await conn.fetchval(
            "select count(*) from trained_on_metrics where target_version_id = 'dataset-a-v2'"
        )
        == 2
    )
    await add("dataset-a")  # floating again
    await curate.remove_links(conn, "m-v1", [(LinkType.TRAINED_ON, "dataset-c")], "tester")
    assert await check(conn) == 4
    await curate.remove_links(conn, "m-v1", [(LinkType.TRAINED_ON, "dataset-b-v1")], "tester")
    assert await check(conn) == 2

    # A new version and an archive change no link nor metric: the rows stay, and each page
    # reads is_latest and archived_at from the model itself.
    await make_model(conn, "m", trained_on=("dataset-a",), evaluation_metrics={"rmse": 0.2})
    await lifecycle.archive(conn, "m-v2", "superseded", "tester")
    assert await check(conn) == 3

    # The metrics follow evaluation_metrics, whichever statement writes it.
    await conn.execute(
        "update artifacts set evaluation_metrics = '{\"rmse\": 0.5, \"r2\": 0.9}' where id = 'm-v1'"
    )
    assert await check(conn) == 3
    assert {r["name"] for r in await conn.fetch(
        "select name from trained_on_metrics where artifact_id = 'm-v1'"
    )} == {"rmse", "r2"}  # fmt: skip


async def test_a_bulk_load_fills_the_table_as_the_join_says(conn, pg_dsn):
    raw = await asyncpg.connect(pg_dsn)
    try:
        counts = await fill(raw, 300, seed=3)
    finally:
        await raw.close()
    assert counts["model"] == 300
    assert await check(conn) > 300


@pytest.fixture
async def without_0014(session_pool: asyncpg.Pool, pg_dsn: str) -> AsyncIterator[asyncpg.Pool]:
    """A database with every migration but 0014 applied."""
    drop = "drop database if exists registry_backfill with (force)"
    await run_admin(pg_dsn, drop, "create database registry_backfill")
    base, _, query = pg_dsn.partition("?")
    pool = await create_pool(
        base.rsplit("/", 1)[0] + "/registry_backfill" + (f"?{query}" if query else "")
    )
    try:
        async with pool.acquire() as c:
            for path in migration_files():
                if not path.name.startswith("0014"):
                    await c.execute(path.read_text())
        yield pool
    finally:
        await pool.close()
        await run_admin(pg_dsn, drop)


async def test_the_migration_backfills_a_catalog_registered_before_it(without_0014):
    async with without_0014.acquire() as c:
        for lineage in ("dataset-a", "dataset-a", "dataset-b"):
            await make_dataset(c, lineage)
        await make_model(
            c, "m", trained_on=("dataset-a-v1", "dataset-b"), evaluation_metrics={"rmse": 0.3}
        )
        await make_model(
            c, "n", trained_on=("dataset-a",), evaluation_metrics={"rmse": 0.3, "auc": 1.0}
        )
        (migration,) = [p for p in migration_files() if p.name.startswith("0014")]
        await c.execute(migration.read_text())
        assert await check(c) == 4
