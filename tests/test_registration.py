"""The registration service on a real PostgreSQL: versions, links, scores, rejections."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from app.domain import Family, Kind, LinkSpec, LinkType, NewArtifact, WarningCode
from app.errors import Conflict, InvalidInput, NotFound
from app.repo import artifacts as artifact_repo
from app.repo import links as link_repo
from app.service.register import register
from tests.factories import (
    make_analysis,
    make_compliant_model,
    make_dataset,
    make_hypothesis,
    make_model,
)


async def snapshot(conn: asyncpg.Connection) -> tuple[int, int, int]:
    return (
        await conn.fetchval("select count(*) from lineages"),
        await conn.fetchval("select count(*) from artifacts"),
        await conn.fetchval("select count(*) from links"),
    )


async def test_versions_are_numbered_from_one_and_only_the_newest_is_latest(conn):
    v1 = await make_dataset(conn, "ds")
    v2 = await make_dataset(conn, "ds", title="second")
    assert (v1.id, v1.version_number) == ("ds-v1", 1)
    assert (v2.id, v2.version_number, v2.is_latest) == ("ds-v2", 2, True)
    (old,) = await artifact_repo.get_many(conn, ["ds-v1"])
    assert old.is_latest is False


async def test_compliant_model_keeps_its_raw_score(conn):
    m = await make_compliant_model(conn, raw_quality_score=0.91)
    assert m.model is not None
    assert m.model.warnings == ()
    assert m.model.quality_score == 0.91


async def test_model_without_provenance_is_capped_and_warned(conn):
    m = await make_model(conn, raw_quality_score=0.8)
    assert m.model is not None
    assert m.model.quality_score == 0.3
    assert m.model.raw_quality_score == 0.8
    assert {w.code for w in m.model.warnings} == {
        WarningCode.MISSING_TRAINING_DATA,
        WarningCode.MISSING_PRODUCING_ANALYSIS,
    }


async def test_lineage_id_pins_nothing_and_floats_to_latest(conn):
    await make_dataset(conn, "ds")
    an = await make_analysis(conn, "an", uses=("ds",))
    (lk,) = await link_repo.from_sources(conn, [an.id])
    assert (lk.target_lineage_id, lk.target_version_id) == ("ds", None)
    m = await make_model(conn, trained_on=("ds-v1",), produced_by=an.id)
    assert m.model is not None
    assert [w.code for w in m.model.warnings] == [WarningCode.UNPINNED_INPUTS]
    assert m.model.quality_score == 0.3


async def test_pin_latest_pins_the_version_current_at_write_time(conn):
    await make_dataset(conn, "ds")
    await make_dataset(conn, "ds")
    an = await register(
        conn,
        NewArtifact(
            Kind.ANALYSIS, "an", "an", links=(LinkSpec(LinkType.USES, "ds", pin_latest=True),)
        ),
    )
    (lk,) = await link_repo.from_sources(conn, [an.id])
    assert lk.target_version_id == "ds-v2"


async def test_new_analysis_version_rescores_models_floating_on_it(conn):
    ds = await make_dataset(conn, "ds")
    await make_analysis(conn, "an", uses=(ds.id,))
    m = await make_model(conn, trained_on=(ds.id,), produced_by="an", raw_quality_score=0.9)
    assert m.model is not None
    assert [w.code for w in m.model.warnings] == [WarningCode.UNPINNED_INPUTS]
    hyp = await make_hypothesis(conn, "h")
    await make_analysis(conn, "an", uses=(ds.id,), addresses=(hyp.id,))
    (after,) = await artifact_repo.get_many(conn, [m.id])
    assert after.model is not None
    assert [w.code for w in after.model.warnings] == [
        WarningCode.UNPINNED_INPUTS,
        WarningCode.MISSING_HYPOTHESIS_LINK,
    ]


BAD_MODELS = [
    ("score above one", {"raw_quality_score": 1.5}, InvalidInput),
    ("negative score", {"raw_quality_score": -0.1}, InvalidInput),
    ("non-numeric metric", {"evaluation_metrics": {"rmse": "low"}}, InvalidInput),
    ("boolean metric", {"evaluation_metrics": {"ok": True}}, InvalidInput),
    ("infinite metric", {"evaluation_metrics": {"rmse": float("inf")}}, InvalidInput),
    ("empty title", {"title": "   "}, InvalidInput),
    ("negative parameters", {"parameter_count": -1}, InvalidInput),
    ("bad direction", {"metric_directions": {"rmse": "up"}}, InvalidInput),
    ("lineage looks like a version", {"lineage_id": "model-x-v2"}, InvalidInput),
    ("lineage with a slash", {"lineage_id": "model/x"}, InvalidInput),
    ("unknown target", {"links": (LinkSpec(LinkType.TRAINED_ON, "no-such-ds"),)}, NotFound),
    ("wrong-kind target", {"links": (LinkSpec(LinkType.TRAINED_ON, "hyp-v1"),)}, InvalidInput),
    ("link type of another kind", {"links": (LinkSpec(LinkType.USES, "ds-v1"),)}, InvalidInput),
    ("no family", {"family": None}, InvalidInput),
    ("lineage of another kind", {"lineage_id": "ds"}, Conflict),
    ("oversized config", {"training_config": {"blob": "x" * 70_000}}, InvalidInput),
    (
        "two links to one lineage",
        {"links": (LinkSpec(LinkType.TRAINED_ON, "ds-v1"), LinkSpec(LinkType.TRAINED_ON, "ds"))},
        InvalidInput,
    ),
]


@pytest.mark.parametrize(
    ("changes", "error"), [c[1:] for c in BAD_MODELS], ids=[c[0] for c in BAD_MODELS]
)
async def test_bad_registration_is_rejected_and_writes_nothing(conn, changes, error):
    await make_dataset(conn, "ds")
    await make_hypothesis(conn, "hyp")
    before = await snapshot(conn)
    fields = {
        "kind": Kind.MODEL,
        "lineage_id": "model-x",
        "title": "A model",
        "family": Family.STATISTICAL,
        "raw_quality_score": 0.5,
        "links": (LinkSpec(LinkType.TRAINED_ON, "ds-v1"),),
    } | changes
    with pytest.raises(error) as info:
        await register(conn, NewArtifact(**fields))
    assert info.value.message
    assert await snapshot(conn) == before


async def test_wrong_kind_has_its_own_code(conn):
    await make_hypothesis(conn, "hyp")
    with pytest.raises(InvalidInput) as info:
        await make_model(conn, trained_on=("hyp",))
    assert info.value.code == "WRONG_KIND"


def test_unknown_family_name_is_rejected_with_the_valid_names():
    from app.validation import parse_family

    with pytest.raises(InvalidInput, match="biophysical"):
        parse_family("quantum")


async def test_concurrent_registrations_get_consecutive_versions_and_one_latest(db):
    async def one(i: int) -> int:
        async with db.acquire() as c:
            a = await make_dataset(c, "busy", title=f"run {i}")
            return a.version_number

    numbers = await asyncio.gather(*(one(i) for i in range(25)))
    assert sorted(numbers) == list(range(1, 26))
    async with db.acquire() as c:
        rows = await c.fetch("select version_number, is_latest from artifacts order by 1")
    assert [r["version_number"] for r in rows] == list(range(1, 26))
    assert [r["version_number"] for r in rows if r["is_latest"]] == [25]


async def test_racing_first_versions_of_new_lineages_all_succeed(db):
    """Each round, several writers create the same new lineage at once."""

    async def one(lineage: str, i: int) -> int:
        async with db.acquire() as c:
            # Line the writers up so their inserts of the new lineage overlap.
            await c.execute("select pg_sleep(0.01)")
            a = await make_dataset(c, lineage, title=f"run {i}")
            return a.version_number

    for round_ in range(15):
        lineage = f"new-{round_}"
        numbers = await asyncio.gather(*(one(lineage, i) for i in range(6)))
        assert sorted(numbers) == list(range(1, 7)), lineage


@pytest.mark.parametrize(
    "changes",
    [{"title": "a\x00b"}, {"metadata": {"k": "a\x00"}}, {"training_config": {"a\x00": 1}}],
)
async def test_nul_characters_are_bad_input_not_a_crash(conn, changes):
    fields = {
        "kind": Kind.MODEL,
        "lineage_id": "m",
        "title": "t",
        "family": Family.STATISTICAL,
        "raw_quality_score": 0.5,
    } | changes
    with pytest.raises(InvalidInput):
        await register(conn, NewArtifact(**fields))


async def test_model_counters_follow_every_registration(conn):
    async def counted(family: str | None, latest: bool) -> int:
        sql = "select coalesce(sum(n), 0) from model_counts where latest_only = $1"
        args: list[object] = [latest]
        if family:
            sql += " and family = $2"
            args.append(family)
        return await conn.fetchval(sql, *args)

    async def real(family: str | None, latest: bool) -> int:
        return await conn.fetchval(
            "select count(*) from artifacts where kind = 'model' "
            "and ($1::text is null or family = $1) and (not $2 or is_latest)",
            family,
            latest,
        )

    for i in range(3):
        await make_model(conn, "m", family=Family.STATISTICAL)
        await make_model(conn, f"b{i}", family=Family.BIOPHYSICAL)
    for family in (None, "statistical", "biophysical", "deep_learning"):
        for latest in (False, True):
            assert await counted(family, latest) == await real(family, latest)
    assert await counted("statistical", True) == 1
