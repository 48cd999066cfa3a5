"""Stored scores stay current when writes that read links race writes that change them."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from app.domain import Family, Kind, LinkSpec, LinkType, NewArtifact, WarningCode
from app.errors import NotFound
from app.service import curate, scores
from app.service.register import register
from app.settings import PROJECT_ROOT
from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model

ROUNDS = 10
MODELS_PER_ROUND = 25
ADDRESSES_C = [LinkSpec(LinkType.ADDRESSES, "hyp-c")]


def model(lineage: str, produced_by: str = "an", tests: str = "hyp-c") -> NewArtifact:
    return NewArtifact(
        kind=Kind.MODEL,
        lineage_id=lineage,
        title=lineage,
        family=Family.STATISTICAL,
        raw_quality_score=0.8,
        links=(
            LinkSpec(LinkType.TRAINED_ON, "ds-v1"),
            LinkSpec(LinkType.PRODUCED_BY, produced_by),
            LinkSpec(LinkType.TESTS_HYPOTHESIS, tests),
        ),
    )


def analysis(addresses: tuple[str, ...]) -> NewArtifact:
    return NewArtifact(
        kind=Kind.ANALYSIS,
        lineage_id="an",
        title="an",
        links=(
            LinkSpec(LinkType.USES, "ds-v1"),
            *(LinkSpec(LinkType.ADDRESSES, h) for h in addresses),
        ),
    )


async def on_own_connection(pool: asyncpg.Pool, fn: Callable[[Any], Awaitable[Any]]) -> Any:
    async with pool.acquire() as c:
        return await fn(c)


async def toggle_addresses_c(pool: asyncpg.Pool, ref: str, stop: asyncio.Event) -> int:
    """Add and remove ``addresses hyp-c`` on ``ref`` until told to stop; return the count."""
    n = 0
    while not stop.is_set() or n < 2:
        async with pool.acquire() as c:
            try:
                if n % 2 == 0:
                    await curate.add_links(c, ref, ADDRESSES_C, "curator")
                else:
                    await curate.remove_links(c, ref, [(LinkType.ADDRESSES, "hyp-c")], "curator")
            except NotFound:
                pass  # a new analysis version without the link became the latest meanwhile
        n += 1
    return n


async def test_floating_producers_stay_current_while_the_analysis_is_curated(db, conn):
    await make_dataset(conn, "ds")
    await make_hypothesis(conn, "hyp-c")
    await make_hypothesis(conn, "hyp-d")
    await make_analysis(conn, "an", uses=("ds-v1",), addresses=("hyp-d",))
    stale_per_round = []
    for r in range(ROUNDS):
        stop = asyncio.Event()

        async def registrations(r: int = r, stop: asyncio.Event = stop) -> None:
            await asyncio.gather(
                *(
                    on_own_connection(db, lambda c, i=i: register(c, model(f"m-{r}-{i}")))
                    for i in range(MODELS_PER_ROUND)
                ),
                # A new analysis version races them too: floating producers move to it.
                on_own_connection(db, lambda c: register(c, analysis(("hyp-d",)))),
                on_own_connection(db, lambda c: register(c, analysis(("hyp-c", "hyp-d")))),
            )
            stop.set()

        _, toggles = await asyncio.gather(registrations(), toggle_addresses_c(db, "an", stop))
        assert toggles >= 2
        stale = {s.model_id for s in await scores.stale(conn)}
        stale_per_round.append(len({m for m in stale if m.startswith(f"m-{r}-")}))
    assert stale_per_round == [0] * ROUNDS, f"stale models per round: {stale_per_round}"
    models = await conn.fetchval("select count(*) from artifacts where kind = 'model'")
    assert models == ROUNDS * MODELS_PER_ROUND


async def check_scores_cli(dsn: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app",
        "check-scores",
        cwd=PROJECT_ROOT,
        env=dict(os.environ, DATABASE_URL=dsn),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode in (0, 1) and (proc.returncode == 0) == (not out), err.decode()
    return proc.returncode, out.decode()


async def test_the_check_finds_a_model_whose_stored_warnings_are_stale(conn, pg_dsn):
    await make_dataset(conn, "ds")
    await make_hypothesis(conn, "hyp-c")
    await make_analysis(conn, "an", uses=("ds-v1",), addresses=("hyp-c-v1",))
    await make_model(conn, "m", trained_on=("ds-v1",), produced_by="an-v1", tests=("hyp-c-v1",))
    await make_model(conn, "other", trained_on=("ds-v1",), produced_by="an-v1")
    assert await scores.stale(conn) == []
    assert await check_scores_cli(pg_dsn) == (0, "")
    # Changed behind the service's back, as a lost race would leave it.
    await conn.execute("delete from links where source_id = 'm-v1' and type = 'tests_hypothesis'")
    (found,) = await scores.stale(conn)
    assert found.model_id == "m-v1"
    assert (found.stored_score, found.expected_score) == (0.8, 0.3)
    assert found.stored_warnings == ()
    assert [w.code for w in found.expected_warnings] == [WarningCode.MISSING_HYPOTHESIS_LINK]
    assert await check_scores_cli(pg_dsn) == (
        1,
        "m-v1\tscore 0.8 -> 0.3\twarnings - -> MISSING_HYPOTHESIS_LINK\n",
    )


async def toggle_tests_c(pool: asyncpg.Pool, model_id: str, times: int) -> None:
    """Add and remove the model's ``tests hyp-c`` link, ending with it added."""
    for n in range(times):
        async with pool.acquire() as c:
            if n % 2 == 0:
                specs = [LinkSpec(LinkType.TESTS_HYPOTHESIS, "hyp-c")]
                await curate.add_links(c, model_id, specs, "curator")
            else:
                targets = [(LinkType.TESTS_HYPOTHESIS, "hyp-c")]
                await curate.remove_links(c, model_id, targets, "curator")


async def drop_and_restore_producer(pool: asyncpg.Pool, model_id: str) -> None:
    async with pool.acquire() as c:
        await curate.remove_links(c, model_id, [(LinkType.PRODUCED_BY, "an")], "curator")
        await curate.add_links(c, model_id, [LinkSpec(LinkType.PRODUCED_BY, "an")], "curator")


async def test_model_curation_racing_analysis_writes_neither_deadlocks_nor_goes_stale(db, conn):
    await make_dataset(conn, "ds")
    await make_hypothesis(conn, "hyp-c")
    await make_hypothesis(conn, "hyp-d")
    await make_analysis(conn, "an", uses=("ds-v1",), addresses=("hyp-d",))
    await make_hypothesis(conn, "hyp-e")
    # hyp-e is never addressed: whether a model is warned turns on hyp-c alone.
    ids = [(await register(conn, model(f"m-{i}", tests="hyp-e"))).id for i in range(12)]
    stale_per_round = []
    for _ in range(3):
        stop = asyncio.Event()

        async def writers(stop: asyncio.Event = stop) -> None:
            await asyncio.gather(
                *(toggle_tests_c(db, mid, 9) for mid in ids),
                # Some producers move too: curations of those models re-check the producer.
                *(drop_and_restore_producer(db, mid) for mid in ids[:4]),
                on_own_connection(db, lambda c: register(c, analysis(("hyp-c", "hyp-d")))),
                on_own_connection(db, lambda c: register(c, analysis(("hyp-d",)))),
            )
            stop.set()

        await asyncio.gather(writers(), toggle_addresses_c(db, "an", stop))
        stale_per_round.append(len(await scores.stale(conn)))
    assert stale_per_round == [0] * 3, f"stale models per round: {stale_per_round}"
