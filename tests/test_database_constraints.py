"""The database itself refuses impossible states, whatever code writes to it."""

from __future__ import annotations

import re

import asyncpg
import pytest

from app.readmodel import filters
from tests.factories import make_analysis, make_dataset, make_hypothesis, make_model

INSERT_MODEL = """
insert into artifacts (id, lineage_id, kind, version_number, is_latest, title, family,
    architecture, parameter_count, training_config, evaluation_metrics, metric_directions,
    raw_quality_score, quality_score, provenance_warnings)
values ($1, 'model-a', 'model', $2, false, 't', $3, '', $4, '{}', '{}', '{}', $5, $6, '[]')
"""


@pytest.fixture
async def seeded(conn):
    await make_dataset(conn, "ds")
    await make_hypothesis(conn, "hyp")
    await make_analysis(conn, "an", uses=("ds-v1",))
    await make_model(conn, "model-a", trained_on=("ds-v1",), produced_by="an-v1")
    return conn


BAD_STATEMENTS = [
    ("duplicate version number", INSERT_MODEL, ("model-a-vx", 1, "statistical", 1, 0.5, 0.5)),
    ("unknown family", INSERT_MODEL, ("model-a-v2", 2, "quantum", 1, 0.5, 0.5)),
    ("score above one", INSERT_MODEL, ("model-a-v2", 2, "statistical", 1, 1.2, 1.0)),
    ("effective above raw", INSERT_MODEL, ("model-a-v2", 2, "statistical", 1, 0.2, 0.5)),
    ("negative parameter count", INSERT_MODEL, ("model-a-v2", 2, "statistical", -5, 0.5, 0.5)),
    (
        "second latest in a lineage",
        "insert into artifacts (id, lineage_id, kind, version_number, is_latest, title) "
        "values ('ds-v9', 'ds', 'dataset', 9, true, 't')",
        (),
    ),
    (
        "version of an unknown lineage",
        "insert into artifacts (id, lineage_id, kind, version_number, is_latest, title) "
        "values ('zz-v1', 'zz', 'dataset', 1, false, 't')",
        (),
    ),
    (
        "kind differs from its lineage",
        "insert into artifacts (id, lineage_id, kind, version_number, is_latest, title) "
        "values ('ds-v7', 'ds', 'hypothesis', 7, false, 't')",
        (),
    ),
    (
        "model fields on a dataset",
        "insert into artifacts (id, lineage_id, kind, version_number, is_latest, title, family) "
        "values ('ds-v8', 'ds', 'dataset', 8, false, 't', 'statistical')",
        (),
    ),
    (
        "zero version",
        "insert into artifacts (id, lineage_id, kind, version_number, is_latest, title) "
        "values ('ds-v0', 'ds', 'dataset', 0, false, 't')",
        (),
    ),
    (
        "empty title",
        "insert into artifacts (id, lineage_id, kind, version_number, is_latest, title) "
        "values ('ds-v5', 'ds', 'dataset', 5, false, '  ')",
        (),
    ),
    (
        "link to a missing version",
        "insert into links values "
        "('model-a-v1', 'model', 'derived_from', 'model-a', 'model', 'nope')",
        (),
    ),
    (
        "pinned version of another lineage",
        "insert into links values ('an-v1', 'analysis', 'uses', 'hyp', 'hypothesis', 'ds-v1')",
        (),
    ),
    (
        "trained on a hypothesis",
        "insert into links values ('model-a-v1', 'model', 'trained_on', 'hyp', 'hypothesis', null)",
        (),
    ),
    (
        "target kind lies about its lineage",
        "insert into links values ('model-a-v1', 'model', 'trained_on', 'hyp', 'dataset', null)",
        (),
    ),
    (
        "second producing analysis",
        "insert into links values ('model-a-v1', 'model', 'produced_by', 'an2', 'analysis', null)",
        (),
    ),
    (
        "lineage id shaped like a version",
        "insert into lineages values ('ds-v3', 'dataset', 1)",
        (),
    ),
]


@pytest.mark.parametrize(
    ("sql", "args"), [c[1:] for c in BAD_STATEMENTS], ids=[c[0] for c in BAD_STATEMENTS]
)
async def test_database_rejects_impossible_state(seeded, sql, args):
    await seeded.execute("insert into lineages values ('an2', 'analysis', 1)")
    with pytest.raises(asyncpg.IntegrityConstraintViolationError):
        await seeded.execute(sql, *args)


async def explain(conn: asyncpg.Connection, sql: str) -> str:
    return "\n".join(r[0] for r in await conn.fetch("explain " + sql))


SORT_INDEXES = [
    ("quality_score", "models_by_quality", "models_family_quality"),
    ("created_at", "models_by_created", "models_family_created"),
    ("parameter_count", "models_by_params", "models_family_params"),
]


def ordered_by(plan: str, index: str, backward: bool) -> bool:
    """The plan reads ``index`` in the page's order (no sort step above it)."""
    scan = re.search(rf"Index (Only )?Scan( Backward)? using {index} on artifacts", plan)
    return scan is not None and bool(scan.group(2)) == backward and "Sort" not in plan


@pytest.mark.parametrize(("column", "index", "family_index"), SORT_INDEXES)
async def test_list_sorts_are_served_by_indexes(seeded, column, index, family_index):
    # Statistics left by earlier tests' rows (autovacuum) must not choose the plan.
    await seeded.execute("analyze artifacts")
    await seeded.execute("set enable_seqscan = off")
    try:
        plan = await explain(
            seeded,
            f"select id from artifacts where kind = 'model' "
            f"order by {column} desc, id desc limit 20",
        )
        assert ordered_by(plan, index, backward=True), plan
        plan = await explain(
            seeded,
            f"select id from artifacts where kind = 'model' and family = 'statistical' "
            f"order by {column}, id limit 20",
        )
        assert ordered_by(plan, family_index, backward=False), plan
    finally:
        await seeded.execute("reset enable_seqscan")


def test_the_declared_sorts_are_the_ones_tested_here():
    declared = [(name, s.index, s.family_index) for name, s in filters.SORTS.items()]
    assert sorted(declared) == sorted(SORT_INDEXES)
