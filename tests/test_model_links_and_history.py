"""A model's own links with their pin state, and its lineage's metric trend at any length."""

from __future__ import annotations

from itertools import pairwise

import pytest

from app import metric_history
from app.errors import InvalidInput
from app.metric_history import Sampling
from tests.factories import make_analysis, make_dataset, make_model
from tests.http import running_app

LINKS = """{ model(id: "m") { linksCount links { type pinned pinnedVersion artifact { id } } } }"""


async def test_a_models_links_say_which_are_pinned_and_which_float(db, pg_dsn, conn):
    await make_dataset(conn, "atlas")
    await make_dataset(conn, "atlas")
    await make_dataset(conn, "panel")
    an = await make_analysis(conn, "fit", uses=("atlas",))
    # "atlas" floats to its latest version; "panel-v1" and the analysis are pinned
    await make_model(conn, "m", trained_on=("atlas", "panel-v1"), produced_by=an.id)
    await make_dataset(conn, "atlas")  # the floating link now reaches v3
    async with running_app(pg_dsn) as api:
        data = await api.data(LINKS)
        paged = await api.data('{ model(id: "m") { links(limit: 1, offset: 1) { type } } }')
    assert data["model"] == {
        "linksCount": 3,
        "links": [
            {"type": "PRODUCED_BY", "pinned": True, "pinnedVersion": 1,
             "artifact": {"id": "fit-v1"}},
            {"type": "TRAINED_ON", "pinned": False, "pinnedVersion": None,
             "artifact": {"id": "atlas-v3"}},
            {"type": "TRAINED_ON", "pinned": True, "pinnedVersion": 1,
             "artifact": {"id": "panel-v1"}},
        ],
    }  # fmt: skip
    assert paged["model"]["links"] == [{"type": "TRAINED_ON"}]


async def test_links_of_many_models_load_in_a_fixed_number_of_statements(db, pg_dsn, conn):
    await make_dataset(conn, "atlas")
    query = "{ models(limit: 50) { items { links { pinned artifact { id } } } } }"
    counts = []
    for n in (2, 8):
        while (await conn.fetchval("select count(*) from artifacts where kind = 'model'")) < n:
            i = await conn.fetchval("select count(*) from artifacts")
            await make_model(conn, f"m{i}", trained_on=("atlas",))
        async with running_app(pg_dsn) as api:
            api.sql.reset()
            data = await api.data(query)
            counts.append(len(api.sql.statements))
        assert len(data["models"]["items"]) == n
    assert counts[0] == counts[1]


async def many_versions(conn, lineage: str, n: int) -> None:
    """A model lineage of ``n`` versions straight in SQL; version k has rmse = k / 1000."""
    async with conn.transaction():
        # Setup, not a request: a busy CI machine must not time it out.
        await conn.execute("set local statement_timeout = '120s'")
        await _insert_versions(conn, lineage, n)


async def _insert_versions(conn, lineage: str, n: int) -> None:
    await conn.execute(
        "insert into lineages (id, kind, latest_version) values ($1, 'model', $2)", lineage, n
    )
    await conn.execute(
        """
        insert into artifacts (
            id, lineage_id, kind, version_number, is_latest, title, family, architecture,
            parameter_count, training_config, evaluation_metrics, metric_intervals,
            metric_directions, raw_quality_score, quality_score, provenance_warnings)
        select $1 || '-v' || v, $1, 'model', v, v = $2, 'version ' || v, 'statistical', 'glm',
               1, '{}', jsonb_build_object('rmse', v / 1000.0),
               case when v % 2 = 0 then jsonb_build_object('rmse', jsonb_build_object(
                   'lower', v / 1000.0 - 0.001, 'upper', v / 1000.0 + 0.001)) else '{}' end,
               '{}', 0.5, 0.3, '[]'
        from generate_series(1, $2::int) v
        """,
        lineage,
        n,
    )


HISTORY = """query($id: ID!, $max: Int!, $s: HistorySampling!) {
  model(id: $id) { metricHistory(maxPoints: $max, sampling: $s) {
    versionsCount sampling points { versionId versionNumber metrics { name value lower upper } }
  } } }"""


async def test_the_trend_of_a_long_lineage_is_an_even_sample_or_the_latest(db, pg_dsn, conn):
    await many_versions(conn, "long", 10_000)
    async with running_app(pg_dsn) as api:
        api.sql.reset()
        even = await api.data(HISTORY, {"id": "long-v5000", "max": 500, "s": "EVEN"})
        statements = len(api.sql.statements)
        latest = await api.data(HISTORY, {"id": "long", "max": 500, "s": "LATEST"})
        small = await api.data(HISTORY, {"id": "long-v2", "max": 3, "s": "EVEN"})
    history = even["model"]["metricHistory"]
    numbers = [p["versionNumber"] for p in history["points"]]
    assert (history["versionsCount"], history["sampling"], len(numbers)) == (10_000, "EVEN", 500)
    assert numbers[0] == 1 and numbers[-1] == 10_000 and 5000 in numbers
    assert numbers == sorted(set(numbers))
    gaps = {b - a for a, b in pairwise(numbers)}
    assert max(gaps) <= 2 * 21, gaps  # about 10,000 / 499 apart, one moved to version 5000
    point = history["points"][numbers.index(5000)]
    assert point["metrics"] == [{"name": "rmse", "value": 5.0, "lower": 4.999, "upper": 5.001}]
    assert statements <= 4  # the model, the lineage's size, the sampled versions
    tail = latest["model"]["metricHistory"]
    assert tail["sampling"] == "LATEST"
    assert [p["versionNumber"] for p in tail["points"]] == list(range(9501, 10_001))
    assert [p["versionNumber"] for p in small["model"]["metricHistory"]["points"]] == [
        1, 2, 10_000]  # fmt: skip


async def test_a_short_lineage_shows_every_version(db, pg_dsn, conn):
    for v in (0.3, 0.2, 0.25):
        await make_model(conn, "m", evaluation_metrics={"rmse": v})
    async with running_app(pg_dsn) as api:
        data = await api.data(HISTORY, {"id": "m-v1", "max": 500, "s": "EVEN"})
    history = data["model"]["metricHistory"]
    assert (history["versionsCount"], history["sampling"]) == (3, "ALL")
    assert [p["metrics"][0]["value"] for p in history["points"]] == [0.3, 0.2, 0.25]


@pytest.mark.parametrize(
    ("points", "sampling", "field"),
    [(0, "EVEN", "maxPoints"), (501, "EVEN", "maxPoints"), (10, "ALL", "sampling")],
)
async def test_a_history_out_of_bounds_is_refused(db, pg_dsn, conn, points, sampling, field):
    await make_model(conn, "m")
    async with running_app(pg_dsn) as api:
        body = await api.gql(HISTORY, {"id": "m", "max": points, "s": sampling})
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": field}


def test_positions_keep_the_version_looked_at_and_both_ends():
    assert metric_history.positions(10, 4, Sampling.EVEN) == (Sampling.EVEN, [1, 4, 7, 10])
    assert metric_history.positions(10, 4, Sampling.EVEN, keep=5) == (
        Sampling.EVEN,
        [1, 5, 7, 10],
    )
    assert metric_history.positions(10, 4, Sampling.LATEST, keep=2) == (
        Sampling.LATEST,
        [2, 8, 9, 10],
    )
    assert metric_history.positions(3, 4, Sampling.LATEST) == (Sampling.ALL, [1, 2, 3])
    with pytest.raises(InvalidInput):
        metric_history.positions(3, 501, Sampling.EVEN)
