"""The demo catalog: believable, complete enough to show every warning, loaded once."""

from __future__ import annotations

from collections import Counter

from app.demo.load import load_if_empty
from app.domain import Kind, WarningCode
from app.repo import artifacts as artifact_repo
from app.service import aliases
from tests.factories import make_dataset


async def test_demo_catalog_covers_every_kind_family_and_warning(conn):
    loaded = await load_if_empty(conn)
    assert loaded > 0
    ids = [r["id"] for r in await conn.fetch("select id from artifacts")]
    arts = await artifact_repo.get_many(conn, ids)
    kinds = Counter(a.kind for a in arts)
    assert kinds[Kind.DATASET] >= 6 and kinds[Kind.ANALYSIS] >= 5
    assert kinds[Kind.HYPOTHESIS] >= 4 and kinds[Kind.MODEL] >= 18
    models = [a for a in arts if a.model]
    assert {a.model.family for a in models if a.model} == {
        "biophysical",
        "deep_learning",
        "statistical",
    }
    model_versions = Counter(a.lineage_id for a in models)
    assert sum(1 for n in model_versions.values() if n >= 3) >= 3
    dataset_versions = Counter(a.lineage_id for a in arts if a.kind is Kind.DATASET)
    assert any(n >= 2 for n in dataset_versions.values())
    codes = Counter(w.code for a in models if a.model for w in a.model.warnings)
    assert set(codes) == set(WarningCode)
    compliant = [a for a in models if a.model and not a.model.warnings]
    assert len(compliant) >= 5
    capped = [a for a in models if a.model and a.model.raw_quality_score > 0.3 and a.model.warnings]
    assert capped and all(a.model and a.model.quality_score == 0.3 for a in capped)


async def test_demo_catalog_is_never_loaded_on_top_of_real_data(conn):
    await make_dataset(conn, "real-data")
    assert await load_if_empty(conn) == 0
    assert await conn.fetchval("select count(*) from artifacts") == 1


async def test_demo_catalog_loads_once(conn):
    first = await load_if_empty(conn)
    assert await load_if_empty(conn) == 0
    assert await conn.fetchval("select count(*) from artifacts") == first


async def test_demo_catalog_has_aliases_with_history_a_protection_and_stored_locations(conn):
    await load_if_empty(conn)
    held = await conn.fetch("select lineage_id, alias, version_id from aliases order by 1, 2")
    assert len(held) >= 5 and {r["alias"] for r in held} == {"production", "staging"}
    moves = await conn.fetchval(
        "select count(*) from alias_moves where lineage_id = 'model-biophys-microglia' "
        "and alias = 'production'"
    )
    assert moves == 2  # set, then moved: the model page has a history to show
    assert await conn.fetchval("select lineage_id from alias_protections") == "*"
    located = await conn.fetchval(
        "select count(*) from artifacts where kind = 'dataset' and uri is not null "
        "and digest like 'sha256:%'"
    )
    assert located == await conn.fetchval("select count(*) from artifacts where kind = 'dataset'")


async def test_a_demo_production_alias_shows_a_gate_it_no_longer_passes(conn):
    await load_if_empty(conn)
    states = await aliases.of_lineage(conn, "model-hh-interneuron")
    (production,) = [s for s in states if s.alias == "production"]
    assert production.gate is not None
    assert [c.code for c in production.checks] == ["PROVENANCE_INCOMPLETE"]
